package io.swak.plugins.parse.step;

import io.swak.api.Option;
import io.swak.api.Plugin;
import java.time.Duration;
import java.util.List;

/** {@code throttle}: at most `rate` events per `period` per key; the excess is dropped and counted. */
public final class ThrottlePlugin extends Plugin<ThrottlePlugin.Options> {

  /** Options of throttle. */
  public record Options(
      @Option(value = "Events let through per period (per key).", required = true)
      long rate,
      @Option(value = "The window the rate is counted in.", defaultValue = "1s")
      Duration period,
      @Option("Fields whose values each get their own rate, e.g. [host]; without it, one rate for the step.")
      List<String> key,
      @Option(value = "Most keys tracked at once; events of further keys share one rate (counted as "
          + "throttle_keys_overflow).", defaultValue = "10000")
      int maxKeys) {

    public Options {
      if (rate < 1) {
        throw new IllegalArgumentException("option `rate` must be at least 1, got " + rate);
      }
      if (period != null && period.toMillis() < 1) {
        throw new IllegalArgumentException("option `period` must be at least 1ms");
      }
      if (maxKeys < 1) {
        throw new IllegalArgumentException("option `max_keys` must be at least 1");
      }
      new EventKey(key);
    }
  }

  public ThrottlePlugin() {
    super("throttle", "Lets at most `rate` events per `period` through, per `key`; the excess is dropped and "
        + "counted as throttled.", Options.class,
        o -> new KeyedFilter(KeyedFilter.Rule.throttle(o.rate(), o.period().toNanos(), new EventKey(o.key()),
            o.maxKeys()), "throttled"));
  }
}
