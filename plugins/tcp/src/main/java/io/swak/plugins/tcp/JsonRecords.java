package io.swak.plugins.tcp;

import io.swak.api.MsgpackHeaders;
import io.swak.support.Swar;
import java.math.BigInteger;
import java.nio.charset.StandardCharsets;

/**
 * One JSON object per line → one entry, transcoded from the bytes straight into msgpack (no tree, no
 * String per field): the per-line path of in.Tcp and in.Udp, which must keep up with a million lines a
 * second on one network thread. Strings are copied as they are unless they hold escapes; numbers become
 * the shortest msgpack integer (float64 for fractions and exponents); Python's {@code NaN} and
 * {@code Infinity} are read too. The time key ({@code @timestamp}) becomes the event time and leaves the
 * record (unless kept). A line that is not one JSON object — bad syntax, another kind of value, nested
 * deeper than {@link #MAX_DEPTH} — is kept whole as {@code {"message": line}} and counted.
 */
final class JsonRecords {

  static final int MAX_DEPTH = 500;

  private static final long QUOTES = Swar.every('"');
  private static final long BACKSLASHES = Swar.every('\\');

  private final byte[] timeKey;
  private final boolean keepTime;
  private final byte[] messageKey;
  /** The key of the sender's address added to each record, or null. */
  private final byte[] sourceKey;

  private byte[] out;
  private int len;
  private boolean failed;
  private long foundTime;

  /** Lines that were not one JSON object (kept as messages). */
  long invalid;
  /** Time fields that were not a time (kept in the record, receive time used). */
  long badTimes;

  JsonRecords(String timeKey, boolean keepTime, String messageKey, String sourceKey) {
    this.timeKey = timeKey == null || timeKey.isEmpty() ? null : timeKey.getBytes(StandardCharsets.UTF_8);
    this.keepTime = keepTime;
    this.messageKey = messageKey.getBytes(StandardCharsets.UTF_8);
    this.sourceKey = sourceKey == null || sourceKey.isEmpty() ? null : sourceKey.getBytes(StandardCharsets.UTF_8);
  }

  /**
   * Appends the entry of the line {@code b[off, end)} to {@code into}, timed {@code now} unless the record
   * says when; {@code source} is the sender's address (UTF-8) when a source key is set.
   */
  void line(byte[] b, int off, int end, long now, byte[] source, EntryBuffer into) {
    int start = into.len;
    int timeAt = into.entryHead(now);
    out = into.buf;
    len = into.len;
    failed = false;
    foundTime = Rfc3339.INVALID;
    int p = ws(b, off, end);
    if (p < end && b[p] == '{') {
      p = object(b, p, end, 1, source);
      if (!failed && ws(b, p, end) != end) {
        failed = true;
      }
    } else {
      failed = true;
    }
    into.buf = out;
    if (failed) {
      invalid++;
      into.len = start;
      message(b, off, end, now, source, into);
      return;
    }
    into.len = len;
    into.count++;
    if (foundTime != Rfc3339.INVALID) {
      into.patchTime(timeAt, foundTime);
    }
  }

  /** {@code {"message": line}} (and the source), for lines that are not JSON and for format lines. */
  void message(byte[] b, int off, int end, long now, byte[] source, EntryBuffer into) {
    into.entryHead(now);
    boolean withSource = source != null && sourceKey != null;
    into.raw((byte) (withSource ? 0x82 : 0x81));
    into.str(messageKey, 0, messageKey.length);
    into.str(b, off, end - off);
    if (withSource) {
      into.str(sourceKey, 0, sourceKey.length);
      into.str(source, 0, source.length);
    }
    into.count++;
  }

  private void ensure(int more) {
    if (len + more > out.length) {
      out = java.util.Arrays.copyOf(out, Math.max(out.length * 2, len + more));
    }
  }

  private static int ws(byte[] b, int p, int end) {
    while (p < end) {
      byte c = b[p];
      if (c != ' ' && c != '\t' && c != '\r' && c != '\n') {
        break;
      }
      p++;
    }
    return p;
  }

  /** The value at {@code p} (not whitespace); returns the position after it, or sets {@link #failed}. */
  private int value(byte[] b, int p, int end, int depth) {
    if (p >= end) {
      failed = true;
      return p;
    }
    byte c = b[p];
    switch (c) {
      case '"':
        return string(b, p, end);
      case '{':
        return object(b, p, end, depth + 1, null);
      case '[':
        return array(b, p, end, depth + 1);
      case 't':
        return literal(b, p, end, "true", (byte) 0xc3);
      case 'f':
        return literal(b, p, end, "false", (byte) 0xc2);
      case 'n':
        return literal(b, p, end, "null", (byte) 0xc0);
      case 'N':
        return special(b, p, end, "NaN", Double.NaN);
      case 'I':
        return special(b, p, end, "Infinity", Double.POSITIVE_INFINITY);
      default:
        if (c == '-' && p + 1 < end && b[p + 1] == 'I') {
          return special(b, p, end, "-Infinity", Double.NEGATIVE_INFINITY);
        }
        if (c == '-' || (c >= '0' && c <= '9')) {
          return number(b, p, end);
        }
        failed = true;
        return p;
    }
  }

