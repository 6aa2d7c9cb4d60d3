package io.swak.support;

import io.swak.api.MsgpackException;
import io.swak.api.MsgpackHeaders;
import io.swak.api.MsgpackReader;
import java.io.IOException;
import java.nio.charset.StandardCharsets;

/**
 * Reads fields straight from a record's msgpack bytes, without decoding the record: where a {@link FieldPath}'s
 * value starts ({@link #find}), where a value ends ({@link #skip}), and the value as a number, as text or as a Java
 * object when a step needs one. Positions are indexes into the array; {@code end} bounds every read, and a value
 * that runs past it throws {@link MsgpackException}. The processing steps (parse, grep, modify, …) and the
 * runtime's conditions share it, so a path means the same everywhere.
 */
public final class RecordBytes {

  /** {@link #find}: the record has no such field. */
  public static final int ABSENT = -1;
  /** {@link #find}: a segment of the path leads into a value that is not a map (or not a list, for [N]). */
  public static final int NOT_A_MAP = -2;

  private RecordBytes() { }

  /**
   * Position of the value at {@code path} inside the value at {@code d[start, end)} (a record: a map), or
   * {@link #ABSENT} or {@link #NOT_A_MAP}. The root path is {@code start} itself.
   */
  public static int find(byte[] d, int start, int end, FieldPath path) {
    int p = start;
    for (int i = 0; i < path.size(); i++) {
      if (path.isKey(i)) {
        if (!isMap(d, p, end)) {
          return NOT_A_MAP;
        }
        byte[] k = path.key(i);
        p = findKey(d, p, end, k, 0, k.length);
      } else {
        if (!isArray(d, p, end)) {
          return NOT_A_MAP;
        }
        p = element(d, p, end, path.index(i));
      }
      if (p < 0) {
        return ABSENT;
      }
    }
    return p;
  }

  /**
   * Position of the value of string key {@code key[off, off+len)} in the map at {@code p} (the last one when a
   * key repeats, as a decoded map would keep it), or {@link #ABSENT}. The map must be a map ({@link #isMap}).
   */
  public static int findKey(byte[] d, int p, int end, byte[] key, int off, int len) {
    return findKey(d, p, end, key, off, len, null);
  }

  /**
   * {@link #findKey} that also gives, in {@code mapEnd[0]}, the position just after the map: one walk over a record
   * for a step that needs both (grep on one field copies whole entries, so it needs where each record ends).
   */
  public static int findKey(byte[] d, int p, int end, byte[] key, int off, int len, int[] mapEnd) {
    int n = mapSize(d, p, end);
    int q = p + headerSize(d[p] & 0xff);
    int found = ABSENT;
    for (int i = 0; i < n; i++) {
      int b = at(d, q, end);
      int ks;
      int kl;
      if ((b & 0xe0) == 0xa0) {
        ks = q + 1;
        kl = b & 0x1f;
      } else if (b == 0xd9 || b == 0xc4) {
        ks = q + 2;
        kl = at(d, q + 1, end);
      } else if (b == 0xda || b == 0xc5) {
        ks = q + 3;
        kl = (at(d, q + 1, end) << 8) | at(d, q + 2, end);
      } else {
        ks = -1;
        kl = -1;
      }
      int v;
      if (ks >= 0) {
        v = ks + kl;
        if (v > end) {
          throw new MsgpackException("truncated: a map key runs past the end of the record", q);
        }
        if (kl == len && equal(d, ks, key, off, len)) {
          found = v;
        }
      } else {
        v = skip(d, q, end);
      }
      q = skip(d, v, end);
    }
    if (mapEnd != null) {
      mapEnd[0] = q;
    }
    return found;
  }

  private static boolean equal(byte[] a, int ao, byte[] b, int bo, int n) {
    for (int i = 0; i < n; i++) {
      if (a[ao + i] != b[bo + i]) {
        return false;
      }
    }
    return true;
  }

  /** Position of element {@code index} of the array at {@code p}, or ABSENT. */
  private static int element(byte[] d, int p, int end, int index) {
    int n = arraySize(d, p, end);
    if (index >= n) {
      return ABSENT;
    }
    int q = p + headerSize(d[p] & 0xff);
    for (int i = 0; i < index; i++) {
      q = skip(d, q, end);
    }
    return q;
  }

  private static int at(byte[] d, int p, int end) {
    if (p >= end) {
      throw new MsgpackException("truncated: the record ends inside a value", p);
    }
    return d[p] & 0xff;
  }

  public static boolean isMap(byte[] d, int p, int end) {
    int b = at(d, p, end);
    return (b & 0xf0) == 0x80 || b == 0xde || b == 0xdf;
  }

  public static boolean isArray(byte[] d, int p, int end) {
    int b = at(d, p, end);
    return (b & 0xf0) == 0x90 || b == 0xdc || b == 0xdd;
  }

  public static boolean isNil(byte[] d, int p, int end) {
    return at(d, p, end) == 0xc0;
  }

