package io.swak.plugins.tcp;

import com.github.luben.zstd.ZstdDecompressCtx;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.util.zip.CRC32;
import java.util.zip.DataFormatException;
import java.util.zip.Inflater;

/**
 * Decompresses a connection's stream a piece at a time into a bounded array, so that a connection whose
 * task is full stops in the middle of its input (the rest stays compressed) and a small input that
 * expands a thousandfold never needs more than one piece of memory.
 */
abstract class StreamDecoder {

  /**
   * Decodes from {@code in} (its position advances over what was used) into {@code out[off, off+len)};
   * returns the bytes written, 0 when {@code in} must have more before anything comes out.
   *
   * @throws IOException when the stream is not what it claims (a broken gzip member, a bad zstd frame)
   */
  abstract int decode(ByteBuffer in, byte[] out, int off, int len) throws IOException;

  /** Frees native memory. */
  abstract void close();

  /** What the stream's first bytes say it is: gzip, zstd, or neither (null); -1 while too few bytes came. */
  static String detect(byte[] b, int n) {
    if (n >= 2 && (b[0] & 0xff) == 0x1f && (b[1] & 0xff) == 0x8b) {
      return "gzip";
    }
    if (n >= 4 && (b[0] & 0xff) == 0x28 && (b[1] & 0xff) == 0xb5 && (b[2] & 0xff) == 0x2f && (b[3] & 0xff) == 0xfd) {
      return "zstd";
    }
    if (n < 4 && (n == 0 || (b[0] & 0xff) == 0x1f || (b[0] & 0xff) == 0x28)) {
      return "?";
    }
    return null;
  }

  static StreamDecoder of(String kind) {
    return kind.equals("gzip") ? new Gunzip() : new Unzstd();
  }

  /** gzip members one after another (RFC 1952), each checked against its CRC-32 and length. */
  static final class Gunzip extends StreamDecoder {
    private static final int HEADER = 0;
    private static final int BODY = 1;
    private static final int TRAILER = 2;

    private final Inflater inflater = new Inflater(true);
    private final CRC32 crc = new CRC32();
    private final byte[] head = new byte[8];
    private int state = HEADER;
    /** Bytes of the header (or trailer) read so far, and the header's optional fields still to pass. */
    private int got;
    private int flags = -1;
    private int extraLeft = -1;
    private long size;

    @Override
    int decode(ByteBuffer in, byte[] out, int off, int len) throws IOException {
      while (true) {
        if (state == HEADER) {
          if (!header(in)) {
            return 0;
          }
          state = BODY;
          inflater.reset();
          crc.reset();
          size = 0;
        }
        if (state == BODY) {
          if (inflater.needsInput()) {
            if (!in.hasRemaining()) {
              return 0;
            }
            inflater.setInput(in);
          }
          int n;
          try {
            n = inflater.inflate(out, off, len);
          } catch (DataFormatException e) {
            throw new IOException("broken gzip data: " + e.getMessage());
          }
          if (n > 0) {
            crc.update(out, off, n);
            size += n;
            return n;
          }
          if (inflater.finished()) {
            state = TRAILER;
            got = 0;
          } else if (inflater.needsDictionary()) {
            throw new IOException("broken gzip data: a preset dictionary is not gzip");
          } else if (!in.hasRemaining()) {
            return 0;
          }
        }
        if (state == TRAILER) {
          while (got < 8 && in.hasRemaining()) {
            head[got++] = in.get();
          }
          if (got < 8) {
            return 0;
          }
          long crcSent = le32(head, 0);
          long sizeSent = le32(head, 4);
          if (crcSent != crc.getValue() || sizeSent != (size & 0xffffffffL)) {
            throw new IOException("broken gzip data: the checksum at the end of a member does not match");
          }
          state = HEADER;
          got = 0;
          flags = -1;
          if (!in.hasRemaining()) {
            return 0;
          }
        }
      }
    }

