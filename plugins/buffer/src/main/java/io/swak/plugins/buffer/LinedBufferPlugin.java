package io.swak.plugins.buffer;

import io.swak.api.DataSize;
import io.swak.api.Option;
import io.swak.api.Plugin;
import java.nio.file.Path;
import java.time.Duration;

/** {@code out.LinedBuffer}: the seed's line-count-triggered buffer. */
public final class LinedBufferPlugin extends Plugin<LinedBufferPlugin.Options> {

  /** Options of out.LinedBuffer. */
  public record Options(
      @Option(value = "Deliver when this many events (lines) are buffered.", required = true) int lines,
      @Option(value = "Also deliver what is buffered this long after its first event; 0 = wait for `lines` "
          + "(what is left is delivered at stop).", defaultValue = "0")
      Duration flushInterval,
      @Option(value = "memory or file (see `buffer`).", defaultValue = "memory") BufferSettings.Type type,
      @Option("Chunk or spill directory (see `buffer`).") Path path,
      @Option("Most bytes held (see `buffer`).") DataSize totalLimit,
      @Option(value = "block, drop_oldest or drop_newest (see `buffer`).", defaultValue = "block")
      BufferSettings.Overflow overflow) {

    public Options {
      if (lines < 1) {
        throw new IllegalArgumentException("option `lines` must be at least 1, got " + lines);
      }
    }
  }

  public LinedBufferPlugin() {
    super("out.LinedBuffer", "Buffers the stream and delivers it every `lines` events.", Options.class,
        o -> new Buffer(new BufferPlugin.Options(o.type(), o.path(), o.flushInterval(), o.lines(),
            DataSize.ofMiB(8), o.totalLimit(), DataSize.ofBytes(BufferSettings.DEFAULT_DISK_LIMIT),
            o.overflow(), BufferSettings.Fsync.INTERVAL, Duration.ofMillis(500)).settings()));
  }
}