  /** True for a str (and a bin, which old msgpack peers send for strings). */
  public static boolean isString(byte[] d, int p, int end) {
    int b = at(d, p, end);
    return (b & 0xe0) == 0xa0 || (b >= 0xd9 && b <= 0xdb) || (b >= 0xc4 && b <= 0xc6);
  }

  public static boolean isInteger(byte[] d, int p, int end) {
    int b = at(d, p, end);
    return b <= 0x7f || b >= 0xe0 || (b >= 0xcc && b <= 0xd3);
  }

  public static boolean isFloat(byte[] d, int p, int end) {
    int b = at(d, p, end);
    return b == 0xca || b == 0xcb;
  }

  public static boolean isBoolean(byte[] d, int p, int end) {
    int b = at(d, p, end);
    return b == 0xc2 || b == 0xc3;
  }

  /** Number of pairs of the map at {@code p}. */
  public static int mapSize(byte[] d, int p, int end) {
    int b = at(d, p, end);
    if ((b & 0xf0) == 0x80) {
      return b & 0x0f;
    }
    if (b == 0xde) {
      return (at(d, p + 1, end) << 8) | at(d, p + 2, end);
    }
    if (b == 0xdf) {
      return len32(d, p, end);
    }
    throw new MsgpackException("expected a map", p);
  }

  /** Number of elements of the array at {@code p}. */
  public static int arraySize(byte[] d, int p, int end) {
    int b = at(d, p, end);
    if ((b & 0xf0) == 0x90) {
      return b & 0x0f;
    }
    if (b == 0xdc) {
      return (at(d, p + 1, end) << 8) | at(d, p + 2, end);
    }
    if (b == 0xdd) {
      return len32(d, p, end);
    }
    throw new MsgpackException("expected an array", p);
  }

  private static int len32(byte[] d, int p, int end) {
    long n = ((long) at(d, p + 1, end) << 24) | (at(d, p + 2, end) << 16) | (at(d, p + 3, end) << 8) | at(d, p + 4, end);
    if (n > end - p) {
      throw new MsgpackException("truncated: a container claims " + n + " elements", p);
    }
    return (int) n;
  }

  /** Bytes of the header of a map or array with type byte {@code b}. */
  public static int headerSize(int b) {
    if ((b & 0xe0) == 0x80) {
      return 1;
    }
    return b == 0xdc || b == 0xde ? 3 : 5;
  }

  /** Length in bytes of the string (or bin) at {@code p}, its bytes starting at {@link #stringStart}. */
  public static int stringLength(byte[] d, int p, int end) {
    int b = at(d, p, end);
    int n;
    int h;
    if ((b & 0xe0) == 0xa0) {
      n = b & 0x1f;
      h = 1;
    } else if (b == 0xd9 || b == 0xc4) {
      n = at(d, p + 1, end);
      h = 2;
    } else if (b == 0xda || b == 0xc5) {
      n = (at(d, p + 1, end) << 8) | at(d, p + 2, end);
      h = 3;
    } else if (b == 0xdb || b == 0xc6) {
      n = len32(d, p, end);
      h = 5;
    } else {
      throw new MsgpackException("expected a string", p);
    }
    if (p + h + n > end) {
      throw new MsgpackException("truncated: a string runs past the end of the record", p);
    }
    return n;
  }

  /** Index of the first byte of the string at {@code p}. */
  public static int stringStart(byte[] d, int p) {
    int b = d[p] & 0xff;
    if ((b & 0xe0) == 0xa0) {
      return p + 1;
    }
    return switch (b) {
      case 0xd9, 0xc4 -> p + 2;
      case 0xda, 0xc5 -> p + 3;
      default -> p + 5;
    };
  }

  /** The string at {@code p} decoded (invalid UTF-8 becomes replacement characters). */
  public static String string(byte[] d, int p, int end) {
    int n = stringLength(d, p, end);
    return new String(d, stringStart(d, p), n, StandardCharsets.UTF_8);
  }

  /** The integer at {@code p} (a uint64 above Long.MAX_VALUE wraps: use {@link #javaValue} for those). */
  public static long longValue(byte[] d, int p, int end) {
    int b = at(d, p, end);
    if (b <= 0x7f) {
      return b;
    }
    if (b >= 0xe0) {
      return (byte) b;
    }
    need(d, p, end, MsgpackHeaders.fixedSize(b));
    return switch (b) {
      case 0xcc -> d[p + 1] & 0xff;
      case 0xcd -> ((d[p + 1] & 0xff) << 8) | (d[p + 2] & 0xff);
      case 0xce -> u32(d, p + 1);
      case 0xcf, 0xd3 -> (u32(d, p + 1) << 32) | u32(d, p + 5);
      case 0xd0 -> d[p + 1];
      case 0xd1 -> (short) (((d[p + 1] & 0xff) << 8) | (d[p + 2] & 0xff));
      case 0xd2 -> (int) u32(d, p + 1);
      default -> throw new MsgpackException("expected an integer", p);
    };
  }

