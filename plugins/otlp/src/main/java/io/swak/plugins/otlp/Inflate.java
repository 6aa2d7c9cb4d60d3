package io.swak.plugins.otlp;

import java.util.Arrays;
import java.util.zip.DataFormatException;
import java.util.zip.Inflater;

/**
 * gzip and deflate bodies, decompressed into memory with a limit: a small body that expands past it (a
 * decompression bomb) is refused as soon as the limit is crossed, having held at most the limit.
 */
final class Inflate {

  private Inflate() { }

  /** Thrown when a body is not what its encoding says, or expands past the limit. */
  static final class BadBody extends Exception {
    private static final long serialVersionUID = 1L;
    final boolean tooLarge;

    BadBody(String message, boolean tooLarge) {
      super(message);
      this.tooLarge = tooLarge;
    }
  }

  /** The decompressed bytes of {@code data[0, len)} in {@code encoding} (gzip, deflate), at most {@code limit}. */
  static byte[] decode(String encoding, byte[] data, int off, int len, long limit) throws BadBody {
    return switch (encoding) {
      case "gzip", "x-gzip" -> gunzip(data, off, len, limit);
      case "deflate" -> inflate(data, off, len, limit);
      default -> throw new BadBody("unsupported content encoding \"" + encoding + "\" (gzip, deflate or none)", false);
    };
  }

  /** Every member of a gzip stream (RFC 1952), concatenated. */
  static byte[] gunzip(byte[] d, int off, int length, long limit) throws BadBody {
    int len = off + length;
    byte[] out = new byte[(int) Math.min(limit, Math.max(256, Math.min((long) len * 4, 1 << 20)))];
    int n = 0;
    int p = off;
    Inflater inf = new Inflater(true);
    java.util.zip.CRC32 crc = new java.util.zip.CRC32();
    try {
      do {
        p = header(d, p, len);
        int memberStart = n;
        inf.reset();
        inf.setInput(d, p, len - p);
        while (!inf.finished()) {
          if (n == out.length) {
            if (out.length >= limit) {
              throw new BadBody("the body decompresses to more than decompressed_limit (" + limit + " bytes)", true);
            }
            out = Arrays.copyOf(out, (int) Math.min(limit, (long) out.length * 2));
          }
          int k = inf.inflate(out, n, out.length - n);
          n += k;
          if (k == 0 && (inf.needsInput() || inf.needsDictionary())) {
            throw new BadBody("the gzip body is truncated", false);
          }
        }
        int trailer = len - inf.getRemaining();
        if (trailer + 8 > len) {
          throw new BadBody("the gzip body is truncated", false);
        }
        crc.reset();
        crc.update(out, memberStart, n - memberStart);
        if ((int) crc.getValue() != le32(d, trailer) || n - memberStart != le32(d, trailer + 4)) {
          throw new BadBody("the gzip body is damaged (its checksum does not match)", false);
        }
        p = trailer + 8;
      } while (p < len);
    } catch (DataFormatException e) {
      throw new BadBody("the gzip body is damaged: " + e.getMessage(), false);
    } finally {
      inf.end();
    }
    return n == out.length ? out : Arrays.copyOf(out, n);
  }

  private static int le32(byte[] d, int p) {
    return (d[p] & 0xff) | (d[p + 1] & 0xff) << 8 | (d[p + 2] & 0xff) << 16 | (d[p + 3] & 0xff) << 24;
  }

  /** The end of a gzip member's header at {@code p}. */
  private static int header(byte[] d, int p, int len) throws BadBody {
    if (len - p < 10 || (d[p] & 0xff) != 0x1f || (d[p + 1] & 0xff) != 0x8b || d[p + 2] != 8) {
      throw new BadBody("the body is not gzip", false);
    }
    int flags = d[p + 3] & 0xff;
    int q = p + 10;
    if ((flags & 4) != 0) { // FEXTRA
      if (q + 2 > len) {
        throw new BadBody("the gzip body is truncated", false);
      }
      q += 2 + ((d[q] & 0xff) | (d[q + 1] & 0xff) << 8);
    }
    if ((flags & 8) != 0) { // FNAME
      while (q < len && d[q] != 0) {
        q++;
      }
      q++;
    }
    if ((flags & 16) != 0) { // FCOMMENT
      while (q < len && d[q] != 0) {
        q++;
      }
      q++;
    }
    if ((flags & 2) != 0) { // FHCRC
      q += 2;
    }
    if (q > len) {
      throw new BadBody("the gzip body is truncated", false);
    }
    return q;
  }

  /** zlib (HTTP's "deflate"), or raw deflate when there is no zlib header. */
  static byte[] inflate(byte[] d, int off, int len, long limit) throws BadBody {
    boolean zlib = len >= 2 && (d[off] & 0x0f) == 8 && (((d[off] & 0xff) << 8) | (d[off + 1] & 0xff)) % 31 == 0;
    Inflater inf = new Inflater(!zlib);
    byte[] out = new byte[(int) Math.min(limit, Math.max(256, Math.min((long) len * 4, 1 << 20)))];
    int n = 0;
    try {
      inf.setInput(d, off, len);
      while (!inf.finished()) {
        if (n == out.length) {
          if (out.length >= limit) {
            throw new BadBody("the body decompresses to more than decompressed_limit (" + limit + " bytes)", true);
          }
          out = Arrays.copyOf(out, (int) Math.min(limit, (long) out.length * 2));
        }
        int k = inf.inflate(out, n, out.length - n);
        n += k;
        if (k == 0 && (inf.needsInput() || inf.needsDictionary())) {
          throw new BadBody("the deflate body is truncated", false);
        }
      }
    } catch (DataFormatException e) {
      throw new BadBody("the deflate body is damaged: " + e.getMessage(), false);
    } finally {
      inf.end();
    }
    return n == out.length ? out : Arrays.copyOf(out, n);
  }
}
