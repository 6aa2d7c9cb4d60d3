package io.swak.plugins.kafka;

import io.swak.api.Batch;
import io.swak.api.EntryReader;
import io.swak.api.MsgpackException;
import io.swak.api.MsgpackHeaders;
import io.swak.api.MsgpackReader;
import io.swak.plugins.otlp.OtlpMessages;
import io.swak.support.LineFormat;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.time.LocalDateTime;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.Arrays;

/**
 * Turns each event of a batch into the value of one Kafka message: {@code json} (the record as a JSON object),
 * {@code msgpack} (the record's msgpack map as it is in the batch), {@code raw} (the text of the message field; the
 * record as JSON when it has none) or {@code otlp} (an OTLP ExportLogsServiceRequest of the event's one LogRecord, the
 * OpenTelemetry Collector's {@code otlp_proto} encoding on Kafka). With a time key, the event's time is added to the
 * record as an RFC 3339 string with nanoseconds. Not thread-safe: one per output.
 */
final class RecordEncoder {

  /** What the value of each message is. */
  public enum Format { JSON, MSGPACK, RAW, OTLP }

  /** Receives each event's value, with where its record lies in the batch (for keys and topics from fields). */
  interface Sink {
    /**
     * False stops the batch (the rest is not encoded). {@code value} is null for an event that cannot be encoded
     * however often it is tried (with otlp: nested deeper than OTLP receivers accept); {@link #problem} says why.
     */
    boolean accept(long timeNanos, int recordStart, int recordEnd, byte[] value) throws Exception;
  }

  private static final DateTimeFormatter ISO = DateTimeFormatter.ofPattern("yyyy-MM-dd'T'HH:mm:ss");

  private final Format format;
  private final byte[] messageKey;
  /** {@code message_key} as the path {@link Template.FieldValue#find} walks. */
  private final byte[][] messagePath;
  private final byte[] timeKeyJson;
  private final byte[] timeKeyUtf8;
  private final LineFormat json = new LineFormat(LineFormat.Kind.RECORD, "message");
  /** With {@code format: otlp}: the events' mapping to LogRecords, in.OpenTelemetry's and out.OpenTelemetry's. */
  private final OtlpMessages otlp;
  private final Lines lines = new Lines();
  private long cachedSecond = Long.MIN_VALUE;
  private String problem;
  private String cachedPrefix;

  RecordEncoder(Format format, String messageKey, String timeKey) {
    this.format = format;
    this.otlp = format == Format.OTLP ? new OtlpMessages(messageKey) : null;
    this.messageKey = messageKey.getBytes(StandardCharsets.UTF_8);
    this.messagePath = new byte[][] {this.messageKey};
    this.timeKeyUtf8 = timeKey == null ? null : timeKey.getBytes(StandardCharsets.UTF_8);
    this.timeKeyJson = timeKey == null ? null : jsonString(timeKey);
  }

  /** Why the last event given to the sink without a value could not be encoded. */
  String problem() {
    return problem;
  }

  private byte[] otlp(byte[] d, int rs, int end, long t) {
    try {
      return otlp.encode(d, rs, end, t);
    } catch (IOException e) {
      problem = "the event cannot be encoded as an OTLP LogRecord: " + e.getMessage();
      return null;
    }
  }

  /** Trace or span ids of {@code otlp} records that were not hex (kept as attributes), since this was made. */
  long invalidIds() {
    return otlp == null ? 0 : otlp.invalidIds();
  }

  /** Encodes every event of {@code batch} in order; a batch whose msgpack is broken throws IOException. */
  void encode(Batch batch, Sink sink) throws Exception {
    byte[] d = batch.data();
    int end = batch.length();
    if (format == Format.JSON) {
      lines.reset();
      json.write(batch, lines); // one JSON object per line, JSON escapes every newline inside
    }
    int lineStart = 0;
    try (EntryReader r = new EntryReader(d, 0, end)) {
      while (r.hasNext()) {
        r.next();
        int rs = r.recordStart();
        int re = r.recordEnd();
        long t = r.timeNanos();
        byte[] value;
        switch (format) {
          case JSON -> {
            int nl = lines.indexOf((byte) '\n', lineStart);
            value = withTime(lines.buf(), lineStart, nl, t);
            lineStart = nl + 1;
          }
          case MSGPACK -> value = msgpack(d, rs, re, t);
          case RAW -> value = raw(batch, d, rs, re);
          case OTLP -> value = otlp(d, rs, end, t);
          default -> throw new IllegalStateException();
        }
        if (!sink.accept(t, rs, re, value)) {
          return;
        }
      }
    } catch (MsgpackException e) {
      throw new IOException("malformed event in the batch: " + e.getMessage(), e);
    }
  }

