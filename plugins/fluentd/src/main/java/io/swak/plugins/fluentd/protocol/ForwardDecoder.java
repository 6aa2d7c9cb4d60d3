package io.swak.plugins.fluentd.protocol;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufInputStream;
import io.netty.buffer.Unpooled;
import io.swak.api.MsgpackHeaders;
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
public final class ForwardDecoder {

  private final long decompressedLimit;

  public ForwardDecoder(long decompressedLimit) {
    this.decompressedLimit = decompressedLimit;
  }

  /**
   * Decodes the frame in {@code frame}'s readable bytes; does not move its reader index. The frame must be
   * on the heap: msgpack-core reaches into direct buffers through JDK internals that Java 17 closes (the
   * connection copies a direct frame into its reusable array first).
   */
  public ForwardRequest decode(ByteBuf frame) {
    if (!frame.hasArray()) {
      throw new IllegalArgumentException("decode needs a heap buffer");
    }
    int base = frame.readerIndex();
    int len = frame.readableBytes();
    long[] stack = new long[FrameScanner.MAX_DEPTH + 1];
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
          checkEnd(n, 3, "Forward");
          int at = (int) in.getTotalReadBytes();
          int arrayEnd = FrameScanner.valueEnd(frame, base + at, base + len, len, stack) - base;
          Options o = n >= 3 && arrayEnd > at ? optionsAt(frame, base, len, arrayEnd) : Options.NONE;
          checkSignal(o);
          int count = in.unpackArrayHeader();
          int start = (int) in.getTotalReadBytes();
          Entries e = entries(frame, base, len, start, count, false, stack);
          return new ForwardRequest("Forward", tag, e.data, e.count, o.chunk, o.map);
        }
        case STRING, BINARY -> {
          checkEnd(n, 3, "PackedForward");
          int at = (int) in.getTotalReadBytes();
          long[] blobHeader = blobHeader(frame, base + at, len - at);
          int start = at + (int) blobHeader[0];
          long blobLen = blobHeader[1];
          if (start + blobLen > len) {
            throw new ForwardProtocolException("entries blob of " + blobLen + " bytes runs past the message end");
          }
          Options o = n >= 3 ? optionsAt(frame, base, len, (int) (start + blobLen)) : Options.NONE;
          checkSignal(o);
          ByteBuf blob = frame.slice(base + start, (int) blobLen);
          Object c = o.map.get("compressed");
          if ("gzip".equals(c)) {
            ByteBuf plain = Unpooled.wrappedBuffer(gunzip(blob));
            Entries e = entries(plain, 0, plain.readableBytes(), 0, Integer.MAX_VALUE, true, stack);
            return new ForwardRequest("CompressedPackedForward", tag, e.data, e.count, o.chunk, o.map);
          }
          if (c != null && !"text".equals(c)) {
            throw new ForwardProtocolException("unsupported compression '" + c + "': in.Forward accepts gzip");
          }
          Entries e = entries(frame, base + start, (int) blobLen, 0, Integer.MAX_VALUE, true, stack);
          return new ForwardRequest("PackedForward", tag, e.data, e.count, o.chunk, o.map);
        }
        case EXTENSION, INTEGER, FLOAT -> {
          if (n < 3) {
            throw new ForwardProtocolException("a Message-mode message needs [tag, time, record], got " + n
                + " elements");
          }
          long t = Unpacking.readTime(in);
          int recStart = (int) in.getTotalReadBytes();
          int recEnd = recordEnd(frame, base, len, recStart, 0, stack);
          Options o = n == 4 ? optionsAt(frame, base, len, recEnd) : Options.NONE;
          byte[] out = new byte[11 + recEnd - recStart];
          MsgpackHeaders.entryHead(out, 0, t);
          frame.getBytes(base + recStart, out, 11, recEnd - recStart);
          return new ForwardRequest("Message", tag, out, 1, o.chunk, o.map);
        }
        default -> throw new ForwardProtocolException("the second element of a message must be entries, an entries "
            + "blob or a time, got " + f.getValueType());
      }
    } catch (IOException | MessagePackException e) {
      throw new ForwardProtocolException("malformed message: " + e.getMessage(), e);
    }
  }

  /** Fluent Bit marks metrics (1) and traces (2) with fluent_signal; their payload is no log entries. */
  private static void checkSignal(Options o) {
    Object signal = o.map.get("fluent_signal");
    if (signal instanceof Long l && l != 0L) {
      throw new ForwardProtocolException("fluent_signal " + l + (l == 1 ? " (metrics)" : l == 2 ? " (traces)" : "")
          + ": in.Forward takes logs only; send Fluent Bit's metrics and traces elsewhere");
    }
  }

  private static void checkEnd(int n, int max, String mode) {
    if (n > max) {
      throw new ForwardProtocolException("a " + mode + " message has at most " + max + " elements, got " + n);
    }
  }

  /** {header length, payload length} of the str or bin value at {@code at}, read from its bytes. */
  private static long[] blobHeader(ByteBuf buf, int at, int avail) {
    int b = buf.getUnsignedByte(at);
    int h;
    long n;
    if (b >= 0xa0 && b <= 0xbf) {
      return new long[] {1, b & 0x1f};
    }
    switch (b) {
      case 0xc4, 0xd9 -> h = 2;
      case 0xc5, 0xda -> h = 3;
      case 0xc6, 0xdb -> h = 5;
      default -> throw new ForwardProtocolException(String.format("byte 0x%02x starts no str or bin", b));
    }
    if (avail < h) {
      throw new ForwardProtocolException("entries blob header runs past the message end");
    }
    n = switch (h) {
      case 2 -> buf.getUnsignedByte(at + 1);
      case 3 -> buf.getUnsignedShort(at + 1);
      default -> buf.getUnsignedInt(at + 1);
    };
    return new long[] {h, n};
  }

  /** End of the record (a map) at {@code pos}, checked for depth; positions relative to {@code base}. */
  private static int recordEnd(ByteBuf buf, int base, int limit, int pos, int entry, long[] stack) {
    if (pos >= limit) {
      throw new ForwardProtocolException("entry " + entry + " ends before its record");
    }
    int b = buf.getUnsignedByte(base + pos);
    if (!(b >= 0x80 && b <= 0x8f || b == 0xde || b == 0xdf)) {
      throw new ForwardProtocolException(String.format("entry %d: record must be a map, got a value starting "
          + "with 0x%02x", entry, b));
    }
    int end = FrameScanner.mapEnd(buf, base + pos, base + limit, limit, stack);
    if (end == FrameScanner.INCOMPLETE) {
      throw new ForwardProtocolException("entry " + entry + " is cut short");
    }
    return end - base;
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

  private record Entries(byte[] data, int count) { }

  /**
   * Walks {@code max} entries (or all to {@code limit} when {@code toEnd}) from {@code start}, positions
   * relative to {@code base}. Entries in the batch form ({@code [EventTime, map]}) are only scanned and
   * copied as they are; any other form is decoded and re-encoded.
   */
  private static Entries entries(ByteBuf buf, int base, int limit, int start, int max, boolean toEnd,
      long[] stack) throws IOException {
    ByteArrayOutputStream rewritten = null;
    int pos = start;
    int count = 0;
    byte[] time = new byte[11];
    while (toEnd ? pos < limit : count < max) {
      if (pos >= limit) {
        throw new ForwardProtocolException("the message ends after " + count + " of " + max + " entries");
      }
      int entryStart = pos;
      if (pos + 12 <= limit && buf.getUnsignedByte(base + pos) == 0x92 && buf.getUnsignedByte(base + pos + 1) == 0xd7
          && buf.getByte(base + pos + 2) == 0) {
        pos = recordEnd(buf, base, limit, pos + 11, count, stack);
        if (rewritten != null) {
          copy(buf, base + entryStart, pos - entryStart, rewritten);
        }
      } else {
        long t;
        int recStart;
        try (MessageUnpacker in = MessagePack.newDefaultUnpacker(buf.nioBuffer(base + pos, limit - pos))) {
          if (in.getNextFormat().getValueType() != ValueType.ARRAY) {
            throw new ForwardProtocolException("entry " + count + " must be [time, record], got "
                + in.getNextFormat().getValueType());
          }
          int n = in.unpackArrayHeader();
          if (n != 2) {
            throw new ForwardProtocolException("entry " + count + " must be [time, record], got an array of " + n);
          }
          if (in.getNextFormat().getValueType() == ValueType.ARRAY) {
            // Fluent Bit: [[time, metadata], record]
            int m = in.unpackArrayHeader();
            if (m < 1) {
              throw new ForwardProtocolException("entry " + count + " has an empty [time, metadata] array");
            }
            t = Unpacking.readTime(in);
            for (int i = 1; i < m; i++) {
              in.skipValue();
            }
          } else {
            t = Unpacking.readTime(in);
          }
          recStart = pos + (int) in.getTotalReadBytes();
        }
        int recEnd = recordEnd(buf, base, limit, recStart, count, stack);
        if (rewritten == null) {
          rewritten = new ByteArrayOutputStream(Math.max(64, (limit - start) + (limit - start) / 4));
          copy(buf, base + start, entryStart - start, rewritten);
        }
        rewritten.write(time, 0, MsgpackHeaders.entryHead(time, 0, t));
        copy(buf, base + recStart, recEnd - recStart, rewritten);
        pos = recEnd;
      }
      count++;
    }
    if (rewritten != null) {
      byte[] d = rewritten.toByteArray();
      return new Entries(d, count);
    }
    byte[] d = new byte[pos - start];
    buf.getBytes(base + start, d);
    return new Entries(d, count);
  }

  private static void copy(ByteBuf buf, int from, int len, ByteArrayOutputStream out) {
    byte[] b = new byte[len];
    buf.getBytes(from, b);
    out.write(b, 0, len);
  }

  private record Options(byte[] chunk, Map<String, Object> map) {
    static final Options NONE = new Options(null, Map.of());
  }

  private static Options optionsAt(ByteBuf frame, int base, int len, int pos) throws IOException {
    if (pos >= len) {
      throw new ForwardProtocolException("the message ends before its options");
    }
    try (MessageUnpacker in = MessagePack.newDefaultUnpacker(frame.nioBuffer(base + pos, len - pos))) {
      return options(frame, base + pos, in);
    }
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
      Object k = Unpacking.readValue(in);
      String key = k instanceof byte[] b ? new String(b, StandardCharsets.UTF_8) : String.valueOf(k);
      int vStart = (int) in.getTotalReadBytes();
      Object v = Unpacking.readValue(in);
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
