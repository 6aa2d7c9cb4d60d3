package io.swak.sample;

import io.swak.api.Option;
import io.swak.api.Plugin;

/**
 * {@code in.MyLogLines}: makes lines in the format out.MyLogParser reads ({@code message} field), so the
 * sample can be tried without an application writing them. Also a model of an external input.
 */
public final class MyLogLinesPlugin extends Plugin<MyLogLinesPlugin.Options> {

  /** Options of in.MyLogLines. */
  public record Options(
      @Option(value = "Lines per poll.", defaultValue = "10")
      int count,
      @Option(value = "Stop after this many lines; 0 = never.", defaultValue = "0")
      long total,
      @Option(value = "Tag of the events.", defaultValue = "myapp")
      String tag) {

    public Options {
      if (count < 1) {
        throw new IllegalArgumentException("option `count` must be at least 1, got " + count);
      }
    }
  }

  public MyLogLinesPlugin() {
    super("in.MyLogLines", "Makes sample lines of the custom format (date [LEVEL] (thread) order N: text).",
        Options.class, MyLogLines::new);
  }
}
