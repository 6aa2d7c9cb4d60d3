package io.swak.api;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.Collection;
import java.util.Map;
import org.msgpack.core.MessageBufferPacker;
import org.msgpack.core.MessagePack;
import org.msgpack.core.MessagePacker;

/**
 * Encodes events into a {@link Batch}. Reusable: {@link #build} hands the bytes over and starts anew.
 * Not thread-safe; one builder per producing thread.
 */
public final class BatchBuilder {

  private final MessageBufferPacker out = MessagePack.newDefaultBufferPacker();
  private final byte[] time = new byte[8];
  private int count;

  /** Appends an event with a record of any supported values. */
  public BatchBuilder add(long timeNanos, Map<String, ?> record) {
    try {
      out.packArrayHeader(2);
      packTime(timeNanos);
      packValue(out, record);
      count++;
      return this;
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /**
   * Appends an event whose record is one field, {@code key} → the UTF-8 bytes {@code value[off, off+len)}:
   * the pass-through path for lines, which never builds a String.
   */
  public BatchBuilder addMessage(long timeNanos, byte[] keyUtf8, byte[] value, int off, int len) {
    try {
      out.packArrayHeader(2);
      packTime(timeNanos);
      out.packMapHeader(1);
      out.packRawStringHeader(keyUtf8.length);
      out.writePayload(keyUtf8);
      out.packRawStringHeader(len);
      out.writePayload(value, off, len);
      count++;
      return this;
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** Appends every entry of {@code batch} as bytes (used when merging batches into chunks). */
  public BatchBuilder addAll(Batch batch) {
    return addEntries(batch.data(), 0, batch.length(), batch.count());
  }

  /** Appends {@code count} ready-encoded entries. */
  public BatchBuilder addEntries(byte[] entries, int off, int len, int entryCount) {
    try {
      out.writePayload(entries, off, len);
      count += entryCount;
      return this;
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** Events added since the last build. */
  public int count() {
    return count;
  }

  /** Encoded bytes added since the last build. */
  public long sizeBytes() {
    return out.getTotalWrittenBytes();
  }

  /** The batch of everything added so far; the builder is empty afterwards. */
  public Batch build(String tag, Ack ack) {
    byte[] bytes = out.toByteArray();
    Batch b = new Batch(tag, bytes, bytes.length, count, ack);
    out.clear();
    count = 0;
    return b;
  }

  private void packTime(long timeNanos) throws IOException {
    long sec = Math.floorDiv(timeNanos, 1_000_000_000L);
    long ns = Math.floorMod(timeNanos, 1_000_000_000L);
    time[0] = (byte) (sec >>> 24);
    time[1] = (byte) (sec >>> 16);
    time[2] = (byte) (sec >>> 8);
    time[3] = (byte) sec;
    time[4] = (byte) (ns >>> 24);
    time[5] = (byte) (ns >>> 16);
    time[6] = (byte) (ns >>> 8);
    time[7] = (byte) ns;
    out.packExtensionTypeHeader((byte) 0, 8);
    out.writePayload(time);
  }

  /** Packs String, Number, Boolean, null, byte[], Collection, Map (and anything else as its toString). */
  public static void packValue(MessagePacker p, Object v) throws IOException {
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
    } else if (v instanceof java.math.BigInteger bi) {
      p.packBigInteger(bi);
    } else if (v instanceof Number n) {
      p.packDouble(n.doubleValue());
    } else {
      p.packString(String.valueOf(v));
    }
  }

  /** UTF-8 bytes of a field name, computed once by callers of {@link #addMessage}. */
  public static byte[] key(String name) {
    return name.getBytes(StandardCharsets.UTF_8);
  }
}
