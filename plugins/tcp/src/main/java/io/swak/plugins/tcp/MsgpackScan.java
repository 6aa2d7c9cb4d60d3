package io.swak.plugins.tcp;

import io.swak.api.MsgpackHeaders;

/**
 * Finds where a msgpack value ends in bytes that may stop in the middle of it (a stream read in pieces),
 * without decoding it. A value that is not complete yet tells how far the bytes must reach before it is
 * worth looking again (exact inside a string or binary, so a 16 MiB message is scanned twice, not once per
 * read). Bytes that can never be msgpack (0xc1), nesting deeper than {@link #MAX_DEPTH} and a length past
 * the caller's limit are errors: the stream cannot be followed after them.
 */
final class MsgpackScan {

  static final int MAX_DEPTH = 500;

  /** The bytes end before the value does; {@link #need} is the end position worth waiting for. */
  static final class Incomplete extends Exception {
    private static final long serialVersionUID = 1L;
    long need;

    Incomplete() {
      super(null, null, false, false);
    }
  }

  /** A value that can never be read. */
  static final class Malformed extends Exception {
    private static final long serialVersionUID = 1L;

    Malformed(String message) {
      super(message, null, false, false);
    }
  }

  private final Incomplete incomplete = new Incomplete();
  private int end;

  /**
   * The position after the value at {@code p}, the bytes ending at {@code end}.
   *
   * @throws Incomplete when the value does not end before {@code end}
   * @throws Malformed when the bytes are not msgpack
   */
  int valueEnd(byte[] b, int p, int end) throws Incomplete, Malformed {
    this.end = end;
    return skip(b, p, 0);
  }

  private Incomplete need(long position) {
    incomplete.need = position;
    return incomplete;
  }

  private int skip(byte[] b, int p, int depth) throws Incomplete, Malformed {
    if (p >= end) {
      throw need(p + 1L);
    }
    int t = b[p] & 0xff;
    if (t <= 0x7f || t >= 0xe0 || t == 0xc0 || t == 0xc2 || t == 0xc3) {
      return p + 1;
    }
    if (t >= 0xa0 && t <= 0xbf) {
      return bytes(p + 1, t & 0x1f);
    }
    if (t <= 0x8f) {
      return many(b, p + 1, 2L * (t & 0x0f), depth);
    }
    if (t <= 0x9f) {
      return many(b, p + 1, t & 0x0f, depth);
    }
    if (t >= 0xca && t <= 0xd8) {
      return bytes(p, MsgpackHeaders.fixedSize(t));
    }
    return switch (t) {
      case 0xc4, 0xd9 -> bytes(p + 2, length(b, p + 1, 1));
      case 0xc5, 0xda -> bytes(p + 3, length(b, p + 1, 2));
      case 0xc6, 0xdb -> bytes(p + 5, length(b, p + 1, 4));
      case 0xc7 -> bytes(p + 3, length(b, p + 1, 1));
      case 0xc8 -> bytes(p + 4, length(b, p + 1, 2));
      case 0xc9 -> bytes(p + 6, length(b, p + 1, 4));
      case 0xdc -> many(b, p + 3, length(b, p + 1, 2), depth);
      case 0xdd -> many(b, p + 5, length(b, p + 1, 4), depth);
      case 0xde -> many(b, p + 3, 2L * length(b, p + 1, 2), depth);
      case 0xdf -> many(b, p + 5, 2L * length(b, p + 1, 4), depth);
      default -> throw new Malformed("byte 0x" + Integer.toHexString(t) + " is not msgpack");
    };
  }

  private long length(byte[] b, int p, int n) throws Incomplete {
    if (p + n > end) {
      throw need((long) p + n);
    }
    long v = 0;
    for (int i = 0; i < n; i++) {
      v = v << 8 | (b[p + i] & 0xff);
    }
    return v;
  }

  private int bytes(int p, long n) throws Incomplete {
    long e = p + n;
    if (e > end) {
      throw need(e);
    }
    return (int) e;
  }

  private int many(byte[] b, int p, long n, int depth) throws Incomplete, Malformed {
    if (depth >= MAX_DEPTH) {
      throw new Malformed("values nested more than " + MAX_DEPTH + " deep");
    }
    if (p + n > end) {
      throw need(p + n); // every element takes at least a byte: a lying count is seen at once
    }
    for (long i = 0; i < n; i++) {
      p = skip(b, p, depth + 1);
    }
    return p;
  }

  /** True when the value at {@code p} is a map (its type byte says so). */
  static boolean isMap(byte[] b, int p) {
    int t = b[p] & 0xff;
    return (t & 0xf0) == 0x80 || t == 0xde || t == 0xdf;
  }
}
