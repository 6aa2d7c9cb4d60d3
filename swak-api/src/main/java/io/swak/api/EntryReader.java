package io.swak.api;

import java.io.IOException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.msgpack.core.MessageFormat;
import org.msgpack.core.MessagePack;
import org.msgpack.core.MessageTypeException;
import org.msgpack.core.MessageUnpacker;
import org.msgpack.value.ValueType;

/**
 * Reads a stream of {@code [time, record]} entries. Time may be EventTime (ext 0), an integer of
 * seconds, or a float; Fluent Bit's {@code [[time, metadata], record]} form is accepted too.
 * The record can be decoded into a map ({@link #record()}), copied as raw msgpack
 * ({@link #rawRecord()}), or streamed by the caller through {@link #unpacker()}.
 */
public final class EntryReader implements AutoCloseable {

  private final MessageUnpacker in;
  private long timeNanos;
  private boolean recordPending;

  public EntryReader(byte[] data, int offset, int length) {
    this.in = MessagePack.newDefaultUnpacker(data, offset, length);
  }

  public boolean hasNext() throws IOException {
    skipPendingRecord();
    return in.hasNext();
  }

  /** Reads the next entry's header and time; the record follows. */
  public void next() throws IOException {
    skipPendingRecord();
    int n = in.unpackArrayHeader();
    if (n != 2) {
      throw new MessageTypeException("an entry must be [time, record], got an array of " + n);
    }
    if (in.getNextFormat().getValueType() == ValueType.ARRAY) {
      int m = in.unpackArrayHeader();
      if (m < 1) {
        throw new MessageTypeException("empty [time, metadata] array");
      }
      timeNanos = readTime(in);
      for (int i = 1; i < m; i++) {
        in.skipValue();
      }
    } else {
      timeNanos = readTime(in);
    }
    recordPending = true;
  }

  public long timeNanos() {
    return timeNanos;
  }

  /** Decodes the record of the current entry. */
  public Map<String, Object> record() throws IOException {
    if (!recordPending) {
      throw new IllegalStateException("record already consumed");
    }
    recordPending = false;
    return readMap(in);
  }

  /** The unpacker positioned at the current record, for callers that stream it themselves. */
  public MessageUnpacker unpacker() {
    recordPending = false;
    return in;
  }

  /** Byte offset of the reader within the array given to the constructor, relative to its offset. */
  public long position() {
    return in.getTotalReadBytes();
  }

  private void skipPendingRecord() throws IOException {
    if (recordPending) {
      recordPending = false;
      in.skipValue();
    }
  }

  /** Reads EventTime (ext 0, 8 bytes), an integer of seconds, or a float of seconds, as nanoseconds. */
  public static long readTime(MessageUnpacker in) throws IOException {
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

  static Map<String, Object> readMap(MessageUnpacker in) throws IOException {
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
  public static Object readValue(MessageUnpacker in) throws IOException {
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

  @Override
  public void close() throws IOException {
    in.close();
  }
}