  private int literal(byte[] b, int p, int end, String word, byte code) {
    if (!matches(b, p, end, word)) {
      failed = true;
      return p;
    }
    ensure(1);
    out[len++] = code;
    return p + word.length();
  }

  private int special(byte[] b, int p, int end, String word, double v) {
    if (!matches(b, p, end, word)) {
      failed = true;
      return p;
    }
    ensure(9);
    len = MsgpackHeaders.float64(out, len, v);
    return p + word.length();
  }

  private static boolean matches(byte[] b, int p, int end, String word) {
    if (end - p < word.length()) {
      return false;
    }
    for (int i = 0; i < word.length(); i++) {
      if (b[p + i] != word.charAt(i)) {
        return false;
      }
    }
    return true;
  }

  /**
   * An object. Its header is written as a fixmap (most records have fewer than 16 fields) and widened
   * when it turns out to have more, which moves its content once.
   */
  private int object(byte[] b, int p, int end, int depth, byte[] source) {
    if (depth > MAX_DEPTH) {
      failed = true;
      return p;
    }
    boolean top = source != null || depth == 1;
    ensure(1);
    int header = len++;
    int n = 0;
    p = ws(b, p + 1, end);
    if (p < end && b[p] == '}') {
      p++;
    } else {
      while (true) {
        if (p >= end || b[p] != '"') {
          failed = true;
          return p;
        }
        int keyAt = len;
        p = string(b, p, end);
        if (failed) {
          return p;
        }
        p = ws(b, p, end);
        if (p >= end || b[p] != ':') {
          failed = true;
          return p;
        }
        p = ws(b, p + 1, end);
        int valueAt = len;
        p = value(b, p, end, depth);
        if (failed) {
          return p;
        }
        n++;
        if (top && timeKey != null && foundTime == Rfc3339.INVALID && isTimeKey(keyAt, valueAt)) {
          long t = time(valueAt);
          if (t == Rfc3339.INVALID) {
            badTimes++;
          } else {
            foundTime = t;
            if (!keepTime) {
              len = keyAt;
              n--;
            }
          }
        }
        p = ws(b, p, end);
        if (p < end && b[p] == ',') {
          p = ws(b, p + 1, end);
        } else if (p < end && b[p] == '}') {
          p++;
          break;
        } else {
          failed = true;
          return p;
        }
      }
    }
    if (top && source != null && sourceKey != null) {
      ensure(10 + sourceKey.length + source.length);
      len = MsgpackHeaders.str(out, len, sourceKey);
      len = MsgpackHeaders.str(out, len, source);
      n++;
    }
    finish(header, n, 0x80, 0xde);
    return p;
  }

  private int array(byte[] b, int p, int end, int depth) {
    if (depth > MAX_DEPTH) {
      failed = true;
      return p;
    }
    ensure(1);
    int header = len++;
    int n = 0;
    p = ws(b, p + 1, end);
    if (p < end && b[p] == ']') {
      p++;
    } else {
      while (true) {
        p = value(b, p, end, depth);
        if (failed) {
          return p;
        }
        n++;
        p = ws(b, p, end);
        if (p < end && b[p] == ',') {
          p = ws(b, p + 1, end);
        } else if (p < end && b[p] == ']') {
          p++;
          break;
        } else {
          failed = true;
          return p;
        }
      }
    }
    finish(header, n, 0x90, 0xdc);
    return p;
  }

  /** Writes the header of a map or array of {@code n} at {@code header}, widening it past 15. */
  private void finish(int header, int n, int fix, int type16) {
    if (n < 16) {
      out[header] = (byte) (fix | n);
      return;
    }
    int extra = n < 65536 ? 2 : 4;
    ensure(extra);
    System.arraycopy(out, header + 1, out, header + 1 + extra, len - header - 1);
    len += extra;
    if (extra == 2) {
      out[header] = (byte) type16;
      out[header + 1] = (byte) (n >>> 8);
      out[header + 2] = (byte) n;
    } else {
      out[header] = (byte) (type16 + 1);
      out[header + 1] = (byte) (n >>> 24);
      out[header + 2] = (byte) (n >>> 16);
      out[header + 3] = (byte) (n >>> 8);
      out[header + 4] = (byte) n;
    }
  }