    /** Reads the member header as its bytes come; true once it was passed whole. */
    private boolean header(ByteBuffer in) throws IOException {
      while (got < 10) {
        if (!in.hasRemaining()) {
          return false;
        }
        byte b = in.get();
        if (got == 0 && (b & 0xff) != 0x1f || got == 1 && (b & 0xff) != 0x8b || got == 2 && b != 8) {
          throw new IOException("not gzip data (a gzip member starts with 1f 8b 08)");
        }
        if (got == 3) {
          flags = b & 0xff;
        }
        got++;
      }
      if ((flags & 4) != 0) { // FEXTRA: a 2-byte length and that many bytes
        if (extraLeft < 0) {
          while (got < 12) {
            if (!in.hasRemaining()) {
              return false;
            }
            head[got++ - 10] = in.get();
          }
          extraLeft = (head[0] & 0xff) | (head[1] & 0xff) << 8;
        }
        while (extraLeft > 0) {
          if (!in.hasRemaining()) {
            return false;
          }
          in.get();
          extraLeft--;
        }
        flags &= ~4;
      }
      for (int bit : new int[] {8, 16}) { // FNAME, FCOMMENT: zero-terminated
        if ((flags & bit) != 0) {
          while (true) {
            if (!in.hasRemaining()) {
              return false;
            }
            if (in.get() == 0) {
              break;
            }
          }
          flags &= ~bit;
        }
      }
      if ((flags & 2) != 0) { // FHCRC
        if (in.remaining() < 2) {
          return false;
        }
        in.get();
        in.get();
        flags &= ~2;
      }
      extraLeft = -1;
      return true;
    }

    /** True between two members: everything given so far was whole members. */
    boolean atMemberEnd() {
      return state == HEADER && got == 0;
    }

    private static long le32(byte[] b, int p) {
      return (b[p] & 0xffL) | (b[p + 1] & 0xffL) << 8 | (b[p + 2] & 0xffL) << 16 | (b[p + 3] & 0xffL) << 24;
    }

    @Override
    void close() {
      inflater.end();
    }
  }

  /**
   * zstd frames one after another. The window a frame may ask for is capped (8 MiB, what level 19 uses):
   * a frame asking for more is refused rather than given that much memory per connection.
   */
  static final class Unzstd extends StreamDecoder {
    static final int WINDOW_LOG_MAX = 23;
    private final ZstdDecompressCtx ctx = new ZstdDecompressCtx().setLongMax(WINDOW_LOG_MAX);
    private ByteBuffer src = ByteBuffer.allocateDirect(1 << 16).flip();
    private ByteBuffer dst = ByteBuffer.allocateDirect(1 << 16);

    @Override
    int decode(ByteBuffer in, byte[] out, int off, int len) throws IOException {
      if (!src.hasRemaining() && in.hasRemaining()) {
        src.clear();
        int n = Math.min(src.capacity(), in.remaining());
        ByteBuffer slice = in.slice();
        slice.limit(n);
        src.put(slice);
        in.position(in.position() + n);
        src.flip();
      }
      dst.clear();
      dst.limit(Math.min(len, dst.capacity()));
      try {
        ctx.decompressDirectByteBufferStream(dst, src);
      } catch (RuntimeException e) {
        throw new IOException("broken zstd data: " + e.getMessage());
      }
      dst.flip();
      int n = dst.remaining();
      dst.get(out, off, n);
      if (n == 0 && src.hasRemaining() && in.hasRemaining()) {
        // the frame needs more than what is in src: compact and top it up
        src.compact();
        int m = Math.min(src.remaining(), in.remaining());
        ByteBuffer slice = in.slice();
        slice.limit(m);
        src.put(slice);
        in.position(in.position() + m);
        src.flip();
        return decode(in, out, off, len);
      }
      return n;
    }

    @Override
    void close() {
      ctx.close();
    }
  }
}
