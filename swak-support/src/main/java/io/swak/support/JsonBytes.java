package io.swak.support;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.util.Base64;

/**
 * A growable byte buffer that writes JSON tokens as UTF-8. It exists because the line encoders are a
 * hot path: JMH (EntryPackingBench.encodeJsonLines) showed Jackson's generator spending most of its
 * time in its escaping and raw-write paths for log lines full of quotes. Strings arrive as UTF-8 bytes
 * from msgpack and are copied with only the escapes JSON requires.
 */
public final class JsonBytes {

  private static final byte[] HEX = "0123456789abcdef".getBytes(StandardCharsets.US_ASCII);
  /** 0: copy as is; 1: two-character escape ({@link #SHORT}); 2: {@code \}{@code u00XX}. */
  private static final byte[] ESCAPE = new byte[128];
  private static final byte[] SHORT = new byte[128];

  static {
    for (int c = 0; c < 0x20; c++) {
      ESCAPE[c] = 2;
    }
    short2('"', '"');
    short2('\\', '\\');
    short2('\n', 'n');
    short2('\r', 'r');
    short2('\t', 't');
    short2('\b', 'b');
    short2('\f', 'f');
  }

  private static void short2(char c, char e) {
    ESCAPE[c] = 1;
    SHORT[c] = (byte) e;
  }

  byte[] buf = new byte[1 << 16];
  int len;

  void ensure(int more) {
    if (len + more > buf.length) {
      buf = java.util.Arrays.copyOf(buf, Math.max(buf.length * 2, len + more));
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

  /** ASCII text written as is (times, numbers). */
  void ascii(String s) {
    int n = s.length();
    ensure(n);
    for (int i = 0; i < n; i++) {
      buf[len++] = (byte) s.charAt(i);
    }
  }

  /**
   * A JSON string from UTF-8 bytes: quotes around, escapes inside; other bytes copied unchanged. Eight
   * bytes at a time ({@link Swar}): each word is copied, then checked for a byte JSON must escape (a
   * control character, {@code "} or {@code \\}); the output position moves past the plain bytes only.
   * Log lines are mostly plain text, and a byte-by-byte loop cost ~2.7 ns a byte (JMH
   * EntryPackingBench.encodeJsonLines). Bytes of 0x80 and above (UTF-8) are never marked.
   */
  void string(byte[] b, int off, int n) {
    ensure(6 * n + 10); // the worst case plus one word, so nothing below needs checks
    len = string(b, off, n, buf, len);
  }

  /**
   * Writes the JSON string of {@code b[off, off+n)} into {@code o} at {@code p} and returns the position after
   * it (see {@link #string(byte[], int, int)}); {@code o} must have room for {@code 6 * n + 10} bytes from
   * {@code p}. For plugins that write JSON into buffers of their own (out.Elasticsearch, out.Tcp).
   */
  public static int string(byte[] b, int off, int n, byte[] o, int p) {
    o[p++] = '"';
    int end = off + n;
    int i = off;
    while (i + 8 <= end) {
      long x = Swar.word(b, i);
      Swar.put(o, p, x);
      long marks = Swar.below(x, 0x20) | Swar.zeroBytes(x ^ QUOTES) | Swar.zeroBytes(x ^ BACKSLASHES);
      if (marks == 0) {
        i += 8;
        p += 8;
      } else {
        int k = Swar.first(marks);
        i += k;
        p = escape(o, p + k, b[i++]);
      }
    }
    for (; i < end; i++) {
      byte c = b[i];
      if (c >= 0 && ESCAPE[c] != 0) {
        p = escape(o, p, c);
      } else {
        o[p++] = c;
      }
    }
    o[p++] = '"';
    return p;
  }

  private static int escape(byte[] o, int p, byte c) {
    o[p++] = '\\';
    if (ESCAPE[c] == 1) {
      o[p++] = SHORT[c];
    } else {
      o[p++] = 'u';
      o[p++] = '0';
      o[p++] = '0';
      o[p++] = HEX[c >> 4];
      o[p++] = HEX[c & 0xf];
    }
    return p;
  }

  private static final long QUOTES = Swar.every('"');
  private static final long BACKSLASHES = Swar.every('\\');

  void string(String s) {
    byte[] b = s.getBytes(StandardCharsets.UTF_8);
    string(b, 0, b.length);
  }

  /** Digits written in place: no String per number. */
  void number(long v) {
    ensure(20);
    len = number(v, buf, len);
  }

  private static final byte[] MIN_LONG = Long.toString(Long.MIN_VALUE).getBytes(StandardCharsets.US_ASCII);

  /** The decimal digits of {@code v} into {@code o} at {@code p}, which has room for 20 bytes; the end. */
  public static int number(long v, byte[] o, int p) {
    if (v == Long.MIN_VALUE) {
      System.arraycopy(MIN_LONG, 0, o, p, MIN_LONG.length);
      return p + MIN_LONG.length;
    }
    if (v < 0) {
      o[p++] = '-';
      v = -v;
    }
    int digits = 1;
    for (long t = v; t >= 10; t /= 10) {
      digits++;
    }
    for (int i = p + digits - 1; i >= p; i--) {
      o[i] = (byte) ('0' + v % 10);
      v /= 10;
    }
    return p + digits;
  }

  /** Like Jackson's default: finite doubles as numbers, NaN and infinities as strings. */
  void number(double v) {
    if (Double.isNaN(v) || Double.isInfinite(v)) {
      string(Double.toString(v));
    } else {
      ascii(Double.toString(v));
    }
  }

  void binary(byte[] b) {
    raw((byte) '"');
    raw(Base64.getEncoder().encode(b));
    raw((byte) '"');
  }

  void flushTo(OutputStream out) throws IOException {
    out.write(buf, 0, len);
    len = 0;
  }
}
