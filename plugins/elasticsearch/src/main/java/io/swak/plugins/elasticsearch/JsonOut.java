package io.swak.plugins.elasticsearch;

import io.swak.api.MsgpackException;
import io.swak.api.MsgpackHeaders;
import io.swak.api.MsgpackReader;
import io.swak.support.JsonBytes;
import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.Base64;
import java.util.List;
import java.util.Map;

/**
 * A growable byte buffer that bulk bodies are written into: JSON tokens as UTF-8, and msgpack values turned into
 * JSON straight from a batch's bytes (no maps in between), strings escaped eight bytes at a time. Malformed msgpack
 * throws {@link MsgpackException}.
 */
final class JsonOut {

  private static final byte[] NULL = bytes("null");
  private static final byte[] TRUE = bytes("true");
  private static final byte[] FALSE = bytes("false");

  byte[] buf;
  int len;

  JsonOut(int capacity) {
    buf = new byte[capacity];
  }

  JsonOut(byte[] reuse) {
    buf = reuse;
  }

  static byte[] bytes(String s) {
    return s.getBytes(StandardCharsets.UTF_8);
  }

  void ensure(int more) {
    if (len + more > buf.length) {
      buf = Arrays.copyOf(buf, (int) Math.min(Integer.MAX_VALUE - 16, Math.max(buf.length * 2L, (long) len + more)));
    }
  }

  void raw(byte b) {
    ensure(1);
    buf[len++] = b;
  }

  void raw(byte[] b) {
    raw(b, 0, b.length);
  }

  void raw(byte[] b, int off, int n) {
    ensure(n);
    System.arraycopy(b, off, buf, len, n);
    len += n;
  }

  /** ASCII text as is. */
  void ascii(String s) {
    int n = s.length();
    ensure(n);
    for (int i = 0; i < n; i++) {
      buf[len++] = (byte) s.charAt(i);
    }
  }

  void string(String s) {
    byte[] b = s.getBytes(StandardCharsets.UTF_8);
    string(b, 0, b.length);
  }

  /** A JSON string from UTF-8 bytes: quotes around, the escapes JSON requires inside, other bytes as they are. */
  void string(byte[] b, int off, int n) {
    ensure(6 * n + 10);
    len = JsonBytes.string(b, off, n, buf, len);
  }

  /** A string's bytes with every {@code from} byte written as {@code to} (dedot: {@code a.b} → {@code a_b}). */
  void stringReplacing(byte[] b, int off, int n, byte from, byte to) {
    int mark = len;
    string(b, off, n);
    for (int i = mark; i < len; i++) {
      if (buf[i] == from) {
        buf[i] = to;
      }
    }
  }

  /** Digits written in place. */
  void number(long v) {
    ensure(20);
    len = JsonBytes.number(v, buf, len);
  }

  /** Finite doubles as numbers, NaN and infinities as strings (JSON has no such numbers). */
  void number(double v) {
    if (Double.isNaN(v) || Double.isInfinite(v)) {
      string(Double.toString(v));
    } else {
      ascii(Double.toString(v));
    }
  }

  /** {@code n} decimal digits of {@code v}, zero-padded. */
  void digits(long v, int n) {
    ensure(n);
    for (int i = len + n - 1; i >= len; i--) {
      buf[i] = (byte) ('0' + v % 10);
      v /= 10;
    }
    len += n;
  }

  // ---- msgpack to JSON ----------------------------------------------------------------------------

  /** Writes the msgpack value at {@code p} as JSON; returns the position after it. */
  int value(byte[] d, int p, int end) {
    return value(d, p, end, 0, null);
  }

