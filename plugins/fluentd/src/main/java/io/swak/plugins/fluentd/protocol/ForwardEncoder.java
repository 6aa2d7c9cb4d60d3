package io.swak.plugins.fluentd.protocol;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import io.swak.api.Batch;
import io.swak.api.BatchBuilder;
import io.swak.api.EntryReader;
import io.swak.api.MsgpackHeaders;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.Base64;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.zip.Deflater;
import java.util.zip.GZIPOutputStream;
import org.msgpack.core.MessageBufferPacker;
import org.msgpack.core.MessagePack;

/**
 * What out.Fluentd writes: a PackedForward message is a small header ({@code [tag, bin(N)}), the
 * batch's bytes as they are, and the options map, so a batch is sent without re-encoding. Only
 * {@code message_key} and {@code json} need the records decoded.
 */
public final class ForwardEncoder {

  /** Jackson only for `json: true`: not loaded (a few ms of start-up) before the first PackedForward send. */
  private static final class Json {
    static final JsonFactory FACTORY = new JsonFactory();
  }

  private ForwardEncoder() { }

  private static final byte[] SIZE = BatchBuilder.key("size");
  private static final byte[] CHUNK = BatchBuilder.key("chunk");
  private static final byte[] COMPRESSED = BatchBuilder.key("compressed");
  private static final byte[] GZIP = BatchBuilder.key("gzip");

  /** {@code [tag, bin header}: the bytes before the entries of a PackedForward message. */
  public static byte[] header(String tag, int entriesLength) {
    byte[] t = tag.getBytes(StandardCharsets.UTF_8);
    byte[] b = new byte[1 + 5 + t.length + 5];
    b[0] = (byte) 0x93; // fixarray of 3
    int p = MsgpackHeaders.str(b, 1, t);
    p = MsgpackHeaders.bin(b, p, entriesLength);
    return Arrays.copyOf(b, p);
  }

  /** The options map: size, and chunk / compressed when set. */
  public static byte[] options(int size, String chunk, boolean gzip) {
    byte[] c = chunk == null ? null : chunk.getBytes(StandardCharsets.UTF_8);
    byte[] b = new byte[64 + (c == null ? 0 : c.length)];
    b[0] = (byte) (0x80 | (1 + (c != null ? 1 : 0) + (gzip ? 1 : 0))); // fixmap
    int p = MsgpackHeaders.str(b, 1, SIZE);
    p = MsgpackHeaders.uint(b, p, size);
    if (c != null) {
      p = MsgpackHeaders.str(b, p, CHUNK);
      p = MsgpackHeaders.str(b, p, c);
    }
    if (gzip) {
      p = MsgpackHeaders.str(b, p, COMPRESSED);
      p = MsgpackHeaders.str(b, p, GZIP);
    }
    return Arrays.copyOf(b, p);
  }

  /** A chunk id like Fluent Bit's: base64 of 16 random bytes. */
  public static String chunkId() {
    return Base64.getEncoder().encodeToString(Handshake.random(16));
  }

  public static byte[] gzip(byte[] data, int off, int len) {
    ByteArrayOutputStream out = new ByteArrayOutputStream(Math.max(64, len / 4));
    try (GZIPOutputStream z = new GZIPOutputStream(out, 64 * 1024) {
      {
        def.setLevel(Deflater.BEST_SPEED);
      }
    }) {
      z.write(data, off, len);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return out.toByteArray();
  }

  /** A Message-mode event {@code [tag, EventTime, record]} (ping and drain-log events). */
  public static byte[] message(String tag, long timeNanos, Map<String, ?> record) {
    try (MessageBufferPacker p = MessagePack.newDefaultBufferPacker()) {
      p.packArrayHeader(3);
      p.packString(tag);
      byte[] t = new byte[10];
      p.writePayload(t, 0, MsgpackHeaders.eventTime(t, 0, timeNanos));
      p.writePayload(BatchBuilder.packValue(record));
      return p.toByteArray();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** The batch with each record's {@code message} field renamed to {@code key}. */
  public static Batch renameMessage(Batch batch, String key) {
    BatchBuilder b = new BatchBuilder();
    for (var e : batch.events()) {
      Map<String, Object> r = e.record();
      if (r.containsKey("message") && !r.containsKey(key)) {
        Map<String, Object> m = new LinkedHashMap<>();
        r.forEach((k, v) -> m.put(k.equals("message") ? key : k, v));
        r = m;
      }
      b.add(e.timeNanos(), r);
    }
    return b.build(batch.tag(), batch.ack());
  }

  /**
   * The batch as a JSON Forward message {@code ["tag", [[time, {record}], ...], {"size": n, "chunk": id}]};
   * JSON has no EventTime, so time is integer seconds, as fluent-agent-lite sends it.
   */
  public static byte[] json(Batch batch, String chunk) {
    ByteArrayOutputStream out = new ByteArrayOutputStream(batch.length() * 2 + 64);
    try (JsonGenerator g = Json.FACTORY.createGenerator(out)) {
      g.writeStartArray();
      g.writeString(batch.tag());
      g.writeStartArray();
      try (EntryReader r = new EntryReader(batch.data(), 0, batch.length())) {
        while (r.hasNext()) {
          r.next();
          g.writeStartArray();
          g.writeNumber(Math.floorDiv(r.timeNanos(), 1_000_000_000L));
          writeJson(g, r.record());
          g.writeEndArray();
        }
      }
      g.writeEndArray();
      g.writeStartObject();
      g.writeNumberField("size", batch.count());
      if (chunk != null) {
        g.writeStringField("chunk", chunk);
      }
      g.writeEndObject();
      g.writeEndArray();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return out.toByteArray();
  }

  private static void writeJson(JsonGenerator g, Object v) throws IOException {
    if (v == null) {
      g.writeNull();
    } else if (v instanceof String s) {
      g.writeString(s);
    } else if (v instanceof Long || v instanceof Integer) {
      g.writeNumber(((Number) v).longValue());
    } else if (v instanceof Double d) {
      g.writeNumber(d);
    } else if (v instanceof Boolean b) {
      g.writeBoolean(b);
    } else if (v instanceof byte[] b) {
      g.writeString(new String(b, StandardCharsets.UTF_8));
    } else if (v instanceof Map<?, ?> m) {
      g.writeStartObject();
      for (var e : m.entrySet()) {
        g.writeFieldName(String.valueOf(e.getKey()));
        writeJson(g, e.getValue());
      }
      g.writeEndObject();
    } else if (v instanceof Collection<?> c) {
      g.writeStartArray();
      for (Object o : c) {
        writeJson(g, o);
      }
      g.writeEndArray();
    } else {
      g.writeString(String.valueOf(v));
    }
  }
}
