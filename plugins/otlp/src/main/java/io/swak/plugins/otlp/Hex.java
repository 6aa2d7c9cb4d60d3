package io.swak.plugins.otlp;

import com.google.protobuf.ByteString;

/** Trace and span ids: bytes in protobuf, lowercase hex in Swak records and OTLP/JSON. */
final class Hex {

  private static final byte[] DIGITS = "0123456789abcdef".getBytes(java.nio.charset.StandardCharsets.US_ASCII);

  private Hex() { }

  /** Writes {@code id} as a msgpack str of hex digits. */
  static void write(ByteString id, MsgpackOut out) {
    int n = id.size();
    out.ensure(5 + 2 * n);
    int p = io.swak.api.MsgpackHeaders.str(out.buf, out.len, 2 * n);
    byte[] b = out.buf;
    for (int i = 0; i < n; i++) {
      int v = id.byteAt(i) & 0xff;
      b[p++] = DIGITS[v >>> 4];
      b[p++] = DIGITS[v & 15];
    }
    out.len = p;
  }

  static String text(ByteString id) {
    StringBuilder s = new StringBuilder(2 * id.size());
    for (int i = 0; i < id.size(); i++) {
      int v = id.byteAt(i) & 0xff;
      s.append((char) DIGITS[v >>> 4]).append((char) DIGITS[v & 15]);
    }
    return s.toString();
  }

  /** The bytes of an even number of hex digits (either case), or null when {@code s} is not that. */
  static ByteString parse(String s) {
    int n = s.length();
    if (n % 2 != 0) {
      return null;
    }
    byte[] out = new byte[n / 2];
    for (int i = 0; i < n; i += 2) {
      int hi = Character.digit(s.charAt(i), 16);
      int lo = Character.digit(s.charAt(i + 1), 16);
      if (hi < 0 || lo < 0) {
        return null;
      }
      out[i / 2] = (byte) (hi << 4 | lo);
    }
    return ByteString.copyFrom(out);
  }
}
