package io.swak.plugins.kafka;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import io.swak.api.Ack;
import io.swak.api.Batch;
import io.swak.api.BatchBuilder;
import io.swak.api.EntryReader;
import io.swak.api.MsgpackException;
import io.swak.api.MsgpackHeaders;
import io.swak.api.MsgpackReader;
import io.swak.api.StepContext;
import io.swak.plugins.otlp.OtlpMessages;
import io.swak.support.JsonValues;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.Map;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.common.header.Header;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Turns a Kafka message into an event. A value that is not what the format expects (JSON that does not parse or
 * is not an object, msgpack that is not one map) is not dropped: its bytes become the record's message field,
 * and it is counted ({@code parse_errors}) and logged (the first, then at most every 10 s).
 */
final class RecordDecoder {

  private static final Logger LOG = LoggerFactory.getLogger("swak.kafka");
  private static final JsonFactory JSON = new JsonFactory();
  private static final long LOG_EVERY_NANOS = 10_000_000_000L;

  private final KafkaInputPlugin.Format format;
  private final String messageKey;
  private final byte[] messageKeyUtf8;
  private final String metadataKey;
  private final byte[] head = new byte[16];
  /** With {@code format: otlp}: in.OpenTelemetry's mapping of LogRecords to events. */
  private final OtlpMessages otlp;
  /** The events of one OTLP message, before its metadata is added to each. */
  private final BatchBuilder otlpScratch = new BatchBuilder();
  private long unparsed;
  private long unparsedSinceLog;
  private long lastLogNanos = System.nanoTime() - LOG_EVERY_NANOS;

  RecordDecoder(KafkaInputPlugin.Format format, String messageKey, String metadataKey) {
    this.format = format;
    this.messageKey = messageKey;
    this.messageKeyUtf8 = messageKey.getBytes(StandardCharsets.UTF_8);
    this.metadataKey = metadataKey;
    this.otlp = format == KafkaInputPlugin.Format.OTLP ? new OtlpMessages(messageKey) : null;
  }

  /** Messages that did not parse since the last call. */
  long takeUnparsed() {
    long n = unparsed;
    unparsed = 0;
    return n;
  }

  void add(BatchBuilder b, ConsumerRecord<byte[], byte[]> r, StepContext ctx) {
    long time = r.timestamp() >= 0 ? r.timestamp() * 1_000_000L : ctx.nowNanos();
    byte[] v = r.value();
    if (v == null) {
      Map<String, Object> rec = new LinkedHashMap<>();
      rec.put(messageKey, null); // a tombstone: a key without a value
      b.add(time, withMetadata(rec, r));
      return;
    }
    switch (format) {
      case RAW -> {
        if (metadataKey == null) {
          b.addMessage(time, messageKeyUtf8, v, 0, v.length);
        } else {
          Map<String, Object> rec = new LinkedHashMap<>();
          rec.put(messageKey, new String(v, StandardCharsets.UTF_8));
          b.add(time, withMetadata(rec, r));
        }
      }
      case JSON -> {
        Map<String, Object> rec = json(v);
        if (rec == null) {
          unparsable(r, "is not a JSON object");
          rec = new LinkedHashMap<>();
          rec.put(messageKey, new String(v, StandardCharsets.UTF_8));
        }
        b.add(time, withMetadata(rec, r));
      }
      case MSGPACK -> {
        if (isOneMap(v)) {
          if (metadataKey == null) {
            int p = MsgpackHeaders.entryHead(head, 0, time);
            b.addEntries(head, 0, p, 0);
            b.addEntries(v, 0, v.length, 1);
          } else {
            Map<String, Object> rec = new MsgpackReader(v).readMap();
            b.add(time, withMetadata(rec, r));
          }
        } else {
          unparsable(r, "is not one msgpack map");
          Map<String, Object> rec = new LinkedHashMap<>();
          rec.put(messageKey, v); // kept as bytes
          b.add(time, withMetadata(rec, r));
        }
      }
      case OTLP -> otlp(b, r, v, time);
      default -> throw new IllegalStateException();
    }
  }

  /** The LogRecords of an ExportLogsServiceRequest, one event each; the time of a record without one: the message's. */
  private void otlp(BatchBuilder b, ConsumerRecord<byte[], byte[]> r, byte[] v, long time) {
    BatchBuilder into = metadataKey == null ? b : otlpScratch;
    try {
      otlp.decode(v, time, into);
    } catch (IOException e) {
      unparsable(r, "is not an OTLP ExportLogsServiceRequest");
      Map<String, Object> rec = new LinkedHashMap<>();
      rec.put(messageKey, v); // kept as bytes
      b.add(time, withMetadata(rec, r));
      return;
    }
    if (into == otlpScratch && otlpScratch.count() > 0) {
      Batch records = otlpScratch.build("", Ack.NONE);
      try (EntryReader e = new EntryReader(records.data(), 0, records.length())) {
        while (e.hasNext()) {
          e.next();
          Map<String, Object> rec = new MsgpackReader(records.data(), e.recordStart(),
              e.recordEnd() - e.recordStart()).readMap();
          b.add(e.timeNanos(), withMetadata(rec, r));
        }
      } catch (IOException e) {
        throw new IllegalStateException("the events just made of an OTLP message cannot be read", e);
      }
    }
  }

  private static boolean isOneMap(byte[] v) {
    try {
      MsgpackReader in = new MsgpackReader(v);
      if (!in.hasNext() || in.nextType() != MsgpackReader.Type.MAP) {
        return false;
      }
      in.skipValue();
      return !in.hasNext();
    } catch (MsgpackException e) {
      return false;
    }
  }

  @SuppressWarnings("unchecked")
  private static Map<String, Object> json(byte[] v) {
    try (JsonParser p = JSON.createParser(v)) {
      if (p.nextToken() != JsonToken.START_OBJECT) {
        return null;
      }
      Object value = JsonValues.read(p);
      if (p.nextToken() != null) {
        return null; // more after the object
      }
      return (Map<String, Object>) value;
    } catch (IOException e) {
      return null;
    }
  }

  private Map<String, Object> withMetadata(Map<String, Object> rec, ConsumerRecord<byte[], byte[]> r) {
    if (metadataKey == null) {
      return rec;
    }
    Map<String, Object> m = new LinkedHashMap<>();
    m.put("topic", r.topic());
    m.put("partition", r.partition());
    m.put("offset", r.offset());
    m.put("key", r.key() == null ? null : new String(r.key(), StandardCharsets.UTF_8));
    m.put("timestamp", r.timestamp());
    Map<String, Object> hs = new LinkedHashMap<>();
    for (Header h : r.headers()) {
      hs.put(h.key(), h.value() == null ? null : new String(h.value(), StandardCharsets.UTF_8));
    }
    m.put("headers", hs);
    rec.put(metadataKey, m);
    return rec;
  }

  private void unparsable(ConsumerRecord<byte[], byte[]> r, String what) {
    unparsed++;
    unparsedSinceLog++;
    long now = System.nanoTime();
    if (now - lastLogNanos >= LOG_EVERY_NANOS) {
      LOG.warn("{} message(s) whose value {} kept as `{}` (e.g. {}-{} offset {}, {} bytes)", unparsedSinceLog, what,
          messageKey, r.topic(), r.partition(), r.offset(), r.value().length);
      unparsedSinceLog = 0;
      lastLogNanos = now;
    }
  }
}
