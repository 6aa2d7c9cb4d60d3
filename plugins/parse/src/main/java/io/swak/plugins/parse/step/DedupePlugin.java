package io.swak.plugins.parse.step;

import io.swak.api.Option;
import io.swak.api.Plugin;
import java.util.List;

/** {@code dedupe}: drops an event whose fields were seen in one of the last `cache_size` distinct events. */
public final class DedupePlugin extends Plugin<DedupePlugin.Options> {

  /** Options of dedupe. */
  public record Options(
      @Option("Fields that make events the same, e.g. [id] or [host, message]; without it the whole record.")
      List<String> fields,
      @Option(value = "Distinct events remembered (least recently seen forgotten first); a repeat older than that "
          + "goes through. The memory is lost at a restart.", defaultValue = "10000")
      int cacheSize) {

    public Options {
      if (cacheSize < 1) {
        throw new IllegalArgumentException("option `cache_size` must be at least 1");
      }
      new EventKey(fields);
    }
  }

  public DedupePlugin() {
    super("dedupe", "Drops repeats of events with the same `fields` among the last `cache_size` distinct ones.",
        Options.class, o -> new KeyedFilter(KeyedFilter.Rule.dedupe(new EventKey(o.fields()), o.cacheSize()),
            "duplicates"));
  }
}
