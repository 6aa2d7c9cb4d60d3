package io.swak.support;

import io.swak.api.MsgpackException;
import io.swak.api.MsgpackHeaders;
import io.swak.api.MsgpackReader;
import java.io.IOException;
import java.math.BigInteger;
import java.util.Arrays;

/**
 * Reads msgpack straight from a batch's bytes and writes JSON: the hot path of out.File and out.Stdout.
 * It walks the bytes itself instead of going through msgpack-core's unpacker, whose per-value calls
 * (format lookup, header, payload copy into a scratch array) were most of the ~400 ns per line that
 * JSON lines cost (JMH EntryPackingBench.encodeJsonLines). Rare shapes — map keys that are not strings,
 * times that are not EventTime — go through the API's {@link MsgpackReader}. Positions are indexes into the
 * array; the entries end at {@code end}, which may be before the array's end. A value that runs past
 * {@code end} or has an unknown type fails with an IOException: what was written for it is garbage and
 * the caller throws it away.
 */
final class MsgpackJson {

  private MsgpackJson() { }

  /** Where {@link #entry} leaves the time of the entry it read. */
  static final class Entry {
    long timeNanos;
  }

  /** Reads the head of the entry at {@code p} ({@code [time, record]}); returns the record's position. */
  static int entry(byte[] d, int p, int end, Entry e) throws IOException {
    return within(entryHead(d, p, e), end);
  }

  private static int entryHead(byte[] d, int p, Entry e) throws IOException {
    try {
      if (d[p] != (byte) 0x92) {
        throw new IOException("an entry must be [time, record], got type byte 0x" + hex(d[p]));
      }
      int t = p + 1;
      int b = d[t] & 0xff;
      if (b == 0xd7 && d[t + 1] == 0) { // EventTime as fixext 8
        e.timeNanos = u32(d, t + 2) * 1_000_000_000L + u32(d, t + 6);
        return t + 10;
      }
      if (b == 0xc7 && d[t + 1] == 8 && d[t + 2] == 0) { // EventTime as ext 8
        e.timeNanos = u32(d, t + 3) * 1_000_000_000L + u32(d, t + 7);
        return t + 11;
      }
      MsgpackReader in = new MsgpackReader(d, t, d.length - t);
      if (in.nextType() == MsgpackReader.Type.ARRAY) {
        int m = in.readArrayHeader(); // [time, metadata] (Fluent Bit 2.x)
        e.timeNanos = in.readTime();
        for (int i = 1; i < m; i++) {
          in.skipValue();
        }
      } else {
        e.timeNanos = in.readTime();
      }
      return in.position();
    } catch (ArrayIndexOutOfBoundsException x) {
      throw cut();
    } catch (MsgpackException x) {
      throw new IOException(x.getMessage());
    }
  }

  /** Writes the value at {@code p} as JSON; returns the position after it. */
  static int value(byte[] d, int p, int end, JsonBytes j) throws IOException {
    try {
      return within(write(d, p, j), end);
    } catch (ArrayIndexOutOfBoundsException x) {
      throw cut();
    }
  }

  /** Position after the value at {@code p}. */
  static int skip(byte[] d, int p, int end) throws IOException {
    return within(skip(d, p), end);
  }

  private static int within(int position, int end) throws IOException {
    if (position > end) {
      throw cut();
    }
    return position;
  }

  private static int skip(byte[] d, int p) throws IOException {
    try {
      int b = d[p] & 0xff;
      if (b <= 0x7f || b >= 0xe0 || b == 0xc0 || b == 0xc2 || b == 0xc3) {
        return p + 1;
      }
      if (b >= 0xa0 && b <= 0xbf) {
        return p + 1 + (b & 0x1f);
      }
      if (b >= 0x80 && b <= 0x9f) {
        int n = b & 0x0f;
        int q = p + 1;
        for (int i = 0; i < ((b & 0xf0) == 0x80 ? 2 * n : n); i++) {
          q = skip(d, q);
        }
        return q;
      }
      if (b >= 0xca && b <= 0xd8) {
        return p + MsgpackHeaders.fixedSize(b);
      }
      return switch (b) {
        case 0xd9, 0xc4 -> p + 2 + u8(d, p + 1);
        case 0xda, 0xc5 -> p + 3 + u16(d, p + 1);
        case 0xdb, 0xc6 -> p + 5 + len32(d, p + 1);
        case 0xc7 -> p + 3 + u8(d, p + 1);
        case 0xc8 -> p + 4 + u16(d, p + 1);
        case 0xc9 -> p + 6 + len32(d, p + 1);
        case 0xdc -> skipMany(d, p + 3, u16(d, p + 1));
        case 0xdd -> skipMany(d, p + 5, len32(d, p + 1));
        case 0xde -> skipMany(d, p + 3, 2 * u16(d, p + 1));
        case 0xdf -> skipMany(d, p + 5, 2L * len32(d, p + 1));
        default -> throw new IOException("unknown msgpack type byte 0x" + hex(d[p]));
      };
    } catch (ArrayIndexOutOfBoundsException x) {
      throw cut();
    }
  }