  private byte[] withTime(byte[] b, int start, int end, long t) {
    if (timeKeyJson == null || end - start < 2 || b[start] != '{') {
      return Arrays.copyOfRange(b, start, end);
    }
    byte[] time = jsonString(iso(t));
    boolean empty = b[start + 1] == '}';
    int n = end - start + timeKeyJson.length + 1 + time.length + (empty ? 0 : 1);
    byte[] out = new byte[n];
    out[0] = '{';
    int p = 1;
    System.arraycopy(timeKeyJson, 0, out, p, timeKeyJson.length);
    p += timeKeyJson.length;
    out[p++] = ':';
    System.arraycopy(time, 0, out, p, time.length);
    p += time.length;
    if (!empty) {
      out[p++] = ',';
    }
    System.arraycopy(b, start + 1, out, p, end - start - 1);
    return out;
  }

  private byte[] msgpack(byte[] d, int rs, int re, long t) {
    if (timeKeyUtf8 == null) {
      return Arrays.copyOfRange(d, rs, re);
    }
    MsgpackReader in = new MsgpackReader(d, rs, re - rs);
    if (in.nextType() != MsgpackReader.Type.MAP) {
      return Arrays.copyOfRange(d, rs, re);
    }
    int n = in.readMapHeader();
    int body = in.position();
    byte[] time = iso(t).getBytes(StandardCharsets.UTF_8);
    byte[] out = new byte[5 + 5 + timeKeyUtf8.length + 5 + time.length + (re - body)];
    int p = MsgpackHeaders.map(out, 0, n + 1);
    p = MsgpackHeaders.str(out, p, timeKeyUtf8);
    p = MsgpackHeaders.str(out, p, time);
    System.arraycopy(d, body, out, p, re - body);
    return Arrays.copyOf(out, p + re - body);
  }

  private byte[] raw(Batch batch, byte[] d, int rs, int re) throws IOException {
    MsgpackReader in = new MsgpackReader(d, rs, re - rs);
    if (Template.FieldValue.find(in, d, messagePath) >= 0 && in.nextType() == MsgpackReader.Type.STRING) {
      int len = in.readStringLength();
      return Arrays.copyOfRange(d, in.position(), in.position() + len);
    }
    // no message text: the record as JSON, as out.File's raw lines do
    byte[] entry = new byte[11 + re - rs];
    int p = MsgpackHeaders.entryHead(entry, 0, 0);
    System.arraycopy(d, rs, entry, p, re - rs);
    Lines one = new Lines();
    json.write(new Batch(batch.tag(), entry, p + re - rs, 1, io.swak.api.Ack.NONE), one);
    return Arrays.copyOf(one.buf(), Math.max(0, one.size() - 1));
  }

  private String iso(long nanos) {
    long sec = Math.floorDiv(nanos, 1_000_000_000L);
    if (sec != cachedSecond) {
      cachedSecond = sec;
      cachedPrefix = LocalDateTime.ofEpochSecond(sec, 0, ZoneOffset.UTC).format(ISO);
    }
    int ns = (int) Math.floorMod(nanos, 1_000_000_000L);
    String frac = Integer.toString(1_000_000_000 + ns).substring(1);
    return cachedPrefix + "." + frac + "Z";
  }

  private static byte[] jsonString(String s) {
    StringBuilder sb = new StringBuilder(s.length() + 2).append('"');
    for (int i = 0; i < s.length(); i++) {
      char c = s.charAt(i);
      if (c == '"' || c == '\\') {
        sb.append('\\').append(c);
      } else if (c < 0x20) {
        sb.append(String.format("\\u%04x", (int) c));
      } else {
        sb.append(c);
      }
    }
    return sb.append('"').toString().getBytes(StandardCharsets.UTF_8);
  }

  /** The JSON lines of a batch, kept to be cut into one value per event. */
  private static final class Lines extends ByteArrayOutputStream {
    Lines() {
      super(1 << 16);
    }

    byte[] buf() {
      return buf;
    }

    int indexOf(byte b, int from) {
      for (int i = from; i < count; i++) {
        if (buf[i] == b) {
          return i;
        }
      }
      throw new IllegalStateException("the JSON of the batch has fewer lines than events");
    }
  }
}
