package io.swak.core.runtime;

import io.swak.core.config.AgentOptions;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * Whether a task does its job, for {@code /health} and {@code swak status}: ok, degraded (an output has
 * stalled for a while, or a buffer is nearly full) or failing (the task is not running, or an output has
 * stalled past {@code failing_after}). Read from the task's state and its steps' counters and gauges.
 *
 * @param reason what is wrong, in words; empty when ok
 */
public record TaskHealth(Level level, String reason) {

  /** Ordered from good to bad. */
  public enum Level {
    OK, DEGRADED, FAILING;

    /** As written in JSON and status lines. */
    public String word() {
      return name().toLowerCase(Locale.ROOT);
    }
  }

  public static TaskHealth of(Task t, AgentOptions.Health limits) {
    if (!"running".equals(t.state())) {
      String why = t.lastError();
      return new TaskHealth(Level.FAILING, why == null ? t.state() : t.state() + " after: " + why);
    }
    Level level = Level.OK;
    List<String> reasons = new ArrayList<>();
    List<StepCounters> cs = t.counters();
    for (int i = 0; i < cs.size(); i++) {
      String where = i < t.config().steps().size() ? t.config().steps().get(i).where() : "step " + (i + 1);
      level = worse(level, withNested(where, cs.get(i), limits, reasons));
    }
    return new TaskHealth(level, String.join("; ", reasons));
  }

  /** A step and the steps nested in it (failover's outputs, a route's branches and their steps), at any depth. */
  private static Level withNested(String where, StepCounters c, AgentOptions.Health limits, List<String> reasons) {
    Level level = step(where, c, limits, reasons);
    for (Map.Entry<String, StepCounters> child : c.children().entrySet()) {
      level = worse(level, withNested(where + " › " + child.getKey(), child.getValue(), limits, reasons));
    }
    return level;
  }

  private static Level step(String where, StepCounters c, AgentOptions.Health limits, List<String> reasons) {
    Level level = Level.OK;
    long stalled = c.stalledNanos();
    if (stalled >= limits.degradedAfter().toNanos()) {
      level = stalled >= limits.failingAfter().toNanos() ? Level.FAILING : Level.DEGRADED;
      String failure = c.lastFailure();
      reasons.add(where + ": nothing delivered for " + seconds(stalled) + ", " + c.waitingEvents() + " events waiting"
          + (failure != null ? " (last failure: " + failure + ")" : ""));
    }
    Map<String, Long> g = c.gauges();
    Long bytes = g.get("buffer_bytes");
    Long limit = g.get("buffer_limit_bytes");
    if (bytes != null && limit != null && limit > 0 && bytes * 100 >= limit * limits.bufferPercent()) {
      level = worse(level, Level.DEGRADED);
      reasons.add(where + ": buffer " + bytes * 100 / limit + "% full (" + bytes + " of " + limit + " bytes)");
    }
    return level;
  }

  private static Level worse(Level a, Level b) {
    return a.compareTo(b) >= 0 ? a : b;
  }

  private static String seconds(long nanos) {
    long s = nanos / 1_000_000_000L;
    return s < 120 ? s + " s" : s / 60 + " min " + s % 60 + " s";
  }
}
