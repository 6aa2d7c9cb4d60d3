package io.swak.plugins.fluentd.protocol;

import io.netty.buffer.ByteBuf;
import io.swak.api.MsgpackHeaders;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.Map;
import org.msgpack.core.MessageFormat;
import org.msgpack.core.MessagePack;
import org.msgpack.core.MessagePackException;
import org.msgpack.core.MessageUnpacker;
import org.msgpack.value.ValueType;

/**
 * Decodes one complete event frame in any of the four Forward modes into a {@link ForwardRequest}, validating
 * every entry first. Entries already in the batch form ({@code [EventTime, map]}) are copied once, as they are;
 * only entries with integer or float time, or Fluent Bit's {@code [[time, metadata], record]} form, are
 * re-encoded (metadata is dropped: a batch has no place for it).
 */
public final class ForwardDecoder {

  /**
   * Largest options map. Options are decoded into Java values (several times their size); peers send a few
   * short ones (size, chunk, compressed, fluent_signal).
   */
  static final int OPTIONS_LIMIT = 64 << 10;

  private final long decompressedLimit;
  private final long maxEntry;

  /** A decoder whose gzip messages may inflate to {@code decompressedLimit} bytes, any entry being that large. */
  public ForwardDecoder(long decompressedLimit) {
    this(decompressedLimit, decompressedLimit);
  }

  /**
   * A decoder whose gzip messages may inflate to {@code decompressedLimit} bytes, with no entry of them over
   * {@code maxEntry} (it must fit in memory whole).
   */
  public ForwardDecoder(long decompressedLimit, long maxEntry) {
    this.decompressedLimit = decompressedLimit;
    this.maxEntry = maxEntry;
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
          Entries e = Entries.plain(frame, base, len, start, count, false, stack);
          return new ForwardRequest("Forward", tag, e, o.chunk, o.map);
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
            Entries e = Entries.gzip(blob, decompressedLimit, maxEntry, stack);
            return new ForwardRequest("CompressedPackedForward", tag, e, o.chunk, o.map);
          }
          if (c != null && !"text".equals(c)) {
            throw new ForwardProtocolException("unsupported compression '" + c + "': in.Forward accepts gzip");
          }
          Entries e = Entries.plain(frame, base + start, (int) blobLen, 0, Integer.MAX_VALUE, true, stack);
          return new ForwardRequest("PackedForward", tag, e, o.chunk, o.map);
        }
        case EXTENSION, INTEGER, FLOAT -> {
          if (n < 3) {
            throw new ForwardProtocolException("a Message-mode message needs [tag, time, record], got " + n
                + " elements");
          }
          long t = Unpacking.readTime(in);
          int recStart = (int) in.getTotalReadBytes();
          int recEnd = Entries.recordEnd(frame, base, len, recStart, 0, stack);
          Options o = n == 4 ? optionsAt(frame, base, len, recEnd) : Options.NONE;
          byte[] out = new byte[11 + recEnd - recStart];
          MsgpackHeaders.entryHead(out, 0, t);
          frame.getBytes(base + recStart, out, 11, recEnd - recStart);
          return new ForwardRequest("Message", tag, Entries.of(out, 1), o.chunk, o.map);
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

  private record Options(byte[] chunk, Map<String, Object> map) {
    static final Options NONE = new Options(null, Map.of());
  }

  private static Options optionsAt(ByteBuf frame, int base, int len, int pos) throws IOException {
    if (pos >= len) {
      throw new ForwardProtocolException("the message ends before its options");
    }
    if (len - pos > OPTIONS_LIMIT) {
      throw new ForwardProtocolException("options of " + (len - pos) + " bytes: at most " + OPTIONS_LIMIT
          + " are accepted");
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
