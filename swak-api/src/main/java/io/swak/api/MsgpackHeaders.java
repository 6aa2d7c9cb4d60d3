package io.swak.api;

/**
 * Writes msgpack straight into a byte array: the headers of the fixed shapes the per-batch paths build (entry
 * heads, PackedForward heads, options maps) and every scalar, which is all {@link BatchBuilder} needs. Each
 * method writes at {@code p} and returns the position after what it wrote; the caller makes room (at most 5
 * bytes, 9 for {@link #uint}, {@link #integer}, {@link #uint64} and {@link #float64}, 11 for
 * {@link #entryHead}). Integers and headers take their shortest form, byte for byte what msgpack-core's packer
 * writes.
 * swak-api depends on no msgpack library: a packer would cost an object per use, and msgpack-core's class
 * initialisation looks for an Android class, which makes the JVM open every jar of the class path (~25 ms of
 * start-up). {@link MsgpackReader} is the reading side.
 */
public final class MsgpackHeaders {

  private MsgpackHeaders() { }

  /** The Forward protocol's EventTime: fixext 8 of type 0, uint32 seconds and uint32 nanoseconds (10 bytes). */
  public static int eventTime(byte[] b, int p, long timeNanos) {
    b[p] = (byte) 0xd7;
    b[p + 1] = 0;
    p = be32(b, p + 2, (int) Math.floorDiv(timeNanos, 1_000_000_000L));
    return be32(b, p, (int) Math.floorMod(timeNanos, 1_000_000_000L));
  }

  /** The head of an entry {@code [time, record]}: a fixarray of 2 and the {@link #eventTime} (11 bytes). */
  public static int entryHead(byte[] b, int p, long timeNanos) {
    b[p] = (byte) 0x92;
    return eventTime(b, p + 1, timeNanos);
  }

  /** The header of a string of {@code n} UTF-8 bytes. */
  public static int str(byte[] b, int p, int n) {
    if (n < 32) {
      b[p++] = (byte) (0xa0 | n);
      return p;
    }
    if (n < 256) {
      b[p++] = (byte) 0xd9;
      b[p++] = (byte) n;
      return p;
    }
    return sized(b, p, n, 0xda);
  }

  /** The header of a binary of {@code n} bytes. */
  public static int bin(byte[] b, int p, int n) {
    if (n < 256) {
      b[p++] = (byte) 0xc4;
      b[p++] = (byte) n;
      return p;
    }
    return sized(b, p, n, 0xc5);
  }

  /** A string: its header and bytes. */
  public static int str(byte[] b, int p, byte[] utf8) {
    p = str(b, p, utf8.length);
    System.arraycopy(utf8, 0, b, p, utf8.length);
    return p + utf8.length;
  }

  /** A non-negative integer in its shortest form. */
  public static int uint(byte[] b, int p, long v) {
    if (v < 0) {
      throw new IllegalArgumentException("negative: " + v);
    }
    if (v < 128) {
      b[p++] = (byte) v;
    } else if (v < 256) {
      b[p++] = (byte) 0xcc;
      b[p++] = (byte) v;
    } else if (v < 65536) {
      b[p++] = (byte) 0xcd;
      b[p++] = (byte) (v >>> 8);
      b[p++] = (byte) v;
    } else if (v < (1L << 32)) {
      b[p++] = (byte) 0xce;
      p = be32(b, p, (int) v);
    } else {
      p = uint64(b, p, v);
    }
    return p;
  }

  /** Any integer in its shortest form: fixint, negative fixint, uint8..uint64 for positive, int8..int64 else. */
  public static int integer(byte[] b, int p, long v) {
    if (v >= 0) {
      return uint(b, p, v);
    }
    if (v >= -32) {
      b[p++] = (byte) v;
    } else if (v >= -128) {
      b[p++] = (byte) 0xd0;
      b[p++] = (byte) v;
    } else if (v >= -32768) {
      b[p++] = (byte) 0xd1;
      b[p++] = (byte) (v >>> 8);
      b[p++] = (byte) v;
    } else if (v >= Integer.MIN_VALUE) {
      b[p++] = (byte) 0xd2;
      p = be32(b, p, (int) v);
    } else {
      b[p++] = (byte) 0xd3;
      p = be64(b, p, v);
    }
    return p;
  }

  /** A uint64 (9 bytes) of the 64 bits of {@code bits} read as unsigned: for values above Long.MAX_VALUE. */
  public static int uint64(byte[] b, int p, long bits) {
    b[p] = (byte) 0xcf;
    return be64(b, p + 1, bits);
  }

  /** A float64 (9 bytes), NaN payloads kept. */
  public static int float64(byte[] b, int p, double v) {
    b[p] = (byte) 0xcb;
    return be64(b, p + 1, Double.doubleToRawLongBits(v));
  }

  public static int bool(byte[] b, int p, boolean v) {
    b[p] = (byte) (v ? 0xc3 : 0xc2);
    return p + 1;
  }

  public static int nil(byte[] b, int p) {
    b[p] = (byte) 0xc0;
    return p + 1;
  }

  /** The header of an array of {@code n} elements. */
  public static int array(byte[] b, int p, int n) {
    if (n < 0) {
      throw new IllegalArgumentException("negative: " + n);
    }
    if (n < 16) {
      b[p++] = (byte) (0x90 | n);
      return p;
    }
    return sized(b, p, n, 0xdc);
  }

  /** The header of a map of {@code n} key-value pairs. */
  public static int map(byte[] b, int p, int n) {
    if (n < 0) {
      throw new IllegalArgumentException("negative: " + n);
    }
    if (n < 16) {
      b[p++] = (byte) (0x80 | n);
      return p;
    }
    return sized(b, p, n, 0xde);
  }

  /** 16-bit form ({@code type16}) below 65536, else the 32-bit form ({@code type16 + 1}). */
  private static int sized(byte[] b, int p, int n, int type16) {
    if (n < 65536) {
      b[p++] = (byte) type16;
      b[p++] = (byte) (n >>> 8);
      b[p++] = (byte) n;
      return p;
    }
    b[p++] = (byte) (type16 + 1);
    return be32(b, p, n);
  }

  private static int be64(byte[] b, int p, long v) {
    be32(b, p, (int) (v >>> 32));
    return be32(b, p + 4, (int) v);
  }

  private static int be32(byte[] b, int p, int v) {
    b[p] = (byte) (v >>> 24);
    b[p + 1] = (byte) (v >>> 16);
    b[p + 2] = (byte) (v >>> 8);
    b[p + 3] = (byte) v;
    return p + 4;
  }

  /**
   * Bytes of a msgpack value of fixed size, type byte included, for the type bytes 0xca to 0xd8: floats,
   * integers and fixext. The one table the scanners that skip values share.
   */
  public static int fixedSize(int t) {
    return switch (t) {
      case 0xcc, 0xd0 -> 2;
      case 0xcd, 0xd1, 0xd4 -> 3;
      case 0xd5 -> 4;
      case 0xca, 0xce, 0xd2 -> 5;
      case 0xd6 -> 6;
      case 0xcb, 0xcf, 0xd3 -> 9;
      case 0xd7 -> 10;
      case 0xd8 -> 18;
      default -> throw new IllegalArgumentException("no fixed size: 0x" + Integer.toHexString(t));
    };
  }
}