  /**
   * The same, with every {@code .} in map keys written as {@code _} when {@code underscore} (dedot), at any
   * depth. Nesting is bounded like {@link MsgpackReader#MAX_DEPTH}.
   */
  int value(byte[] d, int p, int end, int depth, byte[] dotTo) {
    if (p >= end) {
      throw new MsgpackException("truncated: a value expected before the end", p);
    }
    int b = d[p] & 0xff;
    if (b >= 0xa0 && b <= 0xbf) {
      int n = b & 0x1f;
      string(d, p + 1, within(d, p + 1, n, end));
      return p + 1 + n;
    }
    if (b <= 0x7f) {
      number(b);
      return p + 1;
    }
    if (b >= 0xe0) {
      number((byte) b);
      return p + 1;
    }
    if (b <= 0x8f) {
      return map(d, p + 1, b & 0x0f, end, depth, dotTo);
    }
    if (b <= 0x9f) {
      return array(d, p + 1, b & 0x0f, end, depth, dotTo);
    }
    switch (b) {
      case 0xc0 -> {
        raw(NULL);
        return p + 1;
      }
      case 0xc2 -> {
        raw(FALSE);
        return p + 1;
      }
      case 0xc3 -> {
        raw(TRUE);
        return p + 1;
      }
      case 0xd9 -> {
        int n = u8(d, p + 1, end);
        string(d, p + 2, within(d, p + 2, n, end));
        return p + 2 + n;
      }
      case 0xda -> {
        int n = u16(d, p + 1, end);
        string(d, p + 3, within(d, p + 3, n, end));
        return p + 3 + n;
      }
      case 0xdb -> {
        int n = len32(d, p + 1, end);
        string(d, p + 5, within(d, p + 5, n, end));
        return p + 5 + n;
      }
      case 0xdc -> {
        return array(d, p + 3, u16(d, p + 1, end), end, depth, dotTo);
      }
      case 0xdd -> {
        return array(d, p + 5, len32(d, p + 1, end), end, depth, dotTo);
      }
      case 0xde -> {
        return map(d, p + 3, u16(d, p + 1, end), end, depth, dotTo);
      }
      case 0xdf -> {
        return map(d, p + 5, len32(d, p + 1, end), end, depth, dotTo);
      }
      default -> {
        // numbers, binaries and extensions: through the API's reader (rarer; it checks every length)
        MsgpackReader in = new MsgpackReader(d, p, end - p);
        MsgpackReader.Type t = in.nextType();
        switch (t) {
          case INTEGER -> {
            if (b == 0xcf && (d[p + 1] & 0x80) != 0) {
              ascii(in.readBigInteger().toString());
            } else {
              number(in.readLong());
            }
          }
          case FLOAT -> number(in.readDouble());
          case BINARY -> {
            byte[] bin = in.readBinary();
            raw((byte) '"');
            raw(Base64.getEncoder().encode(bin));
            raw((byte) '"');
          }
          default -> { // extension: its payload as base64, as out.File writes it
            int n = in.readExtensionHeader();
            int q = in.position();
            raw((byte) '"');
            raw(Base64.getEncoder().encode(Arrays.copyOfRange(d, q, q + n)));
            raw((byte) '"');
            in.skip(n);
          }
        }
        return in.position();
      }
    }
  }

  private int array(byte[] d, int p, int n, int end, int depth, byte[] dotTo) {
    if (depth >= MsgpackReader.MAX_DEPTH) {
      throw new MsgpackException("nested deeper than " + MsgpackReader.MAX_DEPTH + " containers", p);
    }
    raw((byte) '[');
    for (int i = 0; i < n; i++) {
      if (i > 0) {
        raw((byte) ',');
      }
      p = value(d, p, end, depth + 1, dotTo);
    }
    raw((byte) ']');
    return p;
  }

  private int map(byte[] d, int p, int n, int end, int depth, byte[] dotTo) {
    if (depth >= MsgpackReader.MAX_DEPTH) {
      throw new MsgpackException("nested deeper than " + MsgpackReader.MAX_DEPTH + " containers", p);
    }
    raw((byte) '{');
    for (int i = 0; i < n; i++) {
      if (i > 0) {
        raw((byte) ',');
      }
      p = key(d, p, end, dotTo);
      raw((byte) ':');
      p = value(d, p, end, depth + 1, dotTo);
    }
    raw((byte) '}');
    return p;
  }

  /** Writes the map key at {@code p} as a JSON string (a key that is not a string: its value's text). */
  int key(byte[] d, int p, int end, byte[] dotTo) {
    long s = Msgpack.str(d, p, end);
    if (s >= 0) {
      int start = (int) (s >>> 32);
      int n = (int) s;
      if (dotTo != null) {
        stringReplacing(d, start, n, (byte) '.', dotTo[0]);
      } else {
        string(d, start, n);
      }
      return start + n;
    }
    MsgpackReader in = new MsgpackReader(d, p, end - p);
    String k = String.valueOf(in.readValue());
    string(dotTo != null ? k.replace('.', (char) dotTo[0]) : k);
    return in.position();
  }

  // ---- Java values (dedot: nested, which rebuilds the record) -----------------------------------------

