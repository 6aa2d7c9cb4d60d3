package io.swak.plugins.parse.step;

import io.swak.api.Option;
import io.swak.api.Plugin;
import java.util.List;

/** {@code sample}: keeps one event in N, by count or deterministically by key. */
public final class SamplePlugin extends Plugin<SamplePlugin.Options> {

  /** Options of sample. */
  public record Options(
      @Option(value = "Keep one event in this many.", required = true)
      int rate,
      @Option("Fields whose values decide, the same way on every agent and after a restart: all events with the "
          + "same values are kept or all dropped (e.g. [trace_id] keeps whole traces). Without it: every rate-th event.")
      List<String> key) {

    public Options {
      if (rate < 1) {
        throw new IllegalArgumentException("option `rate` must be at least 1 (1 keeps everything), got " + rate);
      }
      new EventKey(key);
    }
  }

  public SamplePlugin() {
    super("sample", "Keeps one event in `rate`: every rate-th, or by the hash of `key` fields.", Options.class,
        o -> new KeyedFilter(o.rate() == 1 ? KeyedFilter.Rule.keepAll() : KeyedFilter.Rule.sample(o.rate(),
            new EventKey(o.key())), "sampled_out"));
  }
}