  private boolean isTimeKey(int keyAt, int valueAt) {
    int k = timeKey.length;
    int head = k < 32 ? 1 : k < 256 ? 2 : 3;
    return valueAt - keyAt == head + k
        && java.util.Arrays.equals(out, keyAt + head, valueAt, timeKey, 0, k);
  }

  /** The time the value at {@code at} says: an RFC 3339 string, or a number of seconds since the epoch. */
  private long time(int at) {
    int t = out[at] & 0xff;
    int start;
    int n;
    if (t >= 0xa0 && t <= 0xbf) {
      start = at + 1;
      n = t & 0x1f;
    } else if (t == 0xd9) {
      start = at + 2;
      n = out[at + 1] & 0xff;
    } else if (t == 0xcb) {
      double d = Double.longBitsToDouble(be64(out, at + 1));
      return Double.isFinite(d) && Math.abs(d) < 9.2e9 ? Math.round(d * 1e9) : Rfc3339.INVALID;
    } else if (t <= 0x7f || t == 0xcc || t == 0xcd || t == 0xce || t == 0xcf && out[at + 1] >= 0) {
      long v = t <= 0x7f ? t : t == 0xcc ? out[at + 1] & 0xff : t == 0xcd ? be16(out, at + 1)
          : t == 0xce ? be32(out, at + 1) : be64(out, at + 1);
      return v < 9_200_000_000L ? v * 1_000_000_000L : Rfc3339.INVALID;
    } else {
      return Rfc3339.INVALID;
    }
    return Rfc3339.parse(out, start, n);
  }

  /** A JSON string at {@code p} (its opening quote) as a msgpack str; returns the position after it. */
  private int string(byte[] b, int p, int end) {
    int start = p + 1;
    int q = quoteOrBackslash(b, start, end);
    if (q >= end) {
      failed = true;
      return end;
    }
    if (b[q] == '"') {
      int n = q - start;
      ensure(5 + n);
      len = MsgpackHeaders.str(out, len, n);
      System.arraycopy(b, start, out, len, n);
      len += n;
      return q + 1;
    }
    return escaped(b, start, q, end);
  }

  /** A string with escapes: {@code b[start, q)} is plain, {@code b[q]} the first backslash. */
  private int escaped(byte[] b, int start, int q, int end) {
    // the raw length bounds the decoded one (an escape never decodes to more bytes than it takes)
    int close = q;
    while (close < end && b[close] != '"') {
      close = quoteOrBackslash(b, close + 2, end); // b[close] is a backslash: skip it and the byte it escapes
    }
    if (close >= end) {
      failed = true;
      return end;
    }
    int raw = close - start;
    ensure(5 + raw);
    int header = len;
    int headerSize = raw < 32 ? 1 : raw < 256 ? 2 : raw < 65536 ? 3 : 5;
    int o = len + headerSize;
    System.arraycopy(b, start, out, o, q - start);
    o += q - start;
    int i = q;
    while (i < close) {
      if (b[i] != '\\') { // a plain run up to the next backslash (no quote is left before close)
        int next = quoteOrBackslash(b, i, close);
        System.arraycopy(b, i, out, o, next - i);
        o += next - i;
        i = next;
        continue;
      }
      byte e = b[i + 1];
      i += 2;
      switch (e) {
        case '"', '\\', '/' -> out[o++] = e;
        case 'n' -> out[o++] = '\n';
        case 't' -> out[o++] = '\t';
        case 'r' -> out[o++] = '\r';
        case 'b' -> out[o++] = '\b';
        case 'f' -> out[o++] = '\f';
        case 'u' -> {
          int u = hex4(b, i, close);
          if (u < 0) {
            failed = true;
            return close;
          }
          i += 4;
          if (u >= 0xD800 && u <= 0xDBFF && i + 6 <= close && b[i] == '\\' && b[i + 1] == 'u') {
            int lo = hex4(b, i + 2, close);
            if (lo >= 0xDC00 && lo <= 0xDFFF) {
              u = 0x10000 + ((u - 0xD800) << 10) + (lo - 0xDC00);
              i += 6;
            }
          }
          if (u >= 0xD800 && u <= 0xDFFF) {
            u = 0xFFFD; // a lone surrogate has no UTF-8: the replacement character, as Java's encoder writes
          }
          o = utf8(out, o, u);
        }
        default -> {
          failed = true;
          return close;
        }
      }
    }
    int n = o - header - headerSize;
    int need = n < 32 ? 1 : n < 256 ? 2 : n < 65536 ? 3 : 5;
    if (need < headerSize) {
      System.arraycopy(out, header + headerSize, out, header + need, n);
    }
    MsgpackHeaders.str(out, header, n);
    len = header + need + n;
    return close + 1;
  }

