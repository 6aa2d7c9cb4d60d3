package io.swak.api;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.Collection;
import java.util.Map;
import org.msgpack.core.MessagePack;
import org.msgpack.core.MessagePacker;

/**
 * Encodes events into a {@link Batch}. Reusable: {@link #build} hands the bytes over and starts anew.
 * Not thread-safe; one builder per producing thread.
 */
public final class BatchBuilder {

  private byte[] buf = new byte[1 << 12];
  private int len;
  private int count;
  /**
   * For general records, made at the first (see {@link MsgpackHeaders} on its start-up cost); it writes
   * through a {@link Sink} into {@link #buf} and is flushed after each use.
   */
  private MessagePacker packer;
  /** See {@link #messagePrefix}: the prefix for {@link #prefixTime} and {@link #prefixKey} (by identity). */
  private byte[] prefix;
  private long prefixTime;
  private byte[] prefixKey;
  private boolean prefixTwo;

  /** Appends an event with a record of any supported values. */
  public BatchBuilder add(long timeNanos, Map<String, ?> record) {
    writeEntryHead(timeNanos);
    if (packer == null) {
      packer = MessagePack.newDefaultPacker(new Sink());
    }
    try {
      packValue(packer, record);
      packer.flush();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    count++;
    return this;
  }

  /**
   * Appends an event whose record is one field, {@code key} → the UTF-8 bytes {@code value[off, off+len)}:
   * the pass-through path for lines, which never builds a String and writes the bytes directly.
   */
  public BatchBuilder addMessage(long timeNanos, byte[] keyUtf8, byte[] value, int off, int length) {
    return addMessage(timeNanos, keyUtf8, value, off, length, null, null);
  }

  /**
   * The same with a second string field {@code key2} → {@code value2} after the first (e.g. the file a
   * line came from); without one when {@code key2} is null.
   */
  public BatchBuilder addMessage(long timeNanos, byte[] keyUtf8, byte[] value, int off, int length, byte[] key2,
      byte[] value2) {
    boolean two = key2 != null;
    if (timeNanos != prefixTime || keyUtf8 != prefixKey || two != prefixTwo) {
      messagePrefix(timeNanos, keyUtf8, two);
    }
    byte[] pre = prefix;
    ensure(pre.length + 5 + length + (two ? 10 + key2.length + value2.length : 0));
    byte[] b = buf;
    int p = len;
    System.arraycopy(pre, 0, b, p, pre.length);
    p += pre.length;
    p = MsgpackHeaders.str(b, p, length);
    System.arraycopy(value, off, b, p, length);
    p += length;
    if (two) {
      p = MsgpackHeaders.str(b, p, key2);
      p = MsgpackHeaders.str(b, p, value2);
    }
    len = p;
    count++;
    return this;
  }

  /**
   * The bytes every line of one read shares: the entry head with its time, the one-field map header and
   * the key. Lines of one block have one time and one key, so they are written once per block.
   */
  private void messagePrefix(long timeNanos, byte[] keyUtf8, boolean two) {
    int saved = len;
    ensure(32 + keyUtf8.length);
    writeEntryHead(timeNanos);
    int p = len;
    buf[p++] = (byte) (two ? 0x82 : 0x81); // fixmap of 1 or 2 fields
    p = MsgpackHeaders.str(buf, p, keyUtf8);
    prefix = java.util.Arrays.copyOfRange(buf, saved, p);
    prefixTime = timeNanos;
    prefixKey = keyUtf8;
    prefixTwo = two;
    len = saved;
  }

  /** Appends every entry of {@code batch} as bytes (used when merging batches into chunks). */
  public BatchBuilder addAll(Batch batch) {
    return addEntries(batch.data(), 0, batch.length(), batch.count());
  }

  /** Appends {@code count} ready-encoded entries. */
  public BatchBuilder addEntries(byte[] entries, int off, int length, int entryCount) {
    ensure(length);
    System.arraycopy(entries, off, buf, len, length);
    len += length;
    count += entryCount;
    return this;
  }

  /** Events added since the last build. */
  public int count() {
    return count;
  }

  /** Encoded bytes added since the last build. */
  public long sizeBytes() {
    return len;
  }

  /** Forgets what was added since the last build (a batch given up half-way). */
  public void clear() {
    len = 0;
    count = 0;
  }

  /** The batch of everything added so far; the builder is empty afterwards. */
  public Batch build(String tag, Ack ack) {
    Batch b = new Batch(tag, java.util.Arrays.copyOf(buf, len), len, count, ack);
    len = 0;
    count = 0;
    return b;
  }

  private void writeEntryHead(long timeNanos) {
    ensure(11);
    len = MsgpackHeaders.entryHead(buf, len, timeNanos);
  }

  private void ensure(int more) {
    if (len + more > buf.length) {
      buf = java.util.Arrays.copyOf(buf, Math.max(buf.length * 2, len + more));
    }
  }

  /** Where the packer's bytes go: the end of {@link #buf}. */
  private final class Sink extends java.io.OutputStream {
    @Override
    public void write(int b) {
      ensure(1);
      buf[len++] = (byte) b;
    }

    @Override
    public void write(byte[] b, int off, int n) {
      ensure(n);
      System.arraycopy(b, off, buf, len, n);
      len += n;
    }
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
