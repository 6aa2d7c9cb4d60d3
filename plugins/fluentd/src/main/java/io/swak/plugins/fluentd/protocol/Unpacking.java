package io.swak.plugins.fluentd.protocol;

import java.io.IOException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.msgpack.core.MessageFormat;
import org.msgpack.core.MessageTypeException;
import org.msgpack.core.MessageUnpacker;
import org.msgpack.value.ValueType;

/**
 * Times and values read with msgpack-core's unpacker, where the protocol code walks a message with one
 * (the API's own reader works on byte arrays; these frames are Netty buffers).
 */
final class Unpacking {

  private Unpacking() { }

  /** Reads EventTime (ext 0, 8 bytes), an integer of seconds, or a float of seconds, as nanoseconds. */
  static long readTime(MessageUnpacker in) throws IOException {
    MessageFormat f = in.getNextFormat();
    switch (f.getValueType()) {
      case EXTENSION: {
        var h = in.unpackExtensionTypeHeader();
        byte[] b = in.readPayload(h.getLength());
        if (h.getType() != 0 || b.length != 8) {
          throw new MessageTypeException("time must be EventTime (ext type 0, 8 bytes), got ext type "
              + h.getType() + " of " + b.length + " bytes");
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

  private static Map<String, Object> readMap(MessageUnpacker in) throws IOException {
    if (in.getNextFormat().getValueType() != ValueType.MAP) {
      throw new MessageTypeException("record must be a map, got " + in.getNextFormat().getValueType());
    }
    int n = in.unpackMapHeader();
    Map<String, Object> m = new LinkedHashMap<>(Math.max(4, n * 2));
    for (int i = 0; i < n; i++) {
      Object k = readValue(in);
      m.put(k instanceof byte[] b ? new String(b, java.nio.charset.StandardCharsets.UTF_8) : String.valueOf(k),
          readValue(in));
    }
    return m;
  }

  /** Decodes any msgpack value into String, Long, Double, Boolean, null, byte[], List or Map. */
  static Object readValue(MessageUnpacker in) throws IOException {
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
      case STRING:
        return in.unpackString();
      case BINARY:
        return in.readPayload(in.unpackBinaryHeader());
      case ARRAY: {
        int n = in.unpackArrayHeader();
        List<Object> l = new ArrayList<>(n);
        for (int i = 0; i < n; i++) {
          l.add(readValue(in));
        }
        return l;
      }
      case MAP:
        return readMap(in);
      case EXTENSION: {
        var h = in.unpackExtensionTypeHeader();
        return in.readPayload(h.getLength());
      }
      default:
        throw new MessageTypeException("unknown msgpack type " + f);
    }
  }

}
