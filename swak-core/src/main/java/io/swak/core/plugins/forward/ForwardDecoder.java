package io.swak.core.plugins.forward;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufInputStream;
import io.swak.api.EntryReader;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.zip.GZIPInputStream;
import org.msgpack.core.MessageFormat;
import org.msgpack.core.MessagePack;
import org.msgpack.core.MessagePackException;
import org.msgpack.core.MessageUnpacker;
import org.msgpack.value.ValueType;

/**
 * Decodes one complete event frame in any of the four Forward modes into a {@link ForwardRequest}.
 * Entries already in the batch form ({@code [EventTime, map]}) are copied once, as they are; only
 * entries with integer or float time, or Fluent Bit's {@code [[time, metadata], record]} form, are
 * re-encoded (metadata is dropped: a batch has no place for it).
 */
final class ForwardDecoder {

  private final long decompressedLimit;

  ForwardDecoder(long decompressedLimit) {
    this.decompressedLimit = decompressedLimit;
  }

  /** Decodes the frame in {@code frame}'s readable bytes; does not move its reader index. */
  ForwardRequest decode(ByteBuf frame) {
    if (!frame.hasArray()) {
      // msgpack-core reaches into direct buffers through JDK internals that Java 17 closes: decode from the heap
      frame = io.netty.buffer.Unpooled.wrappedBuffer(io.netty.buffer.ByteBufUtil.getBytes(frame));
    }
    int base = frame.readerIndex();
    int len = frame.readableBytes();
    try (MessageUnpacker in = MessagePack.newDefaultUnpacker(frame.nioBuffer(base, len))) {
      if (in.getNextFormat().getValueType() != ValueType.ARRAY) {
        throw new ForwardProtocolException("a message must be an array, got " + in.getNextFormat().getValueType());
      }
      int n = in.unpackArrayHeader();
      if (n < 2 || n > 4) {
        throw new ForwardProtocolException("a message must be an array of 2 to 4 elements, got " + n);
      }
      if (in.getNextFormat().getValueType() != ValueType.STRING) {
        throw new ForwardProtocolException("the first element of a message must be the tag (a string), got "
            + in.getNextFormat().getValueType());
      }
      String tag = in.unpackString();
      MessageFormat f = in.getNextFormat();
      switch (f.getValueType()) {
        case ARRAY -> {
          int count = in.unpackArrayHeader();
          int start = (int) in.getTotalReadBytes();
          Entries e = entries(frame, base, len, in, start, count, false);
          Options o = n >= 3 ? options(frame, base, in) : Options.NONE;
          checkEnd(n, 3, "Forward");
          return new ForwardRequest("Forward", tag, e.data, e.length, e.count, o.chunk, o.map);
        }
        case STRING, BINARY -> {
          int blobLen = f.getValueType() == ValueType.STRING ? in.unpackRawStringHeader() : in.unpackBinaryHeader();
          int start = (int) in.getTotalReadBytes();
          if ((long) start + blobLen > len) {
            throw new ForwardProtocolException("entries blob of " + blobLen + " bytes runs past the message end");
          }
          skipBytes(in, blobLen);
          Options o = n >= 3 ? options(frame, base, in) : Options.NONE;
          checkEnd(n, 3, "PackedForward");
          ByteBuf blob = frame.slice(base + start, blobLen);
          boolean gzip = "gzip".equals(o.map.get("compressed"));
          if (gzip) {
            byte[] plain = gunzip(blob);
            ByteBuf p = io.netty.buffer.Unpooled.wrappedBuffer(plain);
            Entries e = blobEntries(p);
            return new ForwardRequest("CompressedPackedForward", tag, e.data, e.length, e.count, o.chunk, o.map);
          }
          Object c = o.map.get("compressed");
          if (c != null && !"text".equals(c)) {
            throw new ForwardProtocolException("unsupported compression '" + c + "': in.Forward accepts gzip");
          }
          Entries e = blobEntries(blob);
          return new ForwardRequest("PackedForward", tag, e.data, e.length, e.count, o.chunk, o.map);
        }
        case EXTENSION, INTEGER, FLOAT -> {
          if (n < 3) {
            throw new ForwardProtocolException("a Message-mode message needs [tag, time, record], got " + n
                + " elements");
          }
          long t = EntryReader.readTime(in);
          int recStart = (int) in.getTotalReadBytes();
          if (in.getNextFormat().getValueType() != ValueType.MAP) {
            throw new ForwardProtocolException("record must be a map, got " + in.getNextFormat().getValueType());
          }
          in.skipValue();
          int recEnd = (int) in.getTotalReadBytes();
          Options o = n == 4 ? options(frame, base, in) : Options.NONE;
          byte[] out = new byte[11 + recEnd - recStart];
          out[0] = (byte) 0x92;
          writeEventTime(out, 1, t);
          frame.getBytes(base + recStart, out, 11, recEnd - recStart);
          return new ForwardRequest("Message", tag, out, out.length, 1, o.chunk, o.map);
        }
        default -> throw new ForwardProtocolException("the second element of a message must be entries, an entries "
            + "blob or a time, got " + f.getValueType());
      }
    } catch (IOException | MessagePackException e) {
      throw new ForwardProtocolException("malformed message: " + e.getMessage(), e);
    }
  }

