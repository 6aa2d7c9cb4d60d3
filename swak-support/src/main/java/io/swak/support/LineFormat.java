package io.swak.support;

import io.swak.api.Batch;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.time.LocalDateTime;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.Arrays;

/**
 * Writes the events of a batch as lines of text, straight from msgpack (no intermediate maps):
 * <ul>
 *   <li>{@code json}: {@code {"tag":…,"time":"2026-01-02T03:04:05.123456789Z","record":{…}}}</li>
 *   <li>{@code text}: Fluentd's stdout form, {@code 2026-01-02 03:04:05.123456789 +0000 tag: {…}}</li>
 *   <li>{@code raw}: the value of the message field only (the record as JSON when it has none)</li>
 *   <li>{@code record}: the record alone as a JSON object</li>
 * </ul>
 */
public final class LineFormat {

  /** How each event becomes a line. */
  public enum Kind { JSON, TEXT, RAW, RECORD }

  /** Lines are handed to the stream in blocks of about this size: one write (system call) each. */
  private static final int FLUSH_BYTES = 1 << 18;
  private static final byte[] HEAD_TAG = "{\"tag\":".getBytes(StandardCharsets.US_ASCII);
  private static final byte[] HEAD_TIME = ",\"time\":\"".getBytes(StandardCharsets.US_ASCII);
  private static final byte[] RECORD_FIELD = "\",\"record\":".getBytes(StandardCharsets.US_ASCII);
  private static final byte[] REASON_FIELD = ",\"reason\":".getBytes(StandardCharsets.US_ASCII);
  private static final byte[] ZONE = " +0000".getBytes(StandardCharsets.US_ASCII);
  private static final DateTimeFormatter ISO = DateTimeFormatter.ofPattern("yyyy-MM-dd'T'HH:mm:ss");
  private static final DateTimeFormatter FLUENT = DateTimeFormatter.ofPattern("yyyy-MM-dd HH:mm:ss");

  private final Kind kind;
  private final byte[] messageKey;
  private final JsonBytes json = new JsonBytes();
  private final MsgpackJson.Entry entry = new MsgpackJson.Entry();
  private long cachedSecond = Long.MIN_VALUE;
  private long isoNanos;
  private byte[] isoBytes;
  private String cachedPrefix = "";

  public LineFormat(Kind kind, String messageKey) {
    this.kind = kind;
    this.messageKey = messageKey.getBytes(StandardCharsets.UTF_8);
  }

  /** Writes every event of {@code batch} as one line each. */
  public void write(Batch batch, OutputStream out) throws IOException {
    write(batch, out, null);
  }

  /**
   * The same, with {@code "reason": reason} after the record of each {@code json} line when a reason is
   * given (the dead-letter file says why each event is there).
   */
  public void write(Batch batch, OutputStream out, String reason) throws IOException {
    JsonBytes j = json;
    byte[] head = null;
    byte[] tail = null;
    if (reason != null && kind == Kind.JSON) {
      j.raw(REASON_FIELD);
      j.string(reason);
      tail = java.util.Arrays.copyOf(j.buf, j.len);
      j.len = 0;
    }
    if (kind == Kind.JSON) {
      j.raw(HEAD_TAG);
      j.string(batch.tag());
      j.raw(HEAD_TIME);
      head = java.util.Arrays.copyOf(j.buf, j.len); // {"tag":"…","time":" — the same for the whole batch
      j.len = 0;
    }
    byte[] tagText = kind == Kind.TEXT ? (" " + batch.tag() + ": ").getBytes(StandardCharsets.UTF_8) : null;
    byte[] d = batch.data();
    int end = batch.length();
    MsgpackJson.Entry e = entry;
    try {
      int p = 0;
      while (p < end) {
        int record = MsgpackJson.entry(d, p, end, e);
        long t = e.timeNanos;
        switch (kind) {
          case JSON -> {
            j.raw(head);
            isoTime(t, j);
            j.raw(RECORD_FIELD);
            p = MsgpackJson.value(d, record, end, j);
            if (tail != null) {
              j.raw(tail);
            }
            j.raw((byte) '}');
          }
          case TEXT -> {
            fluentTime(t, j);
            j.raw(tagText);
            p = MsgpackJson.value(d, record, end, j);
          }
          case RECORD -> p = MsgpackJson.value(d, record, end, j);
          case RAW -> p = writeMessage(d, record, end, j);
          default -> throw new IllegalStateException();
        }
        j.raw((byte) '\n');
        if (j.len > FLUSH_BYTES) {
          j.flushTo(out);
        }
      }
      j.flushTo(out);
    } catch (IOException | RuntimeException ex) {
      j.len = 0;
      throw ex;
    }
  }

  /** The message field's text as is, else the record as JSON; returns the position after the record. */
  private int writeMessage(byte[] d, int record, int end, JsonBytes j) throws IOException {
    long field = MsgpackJson.stringField(d, record, end, messageKey);
    if (field >= 0) {
      j.raw(d, (int) (field >>> 32), (int) field);
      return MsgpackJson.skip(d, record, end);
    }
    return MsgpackJson.value(d, record, end, j);
  }

  /**
   * {@code 2026-01-02T03:04:05.123456789Z}. Kept as bytes for the last time written: the lines of one
   * read of a file share their time, so most events copy it.
   */
  private void isoTime(long nanos, JsonBytes j) {
    if (nanos != isoNanos || isoBytes == null) {
      int start = j.len;
      long sec = Math.floorDiv(nanos, 1_000_000_000L);
      j.ascii(secondPrefix(sec, ISO));
      fraction((int) Math.floorMod(nanos, 1_000_000_000L), j);
      j.raw((byte) 'Z');
      isoBytes = Arrays.copyOfRange(j.buf, start, j.len);
      isoNanos = nanos;
      return;
    }
    j.raw(isoBytes);
  }

  /** {@code 2026-01-02 03:04:05.123456789 +0000}, as Fluentd's stdout prints it. */
  private void fluentTime(long nanos, JsonBytes j) {
    long sec = Math.floorDiv(nanos, 1_000_000_000L);
    j.ascii(secondPrefix(sec, FLUENT));
    fraction((int) Math.floorMod(nanos, 1_000_000_000L), j);
    j.raw(ZONE);
  }

  private static void fraction(int ns, JsonBytes j) {
    j.ensure(10);
    j.buf[j.len] = '.';
    for (int i = 9; i >= 1; i--) {
      j.buf[j.len + i] = (byte) ('0' + ns % 10);
      ns /= 10;
    }
    j.len += 10;
  }

  private String secondPrefix(long sec, DateTimeFormatter f) {
    if (sec != cachedSecond) {
      cachedSecond = sec;
      cachedPrefix = LocalDateTime.ofEpochSecond(sec, 0, ZoneOffset.UTC).format(f);
    }
    return cachedPrefix;
  }

}
