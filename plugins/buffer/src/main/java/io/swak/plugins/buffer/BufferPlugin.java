package io.swak.plugins.buffer;

import io.swak.api.DataSize;
import io.swak.api.Option;
import io.swak.api.Plugin;
import java.nio.file.Path;
import java.time.Duration;

/** {@code buffer}: the general buffer step. */
public final class BufferPlugin extends Plugin<BufferPlugin.Options> {

  /** Options of buffer. */
  public record Options(
      @Option(value = "memory: chunks in the heap, acknowledged when delivered; file: chunk files, acknowledged "
          + "when synced, delivered after a crash or restart.", defaultValue = "memory")
      BufferSettings.Type type,
      @Option("Chunk directory (type file; default <data_dir>/buffer/<task>-<step>, where a task's second buffer is "
          + "buffer-<its position in the task>). With type memory: where "
          + "chunks spill when total_limit is reached (no spill when unset).")
      Path path,
      @Option(value = "Deliver a chunk this long after its first event; 0 = no time trigger.", defaultValue = "1s")
      Duration flushInterval,
      @Option(value = "Deliver a chunk when it holds this many events; 0 = no line trigger.", defaultValue = "0")
      int chunkLines,
      @Option(value = "Deliver a chunk when it reaches this size.", defaultValue = "2MiB")
      DataSize chunkBytes,
      @Option("Most bytes held: heap for type memory (default 64MiB), disk for type file (default 1GiB).")
      DataSize totalLimit,
      @Option(value = "With type memory and a path: most bytes spilled to disk.", defaultValue = "1GiB")
      DataSize spillLimit,
      @Option(value = "When full: block (the input waits; nothing is lost), drop_oldest or drop_newest "
          + "(dropped events are counted and logged).", defaultValue = "block")
      BufferSettings.Overflow overflow,
      @Option(value = "Type file: always (sync every batch), interval (sync every fsync_interval and each "
          + "chunk when it is sealed, on the buffer's own thread) or never (leave it to the OS: survives a crash of "
          + "Swak, not of the machine). The input's checkpoint moves only after the sync.", defaultValue = "interval")
      BufferSettings.Fsync fsync,
      @Option(value = "Type file with fsync interval: how often to sync.", defaultValue = "500ms")
      Duration fsyncInterval) {

    BufferSettings settings() {
      long limit = totalLimit != null ? totalLimit.bytes()
          : type == BufferSettings.Type.FILE ? BufferSettings.DEFAULT_DISK_LIMIT : BufferSettings.DEFAULT_MEMORY_LIMIT;
      return new BufferSettings(type, path, flushInterval, chunkLines, chunkBytes.bytes(), limit, spillLimit.bytes(),
          overflow, fsync, fsyncInterval);
    }
  }

  public BufferPlugin() {
    super("buffer", "Buffers batches in memory or on disk and delivers them in chunks by time, lines or size.",
        Options.class, o -> new Buffer(o.settings()), "out.Buffer");
  }

  @Override
  public String validate(Options o) {
    return Limits.check(o.chunkBytes(), o.totalLimit());
  }
}
