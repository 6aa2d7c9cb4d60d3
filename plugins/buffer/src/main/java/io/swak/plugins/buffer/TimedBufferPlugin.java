package io.swak.plugins.buffer;

import io.swak.api.DataSize;
import io.swak.api.Option;
import io.swak.api.Plugin;
import java.nio.file.Path;
import java.time.Duration;

/** {@code out.TimedBuffer}: the seed's time-triggered buffer. */
public final class TimedBufferPlugin extends Plugin<TimedBufferPlugin.Options> {

  /** Options of out.TimedBuffer; the interval is seconds + minutes. */
  public record Options(
      @Option(value = "Flush interval in seconds (adds to minutes).", defaultValue = "0") double seconds,
      @Option(value = "Flush interval in minutes (adds to seconds).", defaultValue = "0") double minutes,
      @Option(value = "memory or file (see `buffer`).", defaultValue = "memory") BufferSettings.Type type,
      @Option("Chunk or spill directory (see `buffer`).") Path path,
      @Option("Most bytes held (see `buffer`): past it, memory spills to path or overflow applies.")
      DataSize totalLimit,
      @Option(value = "A chunk reaching this size is delivered before its time.", defaultValue = "8MiB")
      DataSize chunkBytes,
      @Option(value = "block, drop_oldest or drop_newest (see `buffer`).", defaultValue = "block")
      BufferSettings.Overflow overflow) {

    Duration interval() {
      return Duration.ofNanos((long) ((seconds + minutes * 60) * 1e9));
    }
  }

  public TimedBufferPlugin() {
    super("out.TimedBuffer", "Buffers the stream and delivers it every `seconds`/`minutes`, to spare the "
        + "outputs many small writes.", Options.class,
        o -> new Buffer(new BufferPlugin.Options(o.type(), o.path(), o.interval(), 0, o.chunkBytes(), o.totalLimit(),
            DataSize.ofBytes(BufferSettings.DEFAULT_DISK_LIMIT), o.overflow(), BufferSettings.Fsync.INTERVAL,
            Duration.ofMillis(500)).settings()));
  }

  @Override
  public String validate(Options o) {
    if (o.seconds() < 0 || o.minutes() < 0 || o.interval().isZero()) {
      return "out.TimedBuffer needs a positive `seconds` or `minutes`, e.g. `- out.TimedBuffer: {minutes: 5}`";
    }
    return Limits.check(o.chunkBytes(), o.totalLimit());
  }
}