  /**
   * If the value at {@code p} is a map with a string {@code key} whose value is a string, returns that
   * value's position and length packed as {@code (start << 32) | length}; -1 otherwise.
   */
  static long stringField(byte[] d, int p, int end, byte[] key) throws IOException {
    try {
      int b = d[p] & 0xff;
      int n;
      int q;
      if ((b & 0xf0) == 0x80) {
        n = b & 0x0f;
        q = p + 1;
      } else if (b == 0xde) {
        n = u16(d, p + 1);
        q = p + 3;
      } else if (b == 0xdf) {
        n = len32(d, p + 1);
        q = p + 5;
      } else {
        return -1;
      }
      for (int i = 0; i < n; i++) {
        long k = str(d, q);
        boolean match = k >= 0 && (int) k == key.length
            && Arrays.equals(d, (int) (k >>> 32), (int) (k >>> 32) + key.length, key, 0, key.length);
        q = skip(d, q);
        if (match) {
          long v = str(d, q);
          if (v >= 0) {
            within((int) (v >>> 32) + (int) v, end);
          }
          return v;
        }
        q = skip(d, q);
      }
      return -1;
    } catch (ArrayIndexOutOfBoundsException x) {
      throw cut();
    }
  }

  /** A string at {@code p} as {@code (start << 32) | length}; -1 when it is not a string. */
  private static long str(byte[] d, int p) throws IOException {
    int b = d[p] & 0xff;
    int start;
    int n;
    if (b >= 0xa0 && b <= 0xbf) {
      start = p + 1;
      n = b & 0x1f;
    } else if (b == 0xd9) {
      start = p + 2;
      n = u8(d, p + 1);
    } else if (b == 0xda) {
      start = p + 3;
      n = u16(d, p + 1);
    } else if (b == 0xdb) {
      start = p + 5;
      n = len32(d, p + 1);
    } else {
      return -1;
    }
    if (start + n > d.length) {
      throw cut();
    }
    return ((long) start << 32) | n;
  }