  /** A float or an integer at {@code p} as a double. */
  public static double doubleValue(byte[] d, int p, int end) {
    int b = at(d, p, end);
    if (b == 0xca) {
      need(d, p, end, 5);
      return Float.intBitsToFloat((int) u32(d, p + 1));
    }
    if (b == 0xcb) {
      need(d, p, end, 9);
      return Double.longBitsToDouble((u32(d, p + 1) << 32) | u32(d, p + 5));
    }
    if (b == 0xcf) {
      long v = longValue(d, p, end);
      return v >= 0 ? v : (double) ((v >>> 1) | (v & 1)) * 2.0;
    }
    return longValue(d, p, end);
  }

  private static void need(byte[] d, int p, int end, int n) {
    if (p + n > end) {
      throw new MsgpackException("truncated: a value runs past the end of the record", p);
    }
  }

  private static long u32(byte[] d, int p) {
    return ((d[p] & 0xffL) << 24) | ((d[p + 1] & 0xff) << 16) | ((d[p + 2] & 0xff) << 8) | (d[p + 3] & 0xff);
  }

  /** The value at {@code p} as a Java object, as {@link MsgpackReader#readValue} decodes it. */
  public static Object javaValue(byte[] d, int p, int end) {
    MsgpackReader in = new MsgpackReader(d, p, end - p);
    return in.readValue();
  }

  /** Position just after the value at {@code p}; iterative, so any nesting is fine. */
  public static int skip(byte[] d, int p, int end) {
    long pending = 1;
    while (pending > 0) {
      if (p >= end) {
        throw new MsgpackException("truncated: " + pending + " more values expected before the end of the record", p);
      }
      int b = d[p] & 0xff;
      pending--;
      if (b <= 0x7f || b >= 0xe0) {
        p++;
        continue;
      }
      if (b <= 0x8f) {
        pending += 2L * (b & 0x0f);
        p++;
        continue;
      }
      if (b <= 0x9f) {
        pending += b & 0x0f;
        p++;
        continue;
      }
      if (b <= 0xbf) {
        p += 1 + (b & 0x1f);
        continue;
      }
      long size;
      switch (b) {
        case 0xc0, 0xc2, 0xc3 -> size = 1;
        case 0xc4, 0xd9 -> size = 2 + at(d, p + 1, end);
        case 0xc5, 0xda -> size = 3 + ((at(d, p + 1, end) << 8) | at(d, p + 2, end));
        case 0xc6, 0xdb -> size = 5 + u32checked(d, p, end);
        case 0xc7 -> size = 3 + at(d, p + 1, end);
        case 0xc8 -> size = 4 + ((at(d, p + 1, end) << 8) | at(d, p + 2, end));
        case 0xc9 -> size = 6 + u32checked(d, p, end);
        case 0xdc -> {
          pending += (at(d, p + 1, end) << 8) | at(d, p + 2, end);
          size = 3;
        }
        case 0xdd -> {
          pending += u32checked(d, p, end);
          size = 5;
        }
        case 0xde -> {
          pending += 2L * ((at(d, p + 1, end) << 8) | at(d, p + 2, end));
          size = 3;
        }
        case 0xdf -> {
          pending += 2 * u32checked(d, p, end);
          size = 5;
        }
        case 0xc1 -> throw new MsgpackException("never-used type byte 0xc1", p);
        default -> size = MsgpackHeaders.fixedSize(b);
      }
      if (size > end - p) {
        throw new MsgpackException("truncated: a value of " + size + " bytes with " + (end - p) + " left", p);
      }
      p += (int) size;
      if (pending > end - p) {
        throw new MsgpackException("truncated: " + pending + " values claimed with " + (end - p) + " bytes left", p);
      }
    }
    return p;
  }

  private static long u32checked(byte[] d, int p, int end) {
    need(d, p, end, 5);
    return u32(d, p + 1);
  }

  /**
   * Appends the value at {@code p} as text to {@code out}: a string's bytes as they are, numbers in decimal,
   * {@code true}/{@code false}, nil as nothing, maps and lists as JSON. What templates and regexes see.
   */
  public static void appendText(byte[] d, int p, int end, TextBuffer out) {
    int b = at(d, p, end);
    if (isString(d, p, end)) {
      out.append(d, stringStart(d, p), stringLength(d, p, end));
    } else if (b == 0xc0) {
      return;
    } else if (isInteger(d, p, end)) {
      if (b == 0xcf && longValue(d, p, end) < 0) {
        out.append(String.valueOf(javaValue(d, p, end)));
      } else {
        out.json.number(longValue(d, p, end));
      }
    } else if (isFloat(d, p, end)) {
      out.json.number(doubleValue(d, p, end));
    } else if (b == 0xc2 || b == 0xc3) {
      out.append(b == 0xc3 ? "true" : "false");
    } else {
      try {
        MsgpackJson.value(d, p, end, out.json);
      } catch (IOException e) {
        throw new MsgpackException(e.getMessage(), p);
      }
    }
  }
}
