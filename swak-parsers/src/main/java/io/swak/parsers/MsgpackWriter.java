package io.swak.parsers;

import java.util.Arrays;

/**
 * Writes msgpack values into a growable buffer: enough for nested JSON and syslog structured data,
 * which reach the sink as one encoded value. Maps and arrays whose size is not known up front (JSON)
 * are opened with {@link #openContainer} and closed with their count, which shrinks the reserved
 * five-byte header to the smallest form, so the output is what any msgpack encoder would write.
 */
public final class MsgpackWriter {

  private byte[] buf;
  private int len;

  public MsgpackWriter() {
    this(256);
  }

  public MsgpackWriter(int capacity) {
    buf = new byte[Math.max(16, capacity)];
  }

  public void reset() {
    len = 0;
  }

  /** The buffer; valid in {@code [0, length())} until the next write. */
  public byte[] bytes() {
    return buf;
  }

  public int length() {
    return len;
  }

  public byte[] toByteArray() {
    return Arrays.copyOf(buf, len);
  }

  private void ensure(int more) {
    if (len + more > buf.length) {
      buf = Arrays.copyOf(buf, Math.max(buf.length * 2, len + more));
    }
  }

  /** An entry's head: a two-element array, then the time as an EventTime (fixext8: seconds, nanoseconds). */
  public void entryHead(long epochNanos) {
    ensure(11);
    buf[len++] = (byte) 0x92;
    buf[len++] = (byte) 0xD7;
    buf[len++] = 0;
    be32((int) Math.floorDiv(epochNanos, 1_000_000_000L));
    be32((int) Math.floorMod(epochNanos, 1_000_000_000L));
  }

  public void nil() {
    ensure(1);
    buf[len++] = (byte) 0xC0;
  }

  public void bool(boolean v) {
    ensure(1);
    buf[len++] = (byte) (v ? 0xC3 : 0xC2);
  }

  /** The smallest encoding, as msgpack-core's packLong writes it. */
  public void integer(long v) {
    ensure(9);
    if (v >= 0) {
      if (v < 128) {
        buf[len++] = (byte) v;
      } else if (v < 0x100) {
        buf[len++] = (byte) 0xCC;
        buf[len++] = (byte) v;
      } else if (v < 0x10000) {
        buf[len++] = (byte) 0xCD;
        be16((int) v);
      } else if (v < 0x1_0000_0000L) {
        buf[len++] = (byte) 0xCE;
        be32((int) v);
      } else {
        buf[len++] = (byte) 0xCF;
        be64(v);
      }
    } else if (v >= -32) {
      buf[len++] = (byte) v;
    } else if (v >= Byte.MIN_VALUE) {
      buf[len++] = (byte) 0xD0;
      buf[len++] = (byte) v;
    } else if (v >= Short.MIN_VALUE) {
      buf[len++] = (byte) 0xD1;
      be16((int) v);
    } else if (v >= Integer.MIN_VALUE) {
      buf[len++] = (byte) 0xD2;
      be32((int) v);
    } else {
      buf[len++] = (byte) 0xD3;
      be64(v);
    }
  }

  /** Always float64: a log value converted to float32 would change its digits. */
  public void real(double v) {
    ensure(9);
    buf[len++] = (byte) 0xCB;
    be64(Double.doubleToRawLongBits(v));
  }

  /** A str value from bytes taken as they are (UTF-8 expected, not checked). */
  public void string(byte[] v, int off, int n) {
    stringHeader(n);
    ensure(n);
    System.arraycopy(v, off, buf, len, n);
    len += n;
  }

  public void stringHeader(int n) {
    ensure(5);
    if (n < 32) {
      buf[len++] = (byte) (0xA0 | n);
    } else if (n < 0x100) {
      buf[len++] = (byte) 0xD9;
      buf[len++] = (byte) n;
    } else if (n < 0x10000) {
      buf[len++] = (byte) 0xDA;
      be16(n);
    } else {
      buf[len++] = (byte) 0xDB;
      be32(n);
    }
  }

  public void mapHeader(int n) {
    header(n, 0x80, 0xDE);
  }

  public void arrayHeader(int n) {
    header(n, 0x90, 0xDC);
  }

  /** Bytes that already are msgpack values. */
  public void raw(byte[] v, int off, int n) {
    ensure(n);
    System.arraycopy(v, off, buf, len, n);
    len += n;
  }

  /** Reserves a header for a map or array of yet unknown size; returns the mark to close it with. */
  public int openContainer() {
    ensure(5);
    int mark = len;
    len += 5;
    return mark;
  }

  public void closeMap(int mark, int count) {
    close(mark, count, 0x80, 0xDE);
  }

  public void closeArray(int mark, int count) {
    close(mark, count, 0x90, 0xDC);
  }

  private void close(int mark, int count, int fix, int code16) {
    int size = count < 16 ? 1 : count < 0x10000 ? 3 : 5;
    int body = mark + 5;
    if (size < 5) {
      System.arraycopy(buf, body, buf, mark + size, len - body);
      len -= 5 - size;
    }
    int end = len;
    len = mark;
    header(count, fix, code16);
    len = end;
  }

  private void header(int n, int fix, int code16) {
    ensure(5);
    if (n < 16) {
      buf[len++] = (byte) (fix | n);
    } else if (n < 0x10000) {
      buf[len++] = (byte) code16;
      be16(n);
    } else {
      buf[len++] = (byte) (code16 + 1);
      be32(n);
    }
  }

  private void be16(int v) {
    buf[len++] = (byte) (v >>> 8);
    buf[len++] = (byte) v;
  }

  private void be32(int v) {
    buf[len++] = (byte) (v >>> 24);
    buf[len++] = (byte) (v >>> 16);
    buf[len++] = (byte) (v >>> 8);
    buf[len++] = (byte) v;
  }

  private void be64(long v) {
    be32((int) (v >>> 32));
    be32((int) v);
  }
}
