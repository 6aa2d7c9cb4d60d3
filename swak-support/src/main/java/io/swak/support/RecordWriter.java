package io.swak.support;

import io.swak.api.Ack;
import io.swak.api.Batch;
import io.swak.api.BatchBuilder;
import io.swak.api.MsgpackHeaders;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;

/**
 * Writes the entries of a new batch once, straight as msgpack: a step that changes records copies the fields it
 * keeps as raw bytes ({@link #raw}) and writes the new ones typed, with no map or String per field. Maps whose size
 * is only known at the end ({@link #beginMap}/{@link #endMap}) get their shortest header then, as any encoder
 * writes it. Entries that are kept whole are copied with {@link #entries}. Reusable; not thread-safe.
 */
public final class RecordWriter {

  private byte[] buf;
  private int len;
  private int count;
  private int entryStart = -1;

  public RecordWriter() {
    this(1 << 12);
  }

  public RecordWriter(int capacity) {
    buf = new byte[Math.max(64, capacity)];
  }

  private void ensure(int more) {
    if (len + more > buf.length) {
      buf = Arrays.copyOf(buf, Math.max(buf.length * 2, len + more));
    }
  }

  /** Starts an entry {@code [time, record]}; the record follows (usually {@link #beginMap}). */
  public RecordWriter beginEntry(long timeNanos) {
    entryStart = len;
    ensure(11);
    len = MsgpackHeaders.entryHead(buf, len, timeNanos);
    return this;
  }

  /** Ends the entry begun last. */
  public void endEntry() {
    entryStart = -1;
    count++;
  }

  /** Takes back the entry begun last (a line that did not parse after all). */
  public void abortEntry() {
    if (entryStart >= 0) {
      len = entryStart;
      entryStart = -1;
    }
  }

  /** Copies {@code n} whole entries, as they are. */
  public void entries(byte[] d, int off, int length, int n) {
    ensure(length);
    System.arraycopy(d, off, buf, len, length);
    len += length;
    count += n;
  }

  /** Reserves a map header for fields counted as they are written; close it with {@link #endMap}. */
  public int beginMap() {
    ensure(1);
    return len++;
  }

  /** Writes the header reserved at {@code mark} for {@code fields} pairs (moving the body when it needs more room). */
  public void endMap(int mark, int fields) {
    close(mark, fields, 0x80, 0xde);
  }

  /** Reserves an array header; close it with {@link #endArray}. */
  public int beginArray() {
    ensure(1);
    return len++;
  }

  public void endArray(int mark, int elements) {
    close(mark, elements, 0x90, 0xdc);
  }

  private void close(int mark, int n, int fix, int code16) {
    if (n < 16) {
      buf[mark] = (byte) (fix | n);
      return;
    }
    int extra = n < 65536 ? 2 : 4;
    ensure(extra);
    System.arraycopy(buf, mark + 1, buf, mark + 1 + extra, len - mark - 1);
    len += extra;
    if (extra == 2) {
      buf[mark] = (byte) code16;
      buf[mark + 1] = (byte) (n >>> 8);
      buf[mark + 2] = (byte) n;
    } else {
      buf[mark] = (byte) (code16 + 1);
      buf[mark + 1] = (byte) (n >>> 24);
      buf[mark + 2] = (byte) (n >>> 16);
      buf[mark + 3] = (byte) (n >>> 8);
      buf[mark + 4] = (byte) n;
    }
  }

  /** A map header of a known size. */
  public void mapHeader(int n) {
    ensure(5);
    len = MsgpackHeaders.map(buf, len, n);
  }

  /** A string key (or value) from UTF-8 bytes. */
  public void string(byte[] v, int off, int n) {
    ensure(5 + n);
    len = MsgpackHeaders.str(buf, len, n);
    System.arraycopy(v, off, buf, len, n);
    len += n;
  }

  public void string(byte[] v) {
    string(v, 0, v.length);
  }

  public void string(String s) {
    string(s.getBytes(StandardCharsets.UTF_8));
  }

  public void integer(long v) {
    ensure(9);
    len = MsgpackHeaders.integer(buf, len, v);
  }

  public void real(double v) {
    ensure(9);
    len = MsgpackHeaders.float64(buf, len, v);
  }

  public void bool(boolean v) {
    ensure(1);
    len = MsgpackHeaders.bool(buf, len, v);
  }

  public void nil() {
    ensure(1);
    len = MsgpackHeaders.nil(buf, len);
  }

  /** Bytes that already are msgpack values (fields copied from the input record). */
  public void raw(byte[] v, int off, int n) {
    ensure(n);
    System.arraycopy(v, off, buf, len, n);
    len += n;
  }

  /** A Java value, packed as {@link BatchBuilder#packValue} packs it. */
  public void value(Object v) {
    if (v instanceof String s) {
      string(s);
    } else if (v instanceof Long || v instanceof Integer) {
      integer(((Number) v).longValue());
    } else if (v instanceof Boolean b) {
      bool(b);
    } else if (v == null) {
      nil();
    } else {
      byte[] b = BatchBuilder.packValue(v);
      raw(b, 0, b.length);
    }
  }

  /** Entries written since the last build. */
  public int count() {
    return count;
  }

  /** Bytes written since the last build. */
  public int size() {
    return len;
  }

  /** The batch of what was written; the writer is empty afterwards. */
  public Batch build(String tag, Ack ack) {
    Batch b = new Batch(tag, Arrays.copyOf(buf, len), len, count, ack);
    reset();
    return b;
  }

  public void reset() {
    len = 0;
    count = 0;
    entryStart = -1;
    if (buf.length > (4 << 20)) {
      buf = new byte[1 << 12]; // one huge batch must not keep its memory for the life of the step
    }
  }
}
