package io.swak.core.format;

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
final class JsonBytes {

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

  /** A JSON string from UTF-8 bytes: quotes around, escapes inside; other bytes copied unchanged. */
  void string(byte[] b, int off, int n) {
    ensure(6 * n + 2); // the worst case, so the loop below needs no checks; locals keep it in registers
    byte[] o = buf;
    int p = len;
    o[p++] = '"';
    for (int i = off, end = off + n; i < end; i++) {
      byte c = b[i];
      if (c < 0) {
        o[p++] = c; // a byte of a multi-byte UTF-8 character
        continue;
      }
      switch (ESCAPE[c]) {
        case 0 -> o[p++] = c;
        case 1 -> {
          o[p++] = '\\';
          o[p++] = SHORT[c];
        }
        default -> {
          o[p++] = '\\';
          o[p++] = 'u';
          o[p++] = '0';
          o[p++] = '0';
          o[p++] = HEX[c >> 4];
          o[p++] = HEX[c & 0xf];
        }
      }
    }
    o[p++] = '"';
    len = p;
  }

  void string(String s) {
    byte[] b = s.getBytes(StandardCharsets.UTF_8);
    string(b, 0, b.length);
  }

  void number(long v) {
    ascii(Long.toString(v));
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