  private static int write(byte[] d, int p, JsonBytes j) throws IOException {
    int b = d[p] & 0xff;
    if (b >= 0xa0 && b <= 0xbf) {
      int n = b & 0x1f;
      j.string(d, p + 1, checked(d, p + 1, n));
      return p + 1 + n;
    }
    if (b <= 0x7f) {
      j.number(b);
      return p + 1;
    }
    if (b >= 0xe0) {
      j.number((byte) b);
      return p + 1;
    }
    if (b <= 0x8f) {
      return map(d, p + 1, b & 0x0f, j);
    }
    if (b <= 0x9f) {
      return array(d, p + 1, b & 0x0f, j);
    }
    switch (b) {
      case 0xc0 -> {
        j.ascii("null");
        return p + 1;
      }
      case 0xc2 -> {
        j.ascii("false");
        return p + 1;
      }
      case 0xc3 -> {
        j.ascii("true");
        return p + 1;
      }
      case 0xd9 -> {
        int n = u8(d, p + 1);
        j.string(d, p + 2, checked(d, p + 2, n));
        return p + 2 + n;
      }
      case 0xda -> {
        int n = u16(d, p + 1);
        j.string(d, p + 3, checked(d, p + 3, n));
        return p + 3 + n;
      }
      case 0xdb -> {
        int n = len32(d, p + 1);
        j.string(d, p + 5, checked(d, p + 5, n));
        return p + 5 + n;
      }
      case 0xcc -> j.number(u8(d, p + 1));
      case 0xcd -> j.number(u16(d, p + 1));
      case 0xce -> j.number(u32(d, p + 1));
      case 0xcf -> {
        long v = u64(d, p + 1);
        if (v >= 0) {
          j.number(v);
        } else {
          j.ascii(new BigInteger(Long.toUnsignedString(v)).toString());
        }
      }
      case 0xd0 -> j.number(d[p + 1]);
      case 0xd1 -> j.number((short) u16(d, p + 1));
      case 0xd2 -> j.number((int) u32(d, p + 1));
      case 0xd3 -> j.number(u64(d, p + 1));
      case 0xca -> j.number((double) Float.intBitsToFloat((int) u32(d, p + 1)));
      case 0xcb -> j.number(Double.longBitsToDouble(u64(d, p + 1)));
      case 0xdc -> {
        return array(d, p + 3, u16(d, p + 1), j);
      }
      case 0xdd -> {
        return array(d, p + 5, len32(d, p + 1), j);
      }
      case 0xde -> {
        return map(d, p + 3, u16(d, p + 1), j);
      }
      case 0xdf -> {
        return map(d, p + 5, len32(d, p + 1), j);
      }
      default -> {
        // bin and ext: their payload as base64, as before
        int q = skip(d, p);
        int start = switch (b) {
          case 0xc4 -> p + 2;
          case 0xc5 -> p + 3;
          case 0xc6 -> p + 5;
          case 0xd4, 0xd5, 0xd6, 0xd7, 0xd8 -> p + 2;
          case 0xc7 -> p + 3;
          case 0xc8 -> p + 4;
          case 0xc9 -> p + 6;
          default -> throw new IOException("unknown msgpack type byte 0x" + hex(d[p]));
        };
        j.binary(Arrays.copyOfRange(d, start, checked(d, start, q - start) + start));
        return q;
      }
    }
    return skip(d, p);
  }

  private static int array(byte[] d, int p, int n, JsonBytes j) throws IOException {
    j.raw((byte) '[');
    for (int i = 0; i < n; i++) {
      if (i > 0) {
        j.raw((byte) ',');
      }
      p = write(d, p, j);
    }
    j.raw((byte) ']');
    return p;
  }

  private static int map(byte[] d, int p, int n, JsonBytes j) throws IOException {
    j.raw((byte) '{');
    for (int i = 0; i < n; i++) {
      if (i > 0) {
        j.raw((byte) ',');
      }
      if (str(d, p) >= 0) {
        p = write(d, p, j);
      } else {
        // a key that is not a string: its value's text, as a JSON string
        MsgpackReader in = new MsgpackReader(d, p, d.length - p);
        try {
          j.string(String.valueOf(in.readValue()));
        } catch (MsgpackException x) {
          throw new IOException(x.getMessage());
        }
        p = in.position();
      }
      j.raw((byte) ':');
      p = write(d, p, j);
    }
    j.raw((byte) '}');
    return p;
  }

  private static int skipMany(byte[] d, int p, long n) throws IOException {
    for (long i = 0; i < n; i++) {
      p = skip(d, p);
    }
    return p;
  }

  private static int checked(byte[] d, int start, int n) throws IOException {
    if (n < 0 || start + n > d.length) {
      throw cut();
    }
    return n;
  }

  private static int u8(byte[] d, int p) {
    return d[p] & 0xff;
  }

  private static int u16(byte[] d, int p) {
    return (d[p] & 0xff) << 8 | (d[p + 1] & 0xff);
  }

  private static long u32(byte[] d, int p) {
    return (d[p] & 0xffL) << 24 | (d[p + 1] & 0xffL) << 16 | (d[p + 2] & 0xffL) << 8 | (d[p + 3] & 0xffL);
  }

  private static int len32(byte[] d, int p) throws IOException {
    long v = u32(d, p);
    if (v > Integer.MAX_VALUE) {
      throw cut();
    }
    return (int) v;
  }

  private static long u64(byte[] d, int p) {
    return u32(d, p) << 32 | u32(d, p + 4);
  }

  private static String hex(byte b) {
    return Integer.toHexString(b & 0xff);
  }

  private static IOException cut() {
    return new IOException("malformed msgpack: a value runs past the end of the batch");
  }
}
