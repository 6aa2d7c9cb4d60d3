package io.swak.api;

import java.io.IOException;
import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.msgpack.core.MessageFormat;
import org.msgpack.core.MessagePack;
import org.msgpack.core.MessagePacker;
import org.msgpack.core.MessageTypeException;
import org.msgpack.core.MessageUnpacker;
import org.msgpack.value.ValueType;

/**
 * The reference the tests check swak-api's own msgpack code against: what EntryReader and BatchBuilder did when
 * they were built on msgpack-core (their code as it was, kept here), and a normal form to compare decoded values.
 * The decoder never pre-sizes from a header and checks lengths against the bytes left before it allocates, so
 * that garbage cannot make the reference itself run out of memory.
 */
final class MsgpackCore {

  private MsgpackCore() { }

  /** A decoded binary, compared by content (byte[] compares by identity). */
  record Bin(String hex) {
    static Bin of(byte[] b) {
      return new Bin(HexFormat.of().formatHex(b));
    }
  }

  /** {@code v} with every byte[] as a {@link Bin}, so that equals compares what was decoded. */
  static Object normal(Object v) {
    if (v instanceof byte[] b) {
      return Bin.of(b);
    }
    if (v instanceof List<?> l) {
      List<Object> out = new ArrayList<>();
      l.forEach(o -> out.add(normal(o)));
      return out;
    }
    if (v instanceof Map<?, ?> m) {
      Map<Object, Object> out = new LinkedHashMap<>();
      m.forEach((k, o) -> out.put(k, normal(o)));
      return out;
    }
    return v;
  }

  /**
   * Decodes one value with msgpack-core as EntryReader.readValue(MessageUnpacker) did; {@code length} is the size
   * of the data read, or {@link #TRUSTED}.
   */
  static Object readValue(MessageUnpacker in, long length) throws IOException {
    MessageFormat f = in.getNextFormat();
    switch (f.getValueType()) {
      case NIL:
        in.unpackNil();
        return null;
      case BOOLEAN:
        return in.unpackBoolean();
      case INTEGER:
        if (f == MessageFormat.UINT64) {
          var big = in.unpackBigInteger();
          return big.bitLength() < 64 ? (Object) big.longValue() : (Object) big.doubleValue();
        }
        return in.unpackLong();
      case FLOAT:
        return in.unpackDouble();
      case STRING: {
        if (length == TRUSTED) {
          return in.unpackString();
        }
        int n = in.unpackRawStringHeader();
        return new String(payload(in, n, length), StandardCharsets.UTF_8);
      }
      case BINARY:
        return payload(in, in.unpackBinaryHeader(), length);
      case ARRAY: {
        int n = in.unpackArrayHeader();
        List<Object> l = new ArrayList<>();
        for (int i = 0; i < n; i++) {
          l.add(readValue(in, length));
        }
        return l;
      }
      case MAP:
        return readMap(in, length);
      case EXTENSION: {
        var h = in.unpackExtensionTypeHeader();
        return payload(in, h.getLength(), length);
      }
      default:
        throw new MessageTypeException("unknown msgpack type " + f);
    }
  }

  static Map<String, Object> readMap(MessageUnpacker in, long length) throws IOException {
    if (in.getNextFormat().getValueType() != ValueType.MAP) {
      throw new MessageTypeException("record must be a map, got " + in.getNextFormat().getValueType());
    }
    int n = in.unpackMapHeader();
    Map<String, Object> m = new LinkedHashMap<>();
    for (int i = 0; i < n; i++) {
      Object k = readValue(in, length);
      m.put(MsgpackReader.keyText(k), readValue(in, length));
    }
    return m;
  }

  /**
   * For data msgpack-core packed itself: the decoder does not check lengths and reads strings with unpackString,
   * exactly as the msgpack-core EntryReader did.
   */
  static final long TRUSTED = -1;

