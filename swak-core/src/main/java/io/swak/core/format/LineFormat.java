package io.swak.core.format;

import com.fasterxml.jackson.core.JsonEncoding;
import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.core.io.JsonStringEncoder;
import com.fasterxml.jackson.core.io.SerializedString;
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

  private static final JsonFactory JSON = JsonFactory.builder().build();
  private static final DateTimeFormatter ISO = DateTimeFormatter.ofPattern("yyyy-MM-dd'T'HH:mm:ss");
  private static final DateTimeFormatter FLUENT = DateTimeFormatter.ofPattern("yyyy-MM-dd HH:mm:ss");

  private final Kind kind;
  private final byte[] messageKey;
  private static final String RECORD_FIELD = "Z\",\"record\":";
  private final char[] timeChars = new char[64];
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
    try (JsonGenerator g = JSON.createGenerator(out, JsonEncoding.UTF8);
         EntryReader r = new EntryReader(batch.data(), 0, batch.length())) {
      g.disable(JsonGenerator.Feature.AUTO_CLOSE_TARGET);
      g.setRootValueSeparator(new SerializedString(""));
      String head = kind == Kind.JSON ? "{\"tag\":\"" + new String(JsonStringEncoder.getInstance().quoteAsString(
          batch.tag())) + "\",\"time\":\"" : null;
      while (r.hasNext()) {
        r.next();
        long t = r.timeNanos();
        MessageUnpacker in = r.unpacker();
        switch (kind) {
          case JSON -> {
            // the envelope is written raw: per event only the time's fraction changes
            g.writeRaw(head);
            int n = isoTime(t);
            g.writeRaw(timeChars, 0, n);
            copyValue(in, g);
            g.writeRaw('}');
          }
          case TEXT -> {
            g.writeRaw(fluentTime(t));
            g.writeRaw(' ');
            g.writeRaw(batch.tag());
            g.writeRaw(": ");
            copyValue(in, g);
          }
          case RECORD -> copyValue(in, g);
          case RAW -> writeMessage(batch, r.position(), in, g, out);
          default -> throw new IllegalStateException();
        }
        g.writeRaw('\n');
      }
      g.flush();
    }
  }

  /** The message field's text as is, else the record as JSON. */
  private void writeMessage(Batch batch, long recordStart, MessageUnpacker in, JsonGenerator g, OutputStream out)
      throws IOException {
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
          byte[] b = in.readPayload(in.unpackRawStringHeader());
          for (int j = i + 1; j < n; j++) {
            in.skipValue();
            in.skipValue();
          }
          g.flush();
          out.write(b);
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
      copyValue(again, g);
    }
  }

  /** Copies one msgpack value to JSON. */
  private void copyValue(MessageUnpacker in, JsonGenerator g) throws IOException {
    MessageFormat f = in.getNextFormat();
    switch (f.getValueType()) {
      case NIL -> {
        in.unpackNil();
        g.writeNull();
      }
      case BOOLEAN -> g.writeBoolean(in.unpackBoolean());
      case INTEGER -> {
        if (f == MessageFormat.UINT64) {
          g.writeNumber(in.unpackBigInteger());
        } else {
          g.writeNumber(in.unpackLong());
        }
      }
      case FLOAT -> g.writeNumber(in.unpackDouble());
      case STRING -> {
        int len = in.unpackRawStringHeader();
        if (len > scratch.length) {
          scratch = new byte[Math.max(len, scratch.length * 2)];
        }
        in.readPayload(scratch, 0, len); // into a reused array: no allocation per string
        g.writeUTF8String(scratch, 0, len);
      }
      case BINARY -> g.writeBinary(in.readPayload(in.unpackBinaryHeader()));
      case ARRAY -> {
        int n = in.unpackArrayHeader();
        g.writeStartArray();
        for (int i = 0; i < n; i++) {
          copyValue(in, g);
        }
        g.writeEndArray();
      }
      case MAP -> {
        int n = in.unpackMapHeader();
        g.writeStartObject();
        for (int i = 0; i < n; i++) {
          MessageFormat kf = in.getNextFormat();
          if (kf.getValueType() == ValueType.STRING) {
            g.writeFieldName(in.unpackString());
          } else {
            g.writeFieldName(String.valueOf(EntryReader.readValue(in)));
          }
          copyValue(in, g);
        }
        g.writeEndObject();
      }
      case EXTENSION -> {
        var h = in.unpackExtensionTypeHeader();
        g.writeBinary(in.readPayload(h.getLength()));
      }
      default -> throw new IOException("unknown msgpack type " + f);
    }
  }

  /** Writes {@code 2026-01-02T03:04:05.123456789Z","record":} into {@link #timeChars}; returns its length. */
  private int isoTime(long nanos) {
    long sec = Math.floorDiv(nanos, 1_000_000_000L);
    int ns = (int) Math.floorMod(nanos, 1_000_000_000L);
    String prefix = secondPrefix(sec, ISO);
    int p = prefix.length();
    prefix.getChars(0, p, timeChars, 0);
    timeChars[p++] = '.';
    for (int i = 8; i >= 0; i--) {
      timeChars[p + i] = (char) ('0' + ns % 10);
      ns /= 10;
    }
    p += 9;
    for (int i = 0; i < RECORD_FIELD.length(); i++) {
      timeChars[p++] = RECORD_FIELD.charAt(i);
    }
    return p;
  }

  private String fluentTime(long nanos) {
    long sec = Math.floorDiv(nanos, 1_000_000_000L);
    int ns = (int) Math.floorMod(nanos, 1_000_000_000L);
    return secondPrefix(sec, FLUENT) + '.' + nineDigits(ns) + " +0000";
  }

  private String secondPrefix(long sec, DateTimeFormatter f) {
    if (sec != cachedSecond) {
      cachedSecond = sec;
      cachedPrefix = LocalDateTime.ofEpochSecond(sec, 0, ZoneOffset.UTC).format(f);
    }
    return cachedPrefix;
  }

  private static String nineDigits(int ns) {
    String s = Integer.toString(ns);
    return "000000000".substring(s.length()) + s;
  }
}
