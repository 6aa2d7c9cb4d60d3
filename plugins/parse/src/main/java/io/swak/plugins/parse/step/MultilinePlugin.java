package io.swak.plugins.parse.step;

import io.swak.api.DataSize;
import io.swak.api.Option;
import io.swak.api.Plugin;
import io.swak.support.FieldPath;
import io.swak.support.Multiline;
import io.swak.support.MultilinePreset;
import java.time.Duration;
import java.util.regex.Pattern;

/**
 * {@code multiline}: joins the text field of consecutive events of one stream (Fluent Bit's multiline filter), by
 * the presets and patterns of in.FileTail's {@code multiline} — the same implementation.
 */
public final class MultilinePlugin extends Plugin<MultilinePlugin.Options> {

  /** Options of multiline. */
  public record Options(
      @Option(value = "The text field joined (a field path).", defaultValue = "message")
      String key,
      @Option("A field whose value tells streams apart within a tag (a file path, a container id); events of "
          + "one tag and one value of it are joined together. Without it, one stream per tag.")
      String streamKey,
      @Option(value = Multiline.DOC_START, aliases = {"firstline"})
      Pattern start,
      @Option(value = Multiline.DOC_CONTINUATION, aliases = {"continue", "cont"})
      Pattern continuation,
      @Option(Multiline.DOC_PRESET)
      MultilinePreset preset,
      @Option(value = "An event being joined goes on when no line of its stream came for this long, even if no "
          + "further event arrives.", defaultValue = "1s")
      Duration flushTimeout,
      @Option(value = "Most lines of one joined event: the line after them begins the next event (counted as "
          + "multiline_split).", defaultValue = "1000")
      int maxLines,
      @Option(value = "Most bytes of one joined event, likewise; a single line longer than this goes on alone, "
          + "whole.", defaultValue = "1MiB")
      DataSize maxBytes,
      @Option(value = "Most streams with an event being joined at once; beyond it the one that waited longest goes "
          + "on (counted as multiline_streams_evicted).", defaultValue = "10000")
      int maxStreams) {

    public Options {
      start = Multiline.startPattern(start, preset, "multiline");
      FieldPath.parse(key == null ? "message" : key);
      if (streamKey != null) {
        FieldPath.parse(streamKey);
      }
      if (flushTimeout != null && flushTimeout.toMillis() < 1) {
        throw new IllegalArgumentException("option `flush_timeout` must be at least 1ms");
      }
      if (maxLines < 1) {
        throw new IllegalArgumentException("option `max_lines` must be at least 1, got " + maxLines);
      }
      if (maxBytes != null && (maxBytes.bytes() < 1 || maxBytes.bytes() > (1L << 30))) {
        throw new IllegalArgumentException("option `max_bytes` must be between 1 byte and 1GiB, got " + maxBytes);
      }
      if (maxStreams < 1) {
        throw new IllegalArgumentException("option `max_streams` must be at least 1, got " + maxStreams);
      }
    }
  }

  public MultilinePlugin() {
    super("multiline", "Joins the lines of a stack trace or any multi-line message, carried by consecutive events "
        + "of one stream, into one event (presets java, python, go, or start/continue regexes), with a flush "
        + "timeout and bounded size.", Options.class, MultilineStep::new, "filter.multiline");
  }
}