  private static void checkEnd(int n, int max, String mode) {
    if (n > max) {
      throw new ForwardProtocolException("a " + mode + " message has at most " + max + " elements, got " + n);
    }
  }

  private static void skipBytes(MessageUnpacker in, int n) throws IOException {
    // readPayload would copy; skipping goes through the buffer without allocating the blob
    int left = n;
    byte[] scratch = null;
    while (left > 0) {
      int k = Math.min(left, 8192);
      if (scratch == null) {
        scratch = new byte[Math.min(n, 8192)];
      }
      in.readPayload(scratch, 0, k);
      left -= k;
    }
  }

  private byte[] gunzip(ByteBuf blob) {
    // GZIPInputStream reads every concatenated member (Fluentd writes one per buffer append)
    try (InputStream z = new GZIPInputStream(new ByteBufInputStream(blob.duplicate()), 8192)) {
      ByteArrayOutputStream out = new ByteArrayOutputStream(Math.max(1024, blob.readableBytes() * 4));
      byte[] b = new byte[16384];
      long total = 0;
      int r;
      while ((r = z.read(b)) > 0) {
        total += r;
        if (total > decompressedLimit) {
          throw new ForwardProtocolException.TooLarge("decompressed entries", decompressedLimit);
        }
        out.write(b, 0, r);
      }
      return out.toByteArray();
    } catch (IOException e) {
      throw new ForwardProtocolException("bad gzip entries: " + e.getMessage(), e);
    }
  }

  /** Entries of a PackedForward blob: a stream of entries to its end. */
  private Entries blobEntries(ByteBuf blob) throws IOException {
    if (!blob.hasArray()) {
      blob = io.netty.buffer.Unpooled.wrappedBuffer(io.netty.buffer.ByteBufUtil.getBytes(blob));
    }
    int base = blob.readerIndex();
    int len = blob.readableBytes();
    // a blob was not cut by the frame scanner: check its nesting the same way before decoding it
    for (int pos = base; pos < base + len; ) {
      int end = FrameScanner.valueEnd(blob, pos, base + len, len);
      if (end == FrameScanner.INCOMPLETE) {
        throw new ForwardProtocolException("entries blob ends inside an entry");
      }
      pos = end;
    }
    try (MessageUnpacker in = MessagePack.newDefaultUnpacker(blob.nioBuffer(base, len))) {
      return entries(blob, base, len, in, 0, Integer.MAX_VALUE, true);
    }
  }

  private record Entries(byte[] data, int length, int count) { }