  /** readPayload, after checking that the bytes are there (a lying length must not allocate gigabytes). */
  private static byte[] payload(MessageUnpacker in, int n, long length) throws IOException {
    if (length != TRUSTED && n > length - in.getTotalReadBytes()) {
      throw new org.msgpack.core.MessageInsufficientBufferException();
    }
    return in.readPayload(n);
  }

  /** EntryReader.readTime(MessageUnpacker) as it was. */
  static long readTime(MessageUnpacker in, long length) throws IOException {
    MessageFormat f = in.getNextFormat();
    switch (f.getValueType()) {
      case EXTENSION: {
        var h = in.unpackExtensionTypeHeader();
        byte[] b = payload(in, h.getLength(), length);
        if (h.getType() != 0 || b.length != 8) {
          throw new MessageTypeException("not EventTime");
        }
        long sec = ((b[0] & 0xffL) << 24) | ((b[1] & 0xffL) << 16) | ((b[2] & 0xffL) << 8) | (b[3] & 0xffL);
        long ns = ((b[4] & 0xffL) << 24) | ((b[5] & 0xffL) << 16) | ((b[6] & 0xffL) << 8) | (b[7] & 0xffL);
        return sec * 1_000_000_000L + ns;
      }
      case INTEGER:
        return in.unpackLong() * 1_000_000_000L;
      case FLOAT:
        return (long) (in.unpackDouble() * 1e9);
      default:
        throw new MessageTypeException("time must be EventTime or a number, got " + f.getValueType());
    }
  }

  /** One decoded entry. */
  record Entry(long timeNanos, Object record) { }

  /** Every entry of {@code data[0, length)} as the msgpack-core EntryReader decoded them. */
  static List<Entry> entries(byte[] data, int length) throws IOException {
    List<Entry> out = new ArrayList<>();
    try (MessageUnpacker in = MessagePack.newDefaultUnpacker(data, 0, length)) {
      while (in.hasNext()) {
        int n = in.unpackArrayHeader();
        if (n != 2) {
          throw new MessageTypeException("an entry must be [time, record], got an array of " + n);
        }
        long t;
        if (in.getNextFormat().getValueType() == ValueType.ARRAY) {
          int m = in.unpackArrayHeader();
          if (m < 1) {
            throw new MessageTypeException("empty [time, metadata] array");
          }
          t = readTime(in, length);
          for (int i = 1; i < m; i++) {
            in.skipValue();
          }
        } else {
          t = readTime(in, length);
        }
        out.add(new Entry(t, normal(readMap(in, length))));
      }
    }
    return out;
  }

  /** BatchBuilder.packValue(MessagePacker, Object) as it was. */
  static void packValue(MessagePacker p, Object v) throws IOException {
    if (v == null) {
      p.packNil();
    } else if (v instanceof String s) {
      p.packString(s);
    } else if (v instanceof Integer || v instanceof Long || v instanceof Short || v instanceof Byte) {
      p.packLong(((Number) v).longValue());
    } else if (v instanceof Double || v instanceof Float) {
      p.packDouble(((Number) v).doubleValue());
    } else if (v instanceof Boolean b) {
      p.packBoolean(b);
    } else if (v instanceof byte[] b) {
      p.packBinaryHeader(b.length);
      p.writePayload(b);
    } else if (v instanceof Map<?, ?> m) {
      p.packMapHeader(m.size());
      for (Map.Entry<?, ?> e : m.entrySet()) {
        p.packString(String.valueOf(e.getKey()));
        packValue(p, e.getValue());
      }
    } else if (v instanceof Collection<?> c) {
      p.packArrayHeader(c.size());
      for (Object o : c) {
        packValue(p, o);
      }
    } else if (v instanceof BigInteger bi) {
      p.packBigInteger(bi);
    } else if (v instanceof Number n) {
      p.packDouble(n.doubleValue());
    } else {
      p.packString(String.valueOf(v));
    }
  }

  /** The bytes msgpack-core's packer wrote for {@code v}. */
  static byte[] packed(Object v) throws IOException {
    try (var p = MessagePack.newDefaultBufferPacker()) {
      packValue(p, v);
      return p.toByteArray();
    }
  }
}
