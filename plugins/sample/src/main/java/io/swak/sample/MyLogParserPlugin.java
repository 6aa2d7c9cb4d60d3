package io.swak.sample;

import io.swak.api.Option;
import io.swak.api.Plugin;

/**
 * {@code out.MyLogParser} (the seed's "custom format parser"): turns lines of an application's own log
 * format, e.g. {@code 2026-11-21 14:38:12.345 [WARN] (worker-3) order 42: payment retried}, into fields
 * {@code date}, {@code level}, {@code thread}, {@code text} (and {@code order} when the text starts with
 * {@code order N:}).
 */
public final class MyLogParserPlugin extends Plugin<MyLogParserPlugin.Options> {

  /** What to do with a line that does not match the format. */
  public enum OnMismatch { KEEP, DROP }

  /** Options of out.MyLogParser. */
  public record Options(
      @Option(value = "Field holding the line.", defaultValue = "message")
      String key,
      @Option(value = "Keep the original line in `key` next to the parsed fields.", defaultValue = "false")
      boolean keepOriginal,
      @Option(value = "keep: pass a line that does not match unchanged, with `parse_error: true`; drop: drop it "
          + "(counted as dropped).", defaultValue = "keep")
      OnMismatch onMismatch) {

    public Options {
      if (key == null || key.isBlank()) {
        throw new IllegalArgumentException("option `key` is empty: name the field that holds the line, e.g. message");
      }
    }
  }

  public MyLogParserPlugin() {
    super("out.MyLogParser", "Parses the sample custom log format (date [LEVEL] (thread) text) into fields.",
        Options.class, MyLogParser::new, "MyLogParser");
  }
}
