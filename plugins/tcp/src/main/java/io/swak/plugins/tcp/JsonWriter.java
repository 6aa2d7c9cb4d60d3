package io.swak.plugins.tcp;

import io.swak.support.JsonBytes;
import java.io.IOException;
import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.Base64;

/**
 * Writes msgpack values as JSON, straight from a batch's bytes into a growable array: out.Tcp's
 * json_lines and lines formats. Strings are copied with only the escapes JSON requires (found eight
 * bytes at a time); binaries and extensions become base64 strings; map keys that are not strings become
 * the text of their value. A value that runs past the batch fails with an IOException.
 */
final class JsonWriter {


  byte[] buf = new byte[1 << 16];
  int len;
  private final MsgpackScan scan = new MsgpackScan();

  void ensure(int more) {
    if (len + more > buf.length) {
      buf = Arrays.copyOf(buf, Math.max(buf.length * 2, len + more));
    }
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

  void ascii(String s) {
    ensure(s.length());
    for (int i = 0; i < s.length(); i++) {
      buf[len++] = (byte) s.charAt(i);
    }
  }

  /** Writes the value at {@code p} (ending before {@code end}); returns the position after it. */
  int value(byte[] d, int p, int end) throws IOException {
    try {
      int e = scan.valueEnd(d, p, end);
      write(d, p);
      return e;
    } catch (MsgpackScan.Incomplete | MsgpackScan.Malformed x) {
      throw new IOException("malformed msgpack in the batch");
    }
  }

  /**
   * The members of the map at {@code p} without its braces, each preceded by a comma when {@code comma} (or
   * after the first), leaving out the key {@code skip}; returns the position after the map, or -1 when the
   * value is not a map (nothing written).
   */
  int members(byte[] d, int p, int end, boolean comma, byte[] skip) throws IOException {
    try {
      int e = scan.valueEnd(d, p, end);
      int t = d[p] & 0xff;
      int n;
      int q;
      if ((t & 0xf0) == 0x80) {
        n = t & 0x0f;
        q = p + 1;
      } else if (t == 0xde) {
        n = u16(d, p + 1);
        q = p + 3;
      } else if (t == 0xdf) {
        n = (int) u32(d, p + 1);
        q = p + 5;
      } else {
        return -1;
      }
      boolean first = !comma;
      for (int i = 0; i < n; i++) {
        int keyEnd = scan.valueEnd(d, q, e);
        if (skip != null && isStr(d, q, keyEnd, skip)) {
          q = scan.valueEnd(d, keyEnd, e);
          continue;
        }
        if (!first) {
          raw((byte) ',');
        }
        first = false;
        key(d, q);
        raw((byte) ':');
        q = write(d, keyEnd);
      }
      return e;
    } catch (MsgpackScan.Incomplete | MsgpackScan.Malformed x) {
      throw new IOException("malformed msgpack in the batch");
    }
  }

  /** If the map at {@code p} has a string field {@code key} with a string value: {@code start << 32 | length}; else -1. */
  long stringField(byte[] d, int p, int end, byte[] key) throws IOException {
    try {
      int t = d[p] & 0xff;
      int n;
      int q;
      if ((t & 0xf0) == 0x80) {
        n = t & 0x0f;
        q = p + 1;
      } else if (t == 0xde) {
        n = u16(d, p + 1);
        q = p + 3;
      } else if (t == 0xdf) {
        n = (int) u32(d, p + 1);
        q = p + 5;
      } else {
        return -1;
      }
      for (int i = 0; i < n; i++) {
        int keyEnd = scan.valueEnd(d, q, end);
        boolean match = isStr(d, q, keyEnd, key);
        int valueEnd = scan.valueEnd(d, keyEnd, end);
        if (match) {
          long s = str(d, keyEnd);
          return s;
        }
        q = valueEnd;
      }
      return -1;
    } catch (MsgpackScan.Incomplete | MsgpackScan.Malformed x) {
      throw new IOException("malformed msgpack in the batch");
    }
  }

  private static boolean isStr(byte[] d, int p, int e, byte[] want) {
    long s = str(d, p);
    return s >= 0 && (int) s == want.length && (s >>> 32) + want.length == e
        && Arrays.equals(d, (int) (s >>> 32), e, want, 0, want.length);
  }

  /** A string's payload at {@code p} as {@code start << 32 | length}; -1 when it is not a string. */
  static long str(byte[] d, int p) {
    int t = d[p] & 0xff;
    if (t >= 0xa0 && t <= 0xbf) {
      return (long) (p + 1) << 32 | (t & 0x1f);
    }
    return switch (t) {
      case 0xd9 -> (long) (p + 2) << 32 | (d[p + 1] & 0xff);
      case 0xda -> (long) (p + 3) << 32 | u16(d, p + 1);
      case 0xdb -> (long) (p + 5) << 32 | u32(d, p + 1);
      default -> -1;
    };
  }

  /** A map key: a string as it is, anything else as the JSON string of its text. */
  private void key(byte[] d, int p) throws IOException {
    long s = str(d, p);
    if (s >= 0) {
      string(d, (int) (s >>> 32), (int) s);
      return;
    }
    int before = len;
    write(d, p);
    byte[] text = Arrays.copyOfRange(buf, before, len);
    len = before;
    if (text.length > 0 && text[0] == '"') {
      raw(text, 0, text.length);
    } else {
      string(text, 0, text.length);
    }
  }

  /** Writes a value already known to be whole; returns the position after it. */
  private int write(byte[] d, int p) throws IOException {
    int t = d[p] & 0xff;
    if (t <= 0x7f) {
      number(t);
      return p + 1;
    }
    if (t >= 0xe0) {
      number((byte) t);
      return p + 1;
    }
    if (t >= 0xa0 && t <= 0xbf) {
      int n = t & 0x1f;
      string(d, p + 1, n);
      return p + 1 + n;
    }
    if (t <= 0x8f) {
      return map(d, p + 1, t & 0x0f);
    }
    if (t <= 0x9f) {
      return array(d, p + 1, t & 0x0f);
    }
    switch (t) {
      case 0xc0:
        ascii("null");
        return p + 1;
      case 0xc2:
        ascii("false");
        return p + 1;
      case 0xc3:
        ascii("true");
        return p + 1;
      case 0xd9: {
        int n = d[p + 1] & 0xff;
        string(d, p + 2, n);
        return p + 2 + n;
      }
      case 0xda: {
        int n = u16(d, p + 1);
        string(d, p + 3, n);
        return p + 3 + n;
      }
      case 0xdb: {
        int n = (int) u32(d, p + 1);
        string(d, p + 5, n);
        return p + 5 + n;
      }
      case 0xcc:
        number(d[p + 1] & 0xff);
        return p + 2;
      case 0xcd:
        number(u16(d, p + 1));
        return p + 3;
      case 0xce:
        number(u32(d, p + 1));
        return p + 5;
      case 0xcf: {
        long v = u64(d, p + 1);
        if (v >= 0) {
          number(v);
        } else {
          ascii(new BigInteger(Long.toUnsignedString(v)).toString());
        }
        return p + 9;
      }
      case 0xd0:
        number(d[p + 1]);
        return p + 2;
      case 0xd1:
        number((short) u16(d, p + 1));
        return p + 3;
      case 0xd2:
        number((int) u32(d, p + 1));
        return p + 5;
      case 0xd3:
        number(u64(d, p + 1));
        return p + 9;
      case 0xca:
        number((double) Float.intBitsToFloat((int) u32(d, p + 1)));
        return p + 5;
      case 0xcb:
        number(Double.longBitsToDouble(u64(d, p + 1)));
        return p + 9;
      case 0xdc:
        return array(d, p + 3, u16(d, p + 1));
      case 0xdd:
        return array(d, p + 5, (int) u32(d, p + 1));
      case 0xde:
        return map(d, p + 3, u16(d, p + 1));
      case 0xdf:
        return map(d, p + 5, (int) u32(d, p + 1));
      default: {
        // bin and ext: the payload as base64
        int start;
        int n;
        switch (t) {
          case 0xc4 -> { n = d[p + 1] & 0xff; start = p + 2; }
          case 0xc5 -> { n = u16(d, p + 1); start = p + 3; }
          case 0xc6 -> { n = (int) u32(d, p + 1); start = p + 5; }
          case 0xd4, 0xd5, 0xd6, 0xd7, 0xd8 -> { n = 1 << (t - 0xd4); start = p + 2; }
          case 0xc7 -> { n = d[p + 1] & 0xff; start = p + 3; }
          case 0xc8 -> { n = u16(d, p + 1); start = p + 4; }
          case 0xc9 -> { n = (int) u32(d, p + 1); start = p + 6; }
          default -> throw new IOException("malformed msgpack in the batch");
        }
        raw((byte) '"');
        raw(Base64.getEncoder().encode(Arrays.copyOfRange(d, start, start + n)), 0, (n + 2) / 3 * 4);
        raw((byte) '"');
        return start + n;
      }
    }
  }

  private int array(byte[] d, int p, int n) throws IOException {
    raw((byte) '[');
    for (int i = 0; i < n; i++) {
      if (i > 0) {
        raw((byte) ',');
      }
      p = write(d, p);
    }
    raw((byte) ']');
    return p;
  }

  private int map(byte[] d, int p, int n) throws IOException {
    raw((byte) '{');
    for (int i = 0; i < n; i++) {
      if (i > 0) {
        raw((byte) ',');
      }
      key(d, p);
      raw((byte) ':');
      p = write(d, skipKey(d, p));
    }
    raw((byte) '}');
    return p;
  }

  private int skipKey(byte[] d, int p) throws IOException {
    try {
      return scan.valueEnd(d, p, d.length);
    } catch (MsgpackScan.Incomplete | MsgpackScan.Malformed x) {
      throw new IOException("malformed msgpack in the batch");
    }
  }

  /** A JSON string of the UTF-8 bytes {@code b[off, off+n)}: quotes, and the escapes JSON requires. */
  void string(byte[] b, int off, int n) {
    ensure(6 * n + 10);
    len = JsonBytes.string(b, off, n, buf, len);
  }

  /** Digits written in place. */
  void number(long v) {
    ensure(20);
    len = JsonBytes.number(v, buf, len);
  }

  /** Finite doubles as numbers; NaN and the infinities as strings (JSON has no such numbers). */
  void number(double v) {
    if (Double.isNaN(v) || Double.isInfinite(v)) {
      byte[] s = Double.toString(v).getBytes(StandardCharsets.US_ASCII);
      string(s, 0, s.length);
    } else {
      ascii(Double.toString(v));
    }
  }

  private static int u16(byte[] d, int p) {
    return (d[p] & 0xff) << 8 | (d[p + 1] & 0xff);
  }

  private static long u32(byte[] d, int p) {
    return (d[p] & 0xffL) << 24 | (d[p + 1] & 0xffL) << 16 | (d[p + 2] & 0xffL) << 8 | (d[p + 3] & 0xffL);
  }

  private static long u64(byte[] d, int p) {
    return u32(d, p) << 32 | u32(d, p + 4);
  }
}
