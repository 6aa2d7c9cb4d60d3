package io.swak.api;

import java.io.IOException;
import java.util.Arrays;
import java.util.Map;

/**
 * Reads a stream of {@code [time, record]} entries. Time may be EventTime (ext 0), an integer of
 * seconds, or a float; Fluent Bit's {@code [[time, metadata], record]} form is accepted too.
 * The record can be decoded into a map ({@link #record()}), copied as raw msgpack ({@link #rawRecord()}), or
 * read by the caller from the array between {@link #recordStart()} and {@link #recordEnd()} (with a
 * {@link MsgpackReader} of its own, for instance). A record that is not read is skipped without decoding it.
 *
 * <p>Malformed entries throw {@link MsgpackException} (unchecked, as msgpack-core's exceptions were); the
 * methods still declare IOException so that callers written for the msgpack-core version compile unchanged.
 * When {@link #hasNext()} or {@link #next()} throws, the entries after the malformed one cannot be found: the
 * reader moves to the end, and {@link #hasNext()} is false. A record that {@link #record()} cannot decode (not a
 * map, or nested too deep) is still skipped. Not thread-safe.
 */
public final class EntryReader implements AutoCloseable {

  private final MsgpackReader in;
  private final byte[] data;
  private final int offset;
  private final int end;
  private long timeNanos;
  /** Index in {@link #data} of the current record, or -1 before the first {@link #next}. */
  private int recordStart = -1;
  /** Index just past the current record, or -1 while not known (the record has not been passed yet). */
  private int recordEnd = -1;
  private boolean recordConsumed = true;

  public EntryReader(byte[] data, int offset, int length) {
    this.in = new MsgpackReader(data, offset, length);
    this.data = data;
    this.offset = offset;
    this.end = offset + length;
  }

  public boolean hasNext() throws IOException {
    passRecord();
    return in.hasNext();
  }

  /** Reads the next entry's header and time; the record follows. */
  public void next() throws IOException {
    passRecord();
    final byte[] d = data;
    int p = in.position();
    if (end - p >= 12 && d[p] == (byte) 0x92 && d[p + 1] == (byte) 0xd7 && d[p + 2] == 0) {
      // [EventTime as fixext 8, record]: what BatchBuilder writes and nearly every Forward client sends
      timeNanos = u32(d, p + 3) * 1_000_000_000L + u32(d, p + 7);
      in.position(p + 11);
    } else {
      try {
        timeNanos = head(p);
      } catch (MsgpackException e) {
        in.position(end); // where the next entry starts is unknown: nothing more is read
        throw e;
      }
    }
    recordStart = in.position();
    recordEnd = -1;
    recordConsumed = false;
  }

  /** The entry head at {@code p} in any form: returns the time and leaves the reader at the record. */
  private long head(int p) {
    int n = in.readArrayHeader();
    if (n != 2) {
      throw new MsgpackException("an entry must be [time, record], got an array of " + n, p);
    }
    long t;
    if (in.nextType() == MsgpackReader.Type.ARRAY) {
      int q = in.position();
      int m = in.readArrayHeader();
      if (m < 1) {
        throw new MsgpackException("empty [time, metadata] array", q);
      }
      t = in.readTime();
      for (int i = 1; i < m; i++) {
        in.skipValue();
      }
    } else {
      t = in.readTime();
    }
    if (!in.hasNext()) {
      throw new MsgpackException("truncated: the entry ends before its record", in.position());
    }
    return t;
  }

  public long timeNanos() {
    return timeNanos;
  }

  /** Decodes the record of the current entry (once per entry). */
  public Map<String, Object> record() throws IOException {
    if (recordConsumed) {
      throw new IllegalStateException("record already consumed");
    }
    int p = recordStart;
    in.position(p);
    if (in.nextType() != MsgpackReader.Type.MAP) {
      throw new MsgpackException("record must be a map, got " + in.nextType(), p);
    }
    Map<String, Object> m = in.readMap();
    recordConsumed = true;
    recordEnd = in.position();
    return m;
  }

  /** Index in the array given to the constructor of the current record's first byte (absolute, not relative). */
  public int recordStart() {
    if (recordStart < 0) {
      throw new IllegalStateException("no entry read yet");
    }
    return recordStart;
  }

  /**
   * Index in the array given to the constructor just past the current record (absolute); the first call for an
   * entry passes the record (without decoding it) unless {@link #record()} has read it.
   */
  public int recordEnd() {
    if (recordEnd < 0) {
      int p = recordStart();
      in.position(p);
      in.skipValue();
      recordEnd = in.position();
      in.position(p);
    }
    return recordEnd;
  }

  /** A copy of the current record's msgpack bytes (any value, not only maps); leaves it readable. */
  public byte[] rawRecord() {
    int e = recordEnd();
    return Arrays.copyOfRange(data, recordStart, e);
  }

  /** Byte offset of the reader within the array given to the constructor, relative to its offset. */
  public long position() {
    return in.position() - offset;
  }

  /** Moves past the current record, read or not. */
  private void passRecord() {
    int s = recordStart;
    if (s < 0) {
      return;
    }
    recordStart = -1;
    recordConsumed = true;
    if (recordEnd >= 0) {
      in.position(recordEnd);
      return;
    }
    in.position(s);
    try {
      in.skipValue();
    } catch (MsgpackException e) {
      in.position(end); // the record does not end within the data: nothing follows it
      throw e;
    }
  }

  private static long u32(byte[] d, int p) {
    return ((d[p] & 0xffL) << 24) | ((d[p + 1] & 0xff) << 16) | ((d[p + 2] & 0xff) << 8) | (d[p + 3] & 0xff);
  }

  /** Nothing to release; kept so that readers stay in try-with-resources blocks. */
  @Override
  public void close() throws IOException {
  }
}
