package io.swak.plugins.buffer;

import java.nio.file.Path;
import java.time.Duration;

/**
 * What a buffer step does, resolved from the options of {@code buffer}, {@code out.TimedBuffer} or
 * {@code out.LinedBuffer}.
 *
 * @param flushInterval seal a chunk this long after its first event; zero = no time trigger
 * @param chunkLines seal at this many events; 0 = no line trigger
 * @param chunkBytes seal at this many bytes
 * @param totalLimit bytes held at most: memory for type memory, disk for type file
 * @param path chunk directory (type file), or spill directory (type memory; null = no spill)
 * @param spillLimit disk bytes a memory buffer may spill
 */
record BufferSettings(Type type, Path path, Duration flushInterval, int chunkLines, long chunkBytes,
                      long totalLimit, long spillLimit, Overflow overflow, Fsync fsync, Duration fsyncInterval) {

  /** Where chunks live. */
  enum Type { MEMORY, FILE }

  /** What to do with a batch when the buffer is full. */
  enum Overflow { BLOCK, DROP_OLDEST, DROP_NEWEST }

  /** When appended file-buffer data is forced to disk (and so acknowledged to the input). */
  enum Fsync { ALWAYS, INTERVAL, NEVER }

  static final long DEFAULT_MEMORY_LIMIT = 64L << 20;
  static final long DEFAULT_DISK_LIMIT = 1L << 30;
}