  /** Writes a value as {@link MsgpackReader#readValue} returns them. */
  void javaValue(Object v) {
    if (v == null) {
      raw(NULL);
    } else if (v instanceof String s) {
      string(s);
    } else if (v instanceof Long || v instanceof Integer) {
      number(((Number) v).longValue());
    } else if (v instanceof BigInteger bi) {
      ascii(bi.toString());
    } else if (v instanceof Number n) {
      number(n.doubleValue());
    } else if (v instanceof Boolean bo) {
      raw(bo ? TRUE : FALSE);
    } else if (v instanceof byte[] bin) {
      raw((byte) '"');
      raw(Base64.getEncoder().encode(bin));
      raw((byte) '"');
    } else if (v instanceof Map<?, ?> m) {
      raw((byte) '{');
      boolean first = true;
      for (Map.Entry<?, ?> e : m.entrySet()) {
        if (!first) {
          raw((byte) ',');
        }
        first = false;
        string(String.valueOf(e.getKey()));
        raw((byte) ':');
        javaValue(e.getValue());
      }
      raw((byte) '}');
    } else if (v instanceof List<?> l) {
      raw((byte) '[');
      for (int i = 0; i < l.size(); i++) {
        if (i > 0) {
          raw((byte) ',');
        }
        javaValue(l.get(i));
      }
      raw((byte) ']');
    } else {
      string(String.valueOf(v));
    }
  }

  private static int within(byte[] d, int start, int n, int end) {
    if (n < 0 || start + n > end) {
      throw new MsgpackException("truncated: a string of " + n + " bytes runs past the end of the batch", start);
    }
    return n;
  }

  private static int u8(byte[] d, int p, int end) {
    if (p >= end) {
      throw new MsgpackException("truncated header", p);
    }
    return d[p] & 0xff;
  }

  private static int u16(byte[] d, int p, int end) {
    if (p + 2 > end) {
      throw new MsgpackException("truncated header", p);
    }
    return (d[p] & 0xff) << 8 | (d[p + 1] & 0xff);
  }

  private static int len32(byte[] d, int p, int end) {
    if (p + 4 > end) {
      throw new MsgpackException("truncated header", p);
    }
    long v = (d[p] & 0xffL) << 24 | (d[p + 1] & 0xffL) << 16 | (d[p + 2] & 0xffL) << 8 | (d[p + 3] & 0xffL);
    if (v > end - p) {
      throw new MsgpackException("truncated: a length of " + v + " with " + (end - p) + " bytes left", p);
    }
    return (int) v;
  }

  /** Small msgpack helpers on raw bytes. */
  static final class Msgpack {
    private Msgpack() { }

    /** A string at {@code p} as {@code (start << 32) | length}; -1 when it is not a string. */
    static long str(byte[] d, int p, int end) {
      if (p >= end) {
        throw new MsgpackException("truncated: a value expected before the end", p);
      }
      int b = d[p] & 0xff;
      int start;
      int n;
      if (b >= 0xa0 && b <= 0xbf) {
        start = p + 1;
        n = b & 0x1f;
      } else if (b == 0xd9) {
        start = p + 2;
        n = u8(d, p + 1, end);
      } else if (b == 0xda) {
        start = p + 3;
        n = u16(d, p + 1, end);
      } else if (b == 0xdb) {
        start = p + 5;
        n = len32(d, p + 1, end);
      } else {
        return -1;
      }
      within(d, start, n, end);
      return ((long) start << 32) | n;
    }

    /** The number of pairs of the map at {@code p} and where its first key starts, as {@code (first << 32) | n}; -1 if not a map. */
    static long map(byte[] d, int p, int end) {
      if (p >= end) {
        throw new MsgpackException("truncated: a value expected before the end", p);
      }
      int b = d[p] & 0xff;
      if ((b & 0xf0) == 0x80) {
        return ((long) (p + 1) << 32) | (b & 0x0f);
      }
      if (b == 0xde) {
        return ((long) (p + 3) << 32) | u16(d, p + 1, end);
      }
      if (b == 0xdf) {
        return ((long) (p + 5) << 32) | len32(d, p + 1, end);
      }
      return -1;
    }

    /** Position after the value at {@code p}. */
    static int skip(byte[] d, int p, int end) {
      int b = p < end ? d[p] & 0xff : -1;
      if (b >= 0 && (b <= 0x7f || b >= 0xe0 || b == 0xc0 || b == 0xc2 || b == 0xc3)) {
        return p + 1;
      }
      if (b >= 0xa0 && b <= 0xbf) {
        return p + 1 + within(d, p + 1, b & 0x1f, end);
      }
      if (b >= 0xca && b <= 0xd8) {
        int n = MsgpackHeaders.fixedSize(b);
        if (p + n > end) {
          throw new MsgpackException("truncated value", p);
        }
        return p + n;
      }
      MsgpackReader in = new MsgpackReader(d, p, end - p);
      in.skipValue();
      return in.position();
    }
  }
}
