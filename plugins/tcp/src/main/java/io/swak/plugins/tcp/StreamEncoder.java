package io.swak.plugins.tcp;

import com.github.luben.zstd.ZstdOutputStreamNoFinalizer;
import java.io.IOException;
import java.io.OutputStream;
import java.util.zip.CRC32;
import java.util.zip.Deflater;

/**
 * The compressed stream of one connection of out.Tcp: one gzip member or zstd frame for the whole
 * connection (so what one batch taught the compressor helps the next), flushed at the end of every batch
 * so the receiver can decode the batch at once.
 */
abstract class StreamEncoder {

  /** Bytes given and bytes that came out, for the compression ratio. */
  long plainBytes;

  abstract void write(byte[] b, int off, int len) throws IOException;

  /** Everything written so far goes out decodable (a sync flush), then the socket's stream is flushed. */
  abstract void flush() throws IOException;

  /** Ends the stream (gzip trailer, zstd frame end); the connection closes after. */
  abstract void finish() throws IOException;

  /** Frees native memory; safe after anything. */
  abstract void release();

  static StreamEncoder of(TcpOutputPlugin.Compress kind, int level, OutputStream out) throws IOException {
    return kind == TcpOutputPlugin.Compress.GZIP ? new Gzip(out, level == 0 ? 6 : level)
        : new Zstd(out, level == 0 ? 3 : level);
  }

  /** RFC 1952: one member, deflate blocks ended by a sync flush per batch. */
  static final class Gzip extends StreamEncoder {
    private static final byte[] HEADER = {0x1f, (byte) 0x8b, 8, 0, 0, 0, 0, 0, 0, (byte) 0xff};
    private final OutputStream out;
    private final Deflater deflater;
    private final CRC32 crc = new CRC32();
    private final byte[] buf = new byte[1 << 16];
    private boolean started;

    Gzip(OutputStream out, int level) {
      this.out = out;
      this.deflater = new Deflater(level, true);
    }

    @Override
    void write(byte[] b, int off, int len) throws IOException {
      if (!started) {
        out.write(HEADER);
        started = true;
      }
      crc.update(b, off, len);
      plainBytes += len;
      deflater.setInput(b, off, len);
      while (!deflater.needsInput()) {
        int n = deflater.deflate(buf, 0, buf.length, Deflater.NO_FLUSH);
        if (n > 0) {
          out.write(buf, 0, n);
        }
      }
    }

    @Override
    void flush() throws IOException {
      int n;
      do {
        n = deflater.deflate(buf, 0, buf.length, Deflater.SYNC_FLUSH);
        if (n > 0) {
          out.write(buf, 0, n);
        }
      } while (n == buf.length);
      out.flush();
    }

    @Override
    void finish() throws IOException {
      if (!started) {
        return;
      }
      deflater.finish();
      while (!deflater.finished()) {
        int n = deflater.deflate(buf, 0, buf.length);
        out.write(buf, 0, n);
      }
      long c = crc.getValue();
      long size = plainBytes & 0xffffffffL;
      out.write(new byte[] {(byte) c, (byte) (c >>> 8), (byte) (c >>> 16), (byte) (c >>> 24),
          (byte) size, (byte) (size >>> 8), (byte) (size >>> 16), (byte) (size >>> 24)});
      out.flush();
    }

    @Override
    void release() {
      deflater.end();
    }
  }

  /** One zstd frame; each flush ends a block the decoder can finish. */
  static final class Zstd extends StreamEncoder {
    private final ZstdOutputStreamNoFinalizer z;
    private final OutputStream out;

    Zstd(OutputStream out, int level) throws IOException {
      this.out = out;
      this.z = new ZstdOutputStreamNoFinalizer(new java.io.FilterOutputStream(out) {
        @Override
        public void write(byte[] b, int off, int len) throws IOException {
          out.write(b, off, len);
        }

        @Override
        public void close() throws IOException {
          out.flush(); // the frame's end is written: the socket stays for the caller to close
        }
      }, level);
    }

    @Override
    void write(byte[] b, int off, int len) throws IOException {
      plainBytes += len;
      z.write(b, off, len);
    }

    @Override
    void flush() throws IOException {
      z.flush();
    }

    @Override
    void finish() throws IOException {
      z.close();
    }

    @Override
    void release() {
      try {
        z.close();
      } catch (IOException | RuntimeException e) {
        // the connection is already gone
      }
    }
  }
}
