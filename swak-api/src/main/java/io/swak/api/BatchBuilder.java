package io.swak.api;

import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.Collection;
import java.util.Map;

/**
 * Encodes events into a {@link Batch}. Reusable: {@link #build} hands the bytes over and starts anew.
 * Not thread-safe; one builder per producing thread.
 */
public final class BatchBuilder {

  private byte[] buf;
  private int len;
  private int count;
  /** See {@link #messagePrefix}: the prefix for {@link #prefixTime} and {@link #prefixKey} (by identity). */
  private byte[] prefix;
  private long prefixTime;
  private byte[] prefixKey;
  /** Fields of the map the prefix opens: the message and the extra ones. */
  private int prefixFields;

  public BatchBuilder() {
    this(1 << 12);
  }

  private BatchBuilder(int capacity) {
    buf = new byte[capacity];
  }

  /**
   * Appends an event with a record of any values {@link #packValue(Object)} packs. A value it cannot pack (a
   * BigInteger outside -2<sup>63</sup>..2<sup>64</sup>-1) throws IllegalArgumentException and adds nothing.
   */
  public BatchBuilder add(long timeNanos, Map<String, ?> record) {
    int saved = len;
    writeEntryHead(timeNanos);
    try {
      pack(record);
    } catch (RuntimeException | Error e) {
      len = saved;
      throw e;
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
    int p = message(timeNanos, keyUtf8, value, off, length, two ? 2 : 1, two ? 10 + key2.length + value2.length : 0);
    if (two) {
      p = MsgpackHeaders.str(buf, p, key2);
      p = MsgpackHeaders.str(buf, p, value2);
    }
    len = p;
    count++;
    return this;
  }

  /**
   * The same with fields after the message that every line of a source shares (the file a line came from, the
   * host): {@code extraPairs} holds {@code extraCount} key/value pairs already packed as msgpack (at most 14), copied
   * after the message as they are.
   */
  public BatchBuilder addMessageWith(long timeNanos, byte[] keyUtf8, byte[] value, int off, int length,
      byte[] extraPairs, int extraCount) {
    if (extraCount < 0 || extraCount > 14) {
      throw new IllegalArgumentException("0 to 14 extra fields, not " + extraCount);
    }
    int p = message(timeNanos, keyUtf8, value, off, length, 1 + extraCount, extraPairs.length);
    System.arraycopy(extraPairs, 0, buf, p, extraPairs.length);
    len = p + extraPairs.length;
    count++;
    return this;
  }

  /**
   * Writes the entry head, the map header of {@code fields} fields and the message pair, with room for {@code more}
   * bytes after it; returns where the rest of the record goes (the caller sets {@link #len} and counts the entry).
   */
  private int message(long timeNanos, byte[] keyUtf8, byte[] value, int off, int length, int fields, int more) {
    if (timeNanos != prefixTime || keyUtf8 != prefixKey || fields != prefixFields) {
      messagePrefix(timeNanos, keyUtf8, fields);
    }
    byte[] pre = prefix;
    ensure(pre.length + 5 + length + more);
    byte[] b = buf;
    int p = len;
    System.arraycopy(pre, 0, b, p, pre.length);
    p += pre.length;
    p = MsgpackHeaders.str(b, p, length);
    System.arraycopy(value, off, b, p, length);
    return p + length;
  }

  /**
   * The bytes every line of one read shares: the entry head with its time, the one-field map header and
   * the key. Lines of one block have one time and one key, so they are written once per block.
   */
  private void messagePrefix(long timeNanos, byte[] keyUtf8, int fields) {
    int saved = len;
    ensure(32 + keyUtf8.length);
    writeEntryHead(timeNanos);
    int p = len;
    buf[p++] = (byte) (0x80 | fields); // a fixmap
    p = MsgpackHeaders.str(buf, p, keyUtf8);
    prefix = java.util.Arrays.copyOfRange(buf, saved, p);
    prefixTime = timeNanos;
    prefixKey = keyUtf8;
    prefixFields = fields;
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

  /**
   * Forgets the events added since the builder held {@code count} events in {@code size} bytes (a mark taken
   * with {@link #count()} and {@link #sizeBytes()}): a source that fails half-way through its part of a batch
   * takes back only that part.
   */
  public void rollback(int count, long size) {
    if (count < 0 || count > this.count || size < 0 || size > len) {
      throw new IllegalArgumentException("no such mark: " + count + " events, " + size + " bytes");
    }
    this.count = count;
    this.len = (int) size;
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

  /**
   * The msgpack encoding of one Java value, as {@link #add} packs records: String as str; Integer, Long, Short
   * and Byte as the shortest integer; Double and Float as float64; BigInteger as the shortest integer when
   * within -2<sup>63</sup>..2<sup>64</sup>-1 (uint64 above Long.MAX_VALUE) and else IllegalArgumentException, as
   * msgpack-core's packBigInteger; other Numbers as float64 of their doubleValue; Boolean; null as nil; byte[]
   * as bin; Map as a map with {@code String.valueOf} of each key; Collection as an array; anything else as the
   * str of its toString. The bytes are the same msgpack-core's packer wrote for these values.
   */
  public static byte[] packValue(Object v) {
    BatchBuilder b = new BatchBuilder(64);
    b.pack(v);
    return Arrays.copyOf(b.buf, b.len);
  }

  /** Appends {@code v} at the end of {@link #buf} (see {@link #packValue(Object)}). */
  private void pack(Object v) {
    if (v == null) {
      ensure(1);
      len = MsgpackHeaders.nil(buf, len);
    } else if (v instanceof String s) {
      string(s);
    } else if (v instanceof Integer || v instanceof Long || v instanceof Short || v instanceof Byte) {
      ensure(9);
      len = MsgpackHeaders.integer(buf, len, ((Number) v).longValue());
    } else if (v instanceof Double || v instanceof Float) {
      ensure(9);
      len = MsgpackHeaders.float64(buf, len, ((Number) v).doubleValue());
    } else if (v instanceof Boolean b) {
      ensure(1);
      len = MsgpackHeaders.bool(buf, len, b);
    } else if (v instanceof byte[] b) {
      ensure(5 + b.length);
      int p = MsgpackHeaders.bin(buf, len, b.length);
      System.arraycopy(b, 0, buf, p, b.length);
      len = p + b.length;
    } else if (v instanceof Map<?, ?> m) {
      ensure(5);
      len = MsgpackHeaders.map(buf, len, m.size());
      for (Map.Entry<?, ?> e : m.entrySet()) {
        string(String.valueOf(e.getKey()));
        pack(e.getValue());
      }
    } else if (v instanceof Collection<?> c) {
      ensure(5);
      len = MsgpackHeaders.array(buf, len, c.size());
      for (Object o : c) {
        pack(o);
      }
    } else if (v instanceof BigInteger bi) {
      ensure(9);
      if (bi.bitLength() <= 63) {
        len = MsgpackHeaders.integer(buf, len, bi.longValue());
      } else if (bi.bitLength() == 64 && bi.signum() == 1) {
        len = MsgpackHeaders.uint64(buf, len, bi.longValue());
      } else {
        throw new IllegalArgumentException("msgpack has no integer for " + bi + " (-2^63..2^64-1)");
      }
    } else if (v instanceof Number n) {
      ensure(9);
      len = MsgpackHeaders.float64(buf, len, n.doubleValue());
    } else {
      string(String.valueOf(v));
    }
  }

  private void string(String s) {
    byte[] u = s.getBytes(StandardCharsets.UTF_8);
    ensure(5 + u.length);
    len = MsgpackHeaders.str(buf, len, u);
  }

  /** UTF-8 bytes of a field name, computed once by callers of {@link #addMessage}. */
  public static byte[] key(String name) {
    return name.getBytes(StandardCharsets.UTF_8);
  }
}
