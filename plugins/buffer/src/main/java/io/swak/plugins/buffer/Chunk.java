package io.swak.plugins.buffer;

import io.swak.api.Ack;
import io.swak.api.Batch;
import io.swak.api.BatchBuilder;
import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * A group of batches of one tag that a buffer delivers as one batch. In memory it is a
 * {@link BatchBuilder}; on disk a {@link ChunkFile}. It holds the acknowledgements of its batches
 * until they may be completed: at delivery, or (file buffers) once the data is synced to disk.
 */
final class Chunk {

  final String tag;
  final long createdNanos;
  final boolean onDisk;
  /** True when this chunk's acks are completed at delivery (memory and spilled chunks). */
  final boolean holdsAcks;
  final Path file;
  private final BatchBuilder builder;
  private volatile FileChannel channel; // synced by the buffer's timer outside the lock
  final List<Ack> acks = new ArrayList<>();
  /** File buffers with fsync interval: acks waiting for the next sync. */
  final List<Ack> unsynced = new ArrayList<>();
  /** Delivered or dropped: nothing left to make durable, so a sync that fails still completes its acks. */
  boolean gone;
  /** The timer is syncing this chunk outside the lock: sealing must leave its file open for that sync. */
  boolean syncing;
  int events;
  long bytes;
  private Batch built;

  private Chunk(String tag, long createdNanos, Path file, FileChannel channel, boolean holdsAcks) {
    this.tag = tag;
    this.createdNanos = createdNanos;
    this.onDisk = file != null;
    this.file = file;
    this.channel = channel;
    this.holdsAcks = holdsAcks;
    this.builder = file == null ? new BatchBuilder() : null;
  }

  static Chunk inMemory(String tag, long now) {
    return new Chunk(tag, now, null, null, true);
  }

  static Chunk onDisk(String tag, long now, Path file, boolean holdsAcks) throws IOException {
    return new Chunk(tag, now, file, ChunkFile.create(file, tag), holdsAcks);
  }

  /** A chunk left on disk by an earlier run, delivered as it is. */
  static Chunk replayed(String tag, Path file, int events, long bytes) {
    Chunk c = new Chunk(tag, System.nanoTime(), file, null, false);
    c.events = events;
    c.bytes = bytes;
    return c;
  }

  void append(Batch b) throws IOException {
    if (onDisk) {
      try {
        ChunkFile.append(channel, b.data(), b.length(), b.count());
      } catch (IOException e) {
        throw new IOException(file + ": " + e.getMessage(), e); // the kernel's message names no file
      }
    } else {
      builder.addAll(b);
    }
    events += b.count();
    bytes += b.length();
  }

  /** Forces the file's data to disk; false when it is closed already (nothing to force). */
  boolean sync() throws IOException {
    FileChannel ch = channel;
    if (ch == null) {
      return false;
    }
    ch.force(false);
    return true;
  }

  /** Closes a disk chunk's file (no sync): nothing more is appended or synced. Safe from two threads at once. */
  void close() throws IOException {
    FileChannel ch;
    synchronized (this) {
      ch = channel;
      channel = null;
    }
    if (ch != null) {
      ch.close();
    }
  }

  /** The chunk's events as one batch whose ack runs {@code delivered}. */
  Batch toBatch(Ack delivered) throws IOException {
    if (!onDisk) {
      if (built == null) {
        built = builder.build(tag, delivered); // once: a delivery that failed is tried again with the same events
      }
      return built.withAck(delivered);
    }
    ChunkFile.Contents c = ChunkFile.read(file);
    if (c.problem() != null) {
      throw new IOException("chunk " + file + " changed on disk: " + c.problem());
    }
    return new Batch(tag, c.entries(), c.length(), c.events(), delivered);
  }

  void deleteFile() {
    if (file != null) {
      try {
        Files.deleteIfExists(file);
      } catch (IOException e) {
        // a leftover delivered chunk would be delivered again: say so
        org.slf4j.LoggerFactory.getLogger("swak.buffer").warn("cannot delete delivered chunk {}: {}", file,
            e.getMessage());
      }
    }
  }
}
