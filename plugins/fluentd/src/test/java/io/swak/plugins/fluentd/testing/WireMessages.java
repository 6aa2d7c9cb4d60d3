package io.swak.plugins.fluentd.testing;

import io.swak.api.Batch;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.util.zip.GZIPOutputStream;
import org.msgpack.core.MessageBufferPacker;
import org.msgpack.core.MessagePack;
import org.msgpack.core.MessageUnpacker;

/** Encodes a batch in each of the four Forward modes, as other clients do, for tests. */
public final class WireMessages {

  public enum Mode { FORWARD, PACKED_BIN, PACKED_STR, GZIP, MESSAGE }

  private WireMessages() { }

  public static byte[] encode(Batch b, Mode mode, String chunk) throws IOException {
    MessageBufferPacker p = MessagePack.newDefaultBufferPacker();
    switch (mode) {
      case FORWARD -> {
        p.packArrayHeader(chunk == null ? 2 : 3);
        p.packString(b.tag());
        p.packArrayHeader(b.count());
        p.writePayload(b.data(), 0, b.length());
        options(p, b.count(), chunk, false);
      }
      case PACKED_BIN, PACKED_STR, GZIP -> {
        byte[] data = b.data();
        int len = b.length();
        if (mode == Mode.GZIP) {
          ByteArrayOutputStream z = new ByteArrayOutputStream();
          try (GZIPOutputStream g = new GZIPOutputStream(z)) {
            g.write(data, 0, len);
          }
          data = z.toByteArray();
          len = data.length;
        }
        p.packArrayHeader(3);
        p.packString(b.tag());
        if (mode == Mode.PACKED_STR) {
          p.packRawStringHeader(len);
        } else {
          p.packBinaryHeader(len);
        }
        p.writePayload(data, 0, len);
        p.packMapHeader(1 + (chunk != null ? 1 : 0) + (mode == Mode.GZIP ? 1 : 0));
        p.packString("size");
        p.packInt(b.count());
        if (chunk != null) {
          p.packString("chunk");
          p.packString(chunk);
        }
        if (mode == Mode.GZIP) {
          p.packString("compressed");
          p.packString("gzip");
        }
      }
      case MESSAGE -> {
        // one message per event: [tag, time, record(, options)]
        try (MessageUnpacker in = MessagePack.newDefaultUnpacker(b.data(), 0, b.length())) {
          while (in.hasNext()) {
            in.unpackArrayHeader();
            long start = in.getTotalReadBytes();
            in.skipValue();
            in.skipValue();
            long end = in.getTotalReadBytes();
            p.packArrayHeader(chunk == null ? 3 : 4);
            p.packString(b.tag());
            p.writePayload(b.data(), (int) start, (int) (end - start));
            options(p, 1, chunk, false);
          }
        }
      }
      default -> throw new IllegalArgumentException();
    }
    return p.toByteArray();
  }

  private static void options(MessageBufferPacker p, int size, String chunk, boolean gzip) throws IOException {
    if (chunk == null) {
      return;
    }
    p.packMapHeader(2);
    p.packString("size");
    p.packInt(size);
    p.packString("chunk");
    p.packString(chunk);
  }
}
