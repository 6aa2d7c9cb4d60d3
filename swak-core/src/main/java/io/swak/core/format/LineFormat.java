package io.swak.core.format;

import io.swak.api.Batch;
import io.swak.api.EntryReader;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.time.LocalDateTime;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.Arrays;
import org.msgpack.core.MessageFormat;
import org.msgpack.core.MessagePack;
import org.msgpack.core.MessageUnpacker;
import org.msgpack.value.ValueType;

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

  private static final byte[] HEAD_TAG = "{\"tag\":".getBytes(StandardCharsets.US_ASCII);
  private static final byte[] HEAD_TIME = ",\"time\":\"".getBytes(StandardCharsets.US_ASCII);
  private static final byte[] RECORD_FIELD = "\",\"record\":".getBytes(StandardCharsets.US_ASCII);
  private static final byte[] ZONE = " +0000".getBytes(StandardCharsets.US_ASCII);
  private static final DateTimeFormatter ISO = DateTimeFormatter.ofPattern("yyyy-MM-dd'T'HH:mm:ss");
  private static final DateTimeFormatter FLUENT = DateTimeFormatter.ofPattern("yyyy-MM-dd HH:mm:ss");

  private final Kind kind;
  private final byte[] messageKey;
  private final JsonBytes json = new JsonBytes();
  private byte[] scratch = new byte[256];
  private long cachedSecond = Long.MIN_VALUE;
  private String cachedPrefix = "";

  public LineFormat(Kind kind, String messageKey) {
    this.kind = kind;
    this.messageKey = messageKey.getBytes(StandardCharsets.UTF_8);
  }

  public Kind kind() {
    return kind;
  }

  /** Writes every event of {@code batch} as one line each. */
  public void write(Batch batch, OutputStream out) throws IOException {
    JsonBytes j = json;
    byte[] head = null;
    if (kind == Kind.JSON) {
      j.raw(HEAD_TAG);
      j.string(batch.tag());
      j.raw(HEAD_TIME);
      head = java.util.Arrays.copyOf(j.buf, j.len); // {"tag":"…","time":" — the same for the whole batch
      j.len = 0;
    }
    byte[] tagText = kind == Kind.TEXT ? (" " + batch.tag() + ": ").getBytes(StandardCharsets.UTF_8) : null;
    try (EntryReader r = new EntryReader(batch.data(), 0, batch.length())) {
      while (r.hasNext()) {
        r.next();
        long t = r.timeNanos();
        MessageUnpacker in = r.unpacker();
        switch (kind) {
          case JSON -> {
            j.raw(head);
            isoTime(t, j);
            j.raw(RECORD_FIELD);
            copyValue(in, j);
            j.raw((byte) '}');
          }
          case TEXT -> {
            fluentTime(t, j);
            j.raw(tagText);
            copyValue(in, j);
          }
          case RECORD -> copyValue(in, j);
          case RAW -> writeMessage(batch, r.position(), in, j);
          default -> throw new IllegalStateException();
        }
        j.raw((byte) '\n');
        if (j.len > 1 << 16) {
          j.flushTo(out);
        }
      }
      j.flushTo(out);
    } catch (IOException | RuntimeException e) {
      j.len = 0;
      throw e;
    }
  }

  /** The message field's text as is, else the record as JSON. */
  private void writeMessage(Batch batch, long recordStart, MessageUnpacker in, JsonBytes j) throws IOException {
    if (in.getNextFormat().getValueType() == ValueType.MAP) {
      int n = in.unpackMapHeader();
      for (int i = 0; i < n; i++) {
        boolean match = false;
        if (in.getNextFormat().getValueType() == ValueType.STRING) {
          int klen = in.unpackRawStringHeader();
          match = Arrays.equals(in.readPayload(klen), messageKey);
        } else {
          in.skipValue();
        }
        if (match && in.getNextFormat().getValueType() == ValueType.STRING) {
          int len = in.unpackRawStringHeader();
          j.ensure(len);
          in.readPayload(j.buf, j.len, len);
          j.len += len;
          for (int k = i + 1; k < n; k++) {
            in.skipValue();
            in.skipValue();
          }
          return;
        }
        in.skipValue();
      }
    } else {
      in.skipValue();
    }
    // no text message field: the whole record as JSON, read again from its start
    try (MessageUnpacker again = MessagePack.newDefaultUnpacker(batch.data(), (int) recordStart,
        batch.length() - (int) recordStart)) {
      copyValue(again, j);
    }
  }

  /** Copies one msgpack value to JSON. */
  private void copyValue(MessageUnpacker in, JsonBytes j) throws IOException {
    MessageFormat f = in.getNextFormat();
    switch (f.getValueType()) {
      case NIL -> {
        in.unpackNil();
        j.ascii("null");
      }
      case BOOLEAN -> j.ascii(in.unpackBoolean() ? "true" : "false");
      case INTEGER -> {
        if (f == MessageFormat.UINT64) {
          j.ascii(in.unpackBigInteger().toString());
        } else {
          j.number(in.unpackLong());
        }
      }
      case FLOAT -> j.number(in.unpackDouble());
      case STRING -> {
        int len = in.unpackRawStringHeader();
        if (len > scratch.length) {
          scratch = new byte[Math.max(len, scratch.length * 2)];
        }
        in.readPayload(scratch, 0, len); // into a reused array: no allocation per string
        j.string(scratch, 0, len);
      }
      case BINARY -> j.binary(in.readPayload(in.unpackBinaryHeader()));
      case ARRAY -> {
        int n = in.unpackArrayHeader();
        j.raw((byte) '[');
        for (int i = 0; i < n; i++) {
          if (i > 0) {
            j.raw((byte) ',');
          }
          copyValue(in, j);
        }
        j.raw((byte) ']');
      }
      case MAP -> {
        int n = in.unpackMapHeader();
        j.raw((byte) '{');
        for (int i = 0; i < n; i++) {
          if (i > 0) {
            j.raw((byte) ',');
          }
          if (in.getNextFormat().getValueType() == ValueType.STRING) {
            copyValue(in, j);
          } else {
            j.string(String.valueOf(EntryReader.readValue(in)));
          }
          j.raw((byte) ':');
          copyValue(in, j);
        }
        j.raw((byte) '}');
      }
      case EXTENSION -> {
        var h = in.unpackExtensionTypeHeader();
        j.binary(in.readPayload(h.getLength()));
      }
      default -> throw new IOException("unknown msgpack type " + f);
    }
  }

  /** {@code 2026-01-02T03:04:05.123456789Z}. */
  private void isoTime(long nanos, JsonBytes j) {
    long sec = Math.floorDiv(nanos, 1_000_000_000L);
    j.ascii(secondPrefix(sec, ISO));
    fraction((int) Math.floorMod(nanos, 1_000_000_000L), j);
    j.raw((byte) 'Z');
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