  /**
   * Walks {@code max} entries (or to {@code endLimit}) from {@code start}; copies them as they are when all are
   * in the batch form, otherwise re-encodes them.
   */
  private static Entries entries(ByteBuf buf, int base, int limit, MessageUnpacker in, int start, int max,
      boolean toEnd) throws IOException {
    ByteArrayOutputStream rewritten = null;
    int canonicalFrom = start;
    int count = 0;
    byte[] time = new byte[10];
    while (toEnd ? in.getTotalReadBytes() < limit : count < max) {
      int entryStart = (int) in.getTotalReadBytes();
      boolean canonical = entryStart + 11 <= limit
          && buf.getUnsignedByte(base + entryStart) == 0x92
          && buf.getUnsignedByte(base + entryStart + 1) == 0xd7
          && buf.getByte(base + entryStart + 2) == 0;
      if (in.getNextFormat().getValueType() != ValueType.ARRAY) {
        throw new ForwardProtocolException("entry " + count + " must be [time, record], got "
            + in.getNextFormat().getValueType());
      }
      int n = in.unpackArrayHeader();
      if (n != 2) {
        throw new ForwardProtocolException("entry " + count + " must be [time, record], got an array of " + n);
      }
      long t;
      if (in.getNextFormat().getValueType() == ValueType.ARRAY) {
        int m = in.unpackArrayHeader();
        if (m < 1) {
          throw new ForwardProtocolException("entry " + count + " has an empty [time, metadata] array");
        }
        t = EntryReader.readTime(in);
        for (int i = 1; i < m; i++) {
          in.skipValue();
        }
        canonical = false;
      } else {
        t = EntryReader.readTime(in);
      }
      int recStart = (int) in.getTotalReadBytes();
      if (in.getNextFormat().getValueType() != ValueType.MAP) {
        throw new ForwardProtocolException("entry " + count + ": record must be a map, got "
            + in.getNextFormat().getValueType());
      }
      in.skipValue();
      int recEnd = (int) in.getTotalReadBytes();
      if (!canonical) {
        if (rewritten == null) {
          rewritten = new ByteArrayOutputStream(Math.max(64, (recEnd - start) * 2));
          copy(buf, base + canonicalFrom, entryStart - canonicalFrom, rewritten);
        }
        rewritten.write(0x92);
        writeEventTime(time, 0, t);
        rewritten.write(time, 0, 10);
        copy(buf, base + recStart, recEnd - recStart, rewritten);
      } else if (rewritten != null) {
        copy(buf, base + entryStart, recEnd - entryStart, rewritten);
      }
      count++;
    }
    int end = (int) in.getTotalReadBytes();
    if (toEnd && end != limit) {
      throw new ForwardProtocolException("entries blob ends inside an entry");
    }
    if (rewritten != null) {
      byte[] d = rewritten.toByteArray();
      return new Entries(d, d.length, count);
    }
    byte[] d = new byte[end - start];
    buf.getBytes(base + start, d);
    return new Entries(d, d.length, count);
  }

  private static void copy(ByteBuf buf, int from, int len, ByteArrayOutputStream out) {
    byte[] b = new byte[len];
    buf.getBytes(from, b);
    out.write(b, 0, len);
  }

  /** Writes EventTime as fixext8 ({@code d7 00} + uint32 seconds + uint32 nanoseconds): 10 bytes at {@code off}. */
  static void writeEventTime(byte[] out, int off, long nanos) {
    long sec = Math.floorDiv(nanos, 1_000_000_000L);
    long ns = Math.floorMod(nanos, 1_000_000_000L);
    out[off] = (byte) 0xd7;
    out[off + 1] = 0;
    out[off + 2] = (byte) (sec >>> 24);
    out[off + 3] = (byte) (sec >>> 16);
    out[off + 4] = (byte) (sec >>> 8);
    out[off + 5] = (byte) sec;
    out[off + 6] = (byte) (ns >>> 24);
    out[off + 7] = (byte) (ns >>> 16);
    out[off + 8] = (byte) (ns >>> 8);
    out[off + 9] = (byte) ns;
  }

  private record Options(byte[] chunk, Map<String, Object> map) {
    static final Options NONE = new Options(null, Map.of());
  }

  private static Options options(ByteBuf frame, int base, MessageUnpacker in) throws IOException {
    if (in.getNextFormat().getValueType() == ValueType.NIL) {
      in.unpackNil();
      return Options.NONE;
    }
    if (in.getNextFormat().getValueType() != ValueType.MAP) {
      throw new ForwardProtocolException("options must be a map, got " + in.getNextFormat().getValueType());
    }
    int n = in.unpackMapHeader();
    Map<String, Object> map = new LinkedHashMap<>();
    byte[] chunk = null;
    for (int i = 0; i < n; i++) {
      Object k = EntryReader.readValue(in);
      String key = k instanceof byte[] b ? new String(b, StandardCharsets.UTF_8) : String.valueOf(k);
      int vStart = (int) in.getTotalReadBytes();
      Object v = EntryReader.readValue(in);
      int vEnd = (int) in.getTotalReadBytes();
      if (key.equals("chunk")) {
        chunk = new byte[vEnd - vStart];
        frame.getBytes(base + vStart, chunk);
      }
      map.put(key, v);
    }
    return new Options(chunk, map);
  }
}
