package io.swak.plugins.parse.step;

import io.swak.api.DataSize;
import io.swak.api.Option;
import io.swak.api.Plugin;
import java.time.Duration;
import java.util.List;

/** {@code throttle}: at most `rate` events per `period` per key; the excess is dropped and counted, or held. */
public final class ThrottlePlugin extends Plugin<ThrottlePlugin.Options> {

  /** What happens to the events over the rate. */
  public enum Mode { DROP, HOLD }

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
      int maxKeys,
      @Option(value = "drop: the excess is dropped (counted as throttled and dropped); hold: it waits and goes on "
          + "in the next windows at the rate, in order per key (counted as throttle_held).", defaultValue = "drop")
      Mode mode,
      @Option(value = "mode hold: most bytes of events waiting; past it the task waits, so the input reads no more "
          + "until the held events went on (backpressure; counted as throttle_full).", defaultValue = "16MiB")
      DataSize holdLimit) {

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
      if (holdLimit != null && holdLimit.bytes() < 1) {
        throw new IllegalArgumentException("option `hold_limit` must be at least 1 byte");
      }
    }
  }

  public ThrottlePlugin() {
    super("throttle", "Lets at most `rate` events per `period` through, per `key`; the excess is dropped and "
        + "counted as throttled, or held back and let through at the rate (mode hold).", Options.class,
        o -> o.mode() == Mode.HOLD ? new ThrottleHoldStep(o)
            : new KeyedFilter(KeyedFilter.Rule.throttle(o.rate(), o.period().toNanos(), new EventKey(o.key()),
                o.maxKeys()), "throttled"));
  }
}
