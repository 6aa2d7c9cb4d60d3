package io.swak.plugins.tcp;

import io.swak.api.Ack;
import io.swak.api.Batch;
import io.swak.api.MsgpackHeaders;
import java.util.Arrays;

/**
 * The entries of the batch being built, written in place by the record decoders: {@code [time, record]}
 * with the time as EventTime, so a time found inside the record (JSON's {@code @timestamp}) is patched
 * into the head written before it. One per network thread; empty between two reads of a connection.
 */
final class EntryBuffer {

  /** A batch is handed on once its entries reach this size (and at the end of every read burst). */
  static final int BATCH_BYTES = 1 << 20;

  byte[] buf = new byte[1 << 16];
  int len;
  int count;

  void ensure(int more) {
    if (len + more > buf.length) {
      buf = Arrays.copyOf(buf, Math.max(buf.length * 2, len + more));
    }
  }

  /** Writes {@code [EventTime, } and returns where the time is, for {@link #patchTime}. */
  int entryHead(long timeNanos) {
    ensure(11);
    int at = len + 1;
    len = MsgpackHeaders.entryHead(buf, len, timeNanos);
    return at;
  }

  void patchTime(int at, long timeNanos) {
    MsgpackHeaders.eventTime(buf, at, timeNanos);
  }

  void raw(byte b) {
    ensure(1);
    buf[len++] = b;
  }

  void raw(byte[] b, int off, int n) {
    ensure(n);
    System.arraycopy(b, off, buf, len, n);
    len += n;
  }

  /** A msgpack string of the bytes {@code b[off, off+n)}. */
  void str(byte[] b, int off, int n) {
    ensure(5 + n);
    int p = MsgpackHeaders.str(buf, len, n);
    System.arraycopy(b, off, buf, p, n);
    len = p + n;
  }

  /** Whole entries, already encoded and checked. */
  void entries(byte[] b, int off, int n, int entries) {
    raw(b, off, n);
    count += entries;
  }

  boolean isEmpty() {
    return count == 0;
  }

  /**
   * The batch of everything written; the buffer is empty afterwards. A nearly full array is handed over
   * as it is (a copy of a megabyte costs more than a new array); a mostly empty one is copied, so the
   * queue does not hold capacity it does not count.
   */
  Batch build(String tag, Ack ack) {
    Batch b;
    if (len > buf.length / 2 && buf.length >= (1 << 16)) {
      b = new Batch(tag, buf, len, count, ack);
      buf = new byte[buf.length];
    } else {
      b = new Batch(tag, Arrays.copyOf(buf, len), len, count, ack);
    }
    len = 0;
    count = 0;
    if (buf.length > 4 * BATCH_BYTES) {
      buf = new byte[1 << 16]; // a huge record passed: do not keep its size for every batch after it
    }
    return b;
  }
}
