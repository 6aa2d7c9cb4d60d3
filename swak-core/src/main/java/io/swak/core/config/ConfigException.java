package io.swak.core.config;

import java.util.Comparator;
import java.util.List;
import java.util.stream.Collectors;

/** Every problem found in a config file, reported together. */
public final class ConfigException extends Exception {

  private static final long serialVersionUID = 1L;
  private final transient List<ConfigProblem> problems;

  /** The problems in the order of the file (some are found after others below them, e.g. delivery options). */
  public ConfigException(List<ConfigProblem> problems) {
    this(problems.stream().sorted(Comparator.comparingInt(ConfigProblem::line).thenComparingInt(ConfigProblem::column))
        .toList(), true);
  }

  private ConfigException(List<ConfigProblem> sorted, boolean unused) {
    super(sorted.stream().map(ConfigProblem::toString).collect(Collectors.joining("\n")));
    this.problems = sorted;
  }

  public List<ConfigProblem> problems() {
    return problems;
  }
}