  /** The first quote or backslash in {@code b[p, end)}, eight bytes at a time; {@code end} if there is none. */
  private static int quoteOrBackslash(byte[] b, int p, int end) {
    while (p + 8 <= end) {
      long x = Swar.word(b, p);
      long marks = Swar.zeroBytes(x ^ QUOTES) | Swar.zeroBytes(x ^ BACKSLASHES);
      if (marks != 0) {
        return p + Swar.first(marks);
      }
      p += 8;
    }
    while (p < end && b[p] != '"' && b[p] != '\\') {
      p++;
    }
    return Math.min(p, end);
  }

  private static int hex4(byte[] b, int p, int end) {
    if (p + 4 > end) {
      return -1;
    }
    int v = 0;
    for (int i = 0; i < 4; i++) {
      int c = b[p + i];
      int d = c >= '0' && c <= '9' ? c - '0' : c >= 'a' && c <= 'f' ? c - 'a' + 10 : c >= 'A' && c <= 'F' ? c - 'A' + 10 : -1;
      if (d < 0) {
        return -1;
      }
      v = v << 4 | d;
    }
    return v;
  }

  private static int utf8(byte[] o, int p, int u) {
    if (u < 0x80) {
      o[p++] = (byte) u;
    } else if (u < 0x800) {
      o[p++] = (byte) (0xC0 | u >> 6);
      o[p++] = (byte) (0x80 | u & 0x3F);
    } else if (u < 0x10000) {
      o[p++] = (byte) (0xE0 | u >> 12);
      o[p++] = (byte) (0x80 | u >> 6 & 0x3F);
      o[p++] = (byte) (0x80 | u & 0x3F);
    } else {
      o[p++] = (byte) (0xF0 | u >> 18);
      o[p++] = (byte) (0x80 | u >> 12 & 0x3F);
      o[p++] = (byte) (0x80 | u >> 6 & 0x3F);
      o[p++] = (byte) (0x80 | u & 0x3F);
    }
    return p;
  }

  /** A JSON number (RFC 8259 grammar): the shortest integer, uint64, or float64. */
  private int number(byte[] b, int p, int end) {
    int start = p;
    boolean negative = b[p] == '-';
    if (negative) {
      p++;
    }
    if (p >= end || b[p] < '0' || b[p] > '9') {
      failed = true;
      return p;
    }
    long v = 0;
    int digits = 0;
    if (b[p] == '0') {
      p++;
      digits = 1;
    } else {
      while (p < end && b[p] >= '0' && b[p] <= '9') {
        if (digits < 18) {
          v = v * 10 + (b[p] - '0');
        }
        digits++;
        p++;
      }
    }
    boolean fraction = false;
    if (p < end && b[p] == '.') {
      fraction = true;
      p++;
      int f = p;
      while (p < end && b[p] >= '0' && b[p] <= '9') {
        p++;
      }
      if (p == f) {
        failed = true;
        return p;
      }
    }
    if (p < end && (b[p] == 'e' || b[p] == 'E')) {
      fraction = true;
      p++;
      if (p < end && (b[p] == '+' || b[p] == '-')) {
        p++;
      }
      int f = p;
      while (p < end && b[p] >= '0' && b[p] <= '9') {
        p++;
      }
      if (p == f) {
        failed = true;
        return p;
      }
    }
    ensure(9);
    if (fraction) {
      len = MsgpackHeaders.float64(out, len, Double.parseDouble(new String(b, start, p - start,
          StandardCharsets.ISO_8859_1)));
    } else if (digits <= 18) {
      len = MsgpackHeaders.integer(out, len, negative ? -v : v);
    } else {
      BigInteger big = new BigInteger(new String(b, start, p - start, StandardCharsets.ISO_8859_1));
      if (big.bitLength() <= 63) {
        len = MsgpackHeaders.integer(out, len, big.longValue());
      } else if (big.signum() > 0 && big.bitLength() == 64) {
        len = MsgpackHeaders.uint64(out, len, big.longValue());
      } else {
        len = MsgpackHeaders.float64(out, len, big.doubleValue());
      }
    }
    return p;
  }

  private static int be16(byte[] b, int p) {
    return (b[p] & 0xff) << 8 | b[p + 1] & 0xff;
  }

  private static long be32(byte[] b, int p) {
    return (b[p] & 0xffL) << 24 | (b[p + 1] & 0xff) << 16 | (b[p + 2] & 0xff) << 8 | b[p + 3] & 0xff;
  }

  private static long be64(byte[] b, int p) {
    return be32(b, p) << 32 | be32(b, p + 4);
  }
}
