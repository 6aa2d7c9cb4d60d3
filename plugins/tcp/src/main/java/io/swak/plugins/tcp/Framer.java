package io.swak.plugins.tcp;

import io.swak.support.ByteBudget;
import java.io.IOException;
import java.util.Arrays;

/**
 * Cuts a connection's byte stream into units (lines, msgpack values) and hands each to its decoder. The
 * bytes of an unfinished unit are kept in an array of the connection's own, grown as they come; a
 * connection between units holds nothing, so ten thousand idle connections cost no buffers. A unit longer
 * than the limit never fills memory: a line is cut (or skipped) and counted, a msgpack value refused.
 */
abstract class Framer {

  /** Where units go: the connection. */
  interface Sink {
    /** The entries of the batch being built (the network thread's). */
    EntryBuffer out();

    /** Hands the batch on when it is large; false when the task is full and reading must stop. */
    boolean flushIfFull();

    /** What the kept bytes of all connections are taken from (assembly_limit); null when not bounded. */
    default ByteBudget memory() {
      return null;
    }
  }

  /** The stream cannot be followed any more (garbage where a msgpack value should start, a lying length). */
  static final class StreamBroken extends IOException {
    private static final long serialVersionUID = 1L;

    /** Set when the stream was refused for memory (memory_refusals), not for what it holds. */
    final boolean memory;

    StreamBroken(String message) {
      this(message, false);
    }

    StreamBroken(String message, boolean memory) {
      super(message);
      this.memory = memory;
    }
  }

  final Sink sink;
  final int maxUnit;
  /** Kept bytes: {@code own[start, end)}; null when none. */
  byte[] own;
  int start;
  int end;
  /** Bytes of {@link #own} taken from the sink's memory. */
  private long charged;

  Framer(Sink sink, int maxUnit) {
    this.sink = sink;
    this.maxUnit = maxUnit;
  }

  /**
   * Takes {@code b[off, off+len)} (the array is not kept). Returns false when it stopped because the task
   * is full: what it did not pass on is kept, and {@link #resume} goes on.
   */
  final boolean feed(byte[] b, int off, int len) throws IOException {
    stopped = false;
    if (own == null) {
      int stop = units(b, off, off + len);
      keep(b, stop, off + len);
      return !stopped;
    }
    int cut = completes(b, off, off + len);
    if (cut > 0 && cut < len) {
      // only the bytes that finish the kept unit are copied; the rest is read where it lies
      append(b, off, cut);
      boolean going = resume();
      if (!going || own != null) {
        if (own == null) {
          keep(b, off + cut, off + len);
        } else {
          append(b, off + cut, len - cut);
        }
        return going && resume();
      }
      int stop = units(b, off + cut, off + len);
      keep(b, stop, off + len);
      return !stopped;
    }
    append(b, off, len);
    return resume();
  }

  /**
   * How many bytes of {@code b[p, e)} surely finish the unit that is kept, or -1 when the format cannot
   * tell without reading on (then the whole piece is appended to it).
   */
  int completes(byte[] b, int p, int e) {
    return -1;
  }

  /** Goes on with the kept bytes after a stop; false when it stopped again. */
  final boolean resume() throws IOException {
    if (own == null) {
      return true;
    }
    stopped = false;
    byte[] o = own;
    int stop = units(o, start, end);
    int n = end - stop;
    if (n == 0) {
      releaseMemory();
    } else if (o.length > 4096 && n < o.length / 4) {
      own = Arrays.copyOfRange(o, stop, stop + Math.max(n, 256)); // most was passed on: keep the rest smaller
      start = 0;
      end = n;
      charge(own.length);
    } else {
      start = stop;
    }
    return !stopped;
  }

  /** Set by {@link #units} when it stopped because the sink was full. */
  boolean stopped;

  /**
   * Hands on every whole unit of {@code b[p, e)}; returns where the bytes not passed on begin (an unfinished
   * unit, or what is left after a stop). Sets {@link #stopped} when the sink said stop. How much of the
   * unfinished unit was already looked at is the framer's to remember, relative to the unit's start.
   */
  abstract int units(byte[] b, int p, int e) throws IOException;

  /** The connection ends: what a kept unfinished unit holds, if the format can use it. */
  void end() throws IOException {
    releaseMemory();
  }

  /** Drops the kept bytes and gives their memory back (the connection ended or broke). */
  final void releaseMemory() {
    own = null;
    start = end = 0;
    ByteBudget m = sink.memory();
    if (m != null && charged > 0) {
      m.give(charged);
    }
    charged = 0;
  }

  /**
   * Makes the memory taken for the kept bytes {@code length}: more is taken before an array that large is made,
   * past the limit only when no other connection holds any; less is given back.
   */
  private void charge(long length) throws StreamBroken {
    ByteBudget m = sink.memory();
    if (m == null || length == charged) {
      return;
    }
    if (length > charged && !m.take(length - charged, charged)) {
      throw new StreamBroken("no memory for its unfinished message of " + length + " bytes: the unfinished "
          + "messages of all connections hold assembly_limit (" + (m.limit() >> 20) + " MiB; counter "
          + "memory_refusals)", true);
    }
    if (length < charged) {
      m.give(charged - length);
    }
    charged = length;
  }

  private void keep(byte[] b, int from, int to) throws StreamBroken {
    int n = to - from;
    if (n == 0) {
      return;
    }
    int size = Math.max(n, Math.min(256, maxUnit));
    charge(size);
    own = Arrays.copyOfRange(b, from, from + size);
    start = 0;
    end = n;
  }

  private void append(byte[] b, int off, int len) throws StreamBroken {
    if (end + len > own.length) {
      if (start > 0) {
        System.arraycopy(own, start, own, 0, end - start);
        end -= start;
        start = 0;
      }
      if (end + len > own.length) {
        int grown = Math.max(own.length * 2, end + len);
        charge(grown);
        own = Arrays.copyOf(own, grown);
      }
    }
    System.arraycopy(b, off, own, end, len);
    end += len;
  }
}
