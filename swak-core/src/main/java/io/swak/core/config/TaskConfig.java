package io.swak.core.config;

import java.util.List;

/**
 * One {@code - task:} entry.
 *
 * @param number 1-based position in the file, as {@code swak test -t N} counts
 * @param name optional {@code name:} beside {@code task:}, else empty
 */
public record TaskConfig(int number, String name, List<StepConfig> steps) {

  /** {@code task 2} or {@code task 2 (web)}. */
  public String label() {
    return name.isEmpty() ? "task " + number : "task " + number + " (" + name + ")";
  }
}
