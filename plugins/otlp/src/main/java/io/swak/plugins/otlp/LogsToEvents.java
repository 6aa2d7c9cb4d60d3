package io.swak.plugins.otlp;

import com.google.protobuf.ByteString;
import io.opentelemetry.proto.collector.logs.v1.ExportLogsServiceRequest;
import io.opentelemetry.proto.common.v1.AnyValue;
import io.opentelemetry.proto.common.v1.ArrayValue;
import io.opentelemetry.proto.common.v1.EntityRef;
import io.opentelemetry.proto.common.v1.InstrumentationScope;
import io.opentelemetry.proto.common.v1.KeyValue;
import io.opentelemetry.proto.common.v1.KeyValueList;
import io.opentelemetry.proto.logs.v1.LogRecord;
import io.opentelemetry.proto.logs.v1.ResourceLogs;
import io.opentelemetry.proto.logs.v1.ScopeLogs;
import io.opentelemetry.proto.resource.v1.Resource;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * OTLP LogRecords to Swak events, written as msgpack entries straight from the official protobuf classes (no map
 * per record). The record layout is {@link LogLayout}'s; docs/otlp.md maps it field by field. A resource and a
 * scope are encoded once and copied into each of their records. Not thread-safe: one per network thread.
 */
final class LogsToEvents {

  private static final byte[] K_ATTRIBUTES = MsgpackOut.key(LogLayout.ATTRIBUTES);
  private static final byte[] K_RESOURCE = MsgpackOut.key(LogLayout.RESOURCE);
  private static final byte[] K_SCOPE = MsgpackOut.key(LogLayout.SCOPE);
  private static final byte[] K_SEVERITY_TEXT = MsgpackOut.key(LogLayout.SEVERITY_TEXT);
  private static final byte[] K_SEVERITY_NUMBER = MsgpackOut.key(LogLayout.SEVERITY_NUMBER);
  private static final byte[] K_TRACE_ID = MsgpackOut.key(LogLayout.TRACE_ID);
  private static final byte[] K_SPAN_ID = MsgpackOut.key(LogLayout.SPAN_ID);
  private static final byte[] K_FLAGS = MsgpackOut.key(LogLayout.FLAGS);
  private static final byte[] K_EVENT_NAME = MsgpackOut.key(LogLayout.EVENT_NAME);
  private static final byte[] K_OBSERVED = MsgpackOut.key(LogLayout.OBSERVED_TIME);
  private static final byte[] K_TIME = MsgpackOut.key(LogLayout.TIME);
  private static final byte[] K_DROPPED = MsgpackOut.key(LogLayout.DROPPED);
  private static final byte[] K_SCHEMA_URL = MsgpackOut.key(LogLayout.SCHEMA_URL);
  private static final byte[] K_ENTITY_REFS = MsgpackOut.key(LogLayout.ENTITY_REFS);
  private static final byte[] K_NAME = MsgpackOut.key(LogLayout.NAME);
  private static final byte[] K_VERSION = MsgpackOut.key(LogLayout.VERSION);

  /** Batches are cut at about this size, so a huge request does not become one huge batch. */
  static final int BATCH_BYTES = 1 << 20;

  private final String tag;
  private final byte[] messageKey;
  private final String tagAttribute;
  private final MsgpackOut scratch = new MsgpackOut(1 << 10);

  /**
   * @param tag the tag of every event, unless {@code tagAttribute} names a string attribute that a record has
   * @param messageKey the record key of the body
   * @param tagAttribute null, or the log attribute whose value is the event's tag (it is then not an attribute)
   */
  LogsToEvents(String tag, String messageKey, String tagAttribute) {
    this.tag = tag;
    this.messageKey = MsgpackOut.key(messageKey);
    this.tagAttribute = tagAttribute;
  }

  /**
   * The events of {@code request} ({@code size} bytes of protobuf); {@code nowNanos} is the time of records that
   * carry none.
   */
  Decoded decode(ExportLogsServiceRequest request, int size, long nowNanos) {
    Decoded out = new Decoded();
    Map<String, MsgpackOut> byTag = new LinkedHashMap<>();
    Map<String, int[]> counts = new LinkedHashMap<>();
    for (ResourceLogs rl : request.getResourceLogsList()) {
      byte[] resource = resource(rl);
      for (ScopeLogs sl : rl.getScopeLogsList()) {
        byte[] scope = scope(sl);
        for (LogRecord r : sl.getLogRecordsList()) {
          String t = tagOf(r);
          MsgpackOut o = byTag.get(t);
          if (o == null) {
            o = new MsgpackOut(Math.min(BATCH_BYTES + (BATCH_BYTES >> 2), 256 + size * 2));
            byTag.put(t, o);
            counts.put(t, new int[1]);
          }
          record(r, resource, scope, nowNanos, o);
          int[] c = counts.get(t);
          c[0]++;
          out.records++;
          if (o.len >= BATCH_BYTES) {
            out.add(t, o, c[0]);
            byTag.put(t, o = new MsgpackOut(BATCH_BYTES + (BATCH_BYTES >> 2)));
            c[0] = 0;
          }
        }
      }
    }
    for (Map.Entry<String, MsgpackOut> e : byTag.entrySet()) {
      int c = counts.get(e.getKey())[0];
      if (c > 0) {
        out.add(e.getKey(), e.getValue(), c);
      }
    }
    return out;
  }

  private String tagOf(LogRecord r) {
    if (tagAttribute != null) {
      for (int i = 0, n = r.getAttributesCount(); i < n; i++) {
        KeyValue kv = r.getAttributes(i);
        if (kv.getKey().equals(tagAttribute) && kv.getValue().hasStringValue()
            && !kv.getValue().getStringValue().isEmpty()) {
          return kv.getValue().getStringValue();
        }
      }
    }
    return tag;
  }

  private boolean isTagAttribute(KeyValue kv) {
    return tagAttribute != null && kv.getKey().equals(tagAttribute) && kv.getValue().hasStringValue()
        && !kv.getValue().getStringValue().isEmpty();
  }

  private void record(LogRecord r, byte[] resource, byte[] scope, long nowNanos, MsgpackOut o) {
    long time = r.getTimeUnixNano();
    long observed = r.getObservedTimeUnixNano();
    o.entryHead(time != 0 ? time : observed != 0 ? observed : nowNanos);
    int attributes = r.getAttributesCount();
    if (tagAttribute != null) {
      for (int i = 0; i < r.getAttributesCount(); i++) {
        if (isTagAttribute(r.getAttributes(i))) {
          attributes--;
        }
      }
    }
    String severityText = r.getSeverityText();
    int severity = r.getSeverityNumberValue();
    ByteString traceId = r.getTraceId();
    ByteString spanId = r.getSpanId();
    String eventName = r.getEventName();
    int fields = (r.hasBody() ? 1 : 0) + (attributes > 0 ? 1 : 0) + (resource != null ? 1 : 0)
        + (scope != null ? 1 : 0) + (!severityText.isEmpty() ? 1 : 0) + (severity != 0 ? 1 : 0)
        + (!traceId.isEmpty() ? 1 : 0) + (!spanId.isEmpty() ? 1 : 0) + (r.getFlags() != 0 ? 1 : 0)
        + (!eventName.isEmpty() ? 1 : 0) + (observed != 0 ? 1 : 0) + (time == 0 ? 1 : 0)
        + (r.getDroppedAttributesCount() != 0 ? 1 : 0);
    o.map(fields);
    if (r.hasBody()) {
      o.raw(messageKey);
      value(r.getBody(), o);
    }
    if (!severityText.isEmpty()) {
      o.raw(K_SEVERITY_TEXT);
      o.str(severityText);
    }
    if (severity != 0) {
      o.raw(K_SEVERITY_NUMBER);
      o.integer(severity);
    }
    if (attributes > 0) {
      o.raw(K_ATTRIBUTES);
      o.map(attributes);
      for (int i = 0, n = r.getAttributesCount(); i < n; i++) {
        KeyValue kv = r.getAttributes(i);
        if (!isTagAttribute(kv)) {
          o.str(kv.getKey());
          value(kv.getValue(), o);
        }
      }
    }
    if (!traceId.isEmpty()) {
      o.raw(K_TRACE_ID);
      Hex.write(traceId, o);
    }
    if (!spanId.isEmpty()) {
      o.raw(K_SPAN_ID);
      Hex.write(spanId, o);
    }
    if (r.getFlags() != 0) {
      o.raw(K_FLAGS);
      o.integer(r.getFlags() & 0xffffffffL);
    }
    if (!eventName.isEmpty()) {
      o.raw(K_EVENT_NAME);
      o.str(eventName);
    }
    if (observed != 0) {
      o.raw(K_OBSERVED);
      o.unsigned(observed);
    }
    if (time == 0) {
      o.raw(K_TIME);
      o.integer(0);
    }
    if (r.getDroppedAttributesCount() != 0) {
      o.raw(K_DROPPED);
      o.integer(r.getDroppedAttributesCount() & 0xffffffffL);
    }
    if (resource != null) {
      o.raw(K_RESOURCE);
      o.raw(resource);
    }
    if (scope != null) {
      o.raw(K_SCOPE);
      o.raw(scope);
    }
  }

  /** The {@code resource} map of a ResourceLogs' records, or null when it has nothing. */
  private byte[] resource(ResourceLogs rl) {
    Resource res = rl.getResource();
    String schema = rl.getSchemaUrl();
    int fields = (res.getAttributesCount() > 0 ? 1 : 0) + (res.getDroppedAttributesCount() != 0 ? 1 : 0)
        + (res.getEntityRefsCount() > 0 ? 1 : 0) + (!schema.isEmpty() ? 1 : 0);
    if (fields == 0) {
      return null;
    }
    MsgpackOut o = scratch;
    o.len = 0;
    o.map(fields);
    if (res.getAttributesCount() > 0) {
      o.raw(K_ATTRIBUTES);
      attributes(res.getAttributesList(), o);
    }
    if (res.getDroppedAttributesCount() != 0) {
      o.raw(K_DROPPED);
      o.integer(res.getDroppedAttributesCount() & 0xffffffffL);
    }
    if (res.getEntityRefsCount() > 0) {
      o.raw(K_ENTITY_REFS);
      o.array(res.getEntityRefsCount());
      for (EntityRef ref : res.getEntityRefsList()) {
        entityRef(ref, o);
      }
    }
    if (!schema.isEmpty()) {
      o.raw(K_SCHEMA_URL);
      o.str(schema);
    }
    return o.copy(0);
  }

  private static void entityRef(EntityRef ref, MsgpackOut o) {
    int fields = (!ref.getSchemaUrl().isEmpty() ? 1 : 0) + (!ref.getType().isEmpty() ? 1 : 0)
        + (ref.getIdKeysCount() > 0 ? 1 : 0) + (ref.getDescriptionKeysCount() > 0 ? 1 : 0);
    o.map(fields);
    if (!ref.getSchemaUrl().isEmpty()) {
      o.raw(K_SCHEMA_URL);
      o.str(ref.getSchemaUrl());
    }
    if (!ref.getType().isEmpty()) {
      o.str(LogLayout.TYPE);
      o.str(ref.getType());
    }
    if (ref.getIdKeysCount() > 0) {
      o.str(LogLayout.ID_KEYS);
      strings(ref.getIdKeysList(), o);
    }
    if (ref.getDescriptionKeysCount() > 0) {
      o.str(LogLayout.DESCRIPTION_KEYS);
      strings(ref.getDescriptionKeysList(), o);
    }
  }

  private static void strings(List<String> l, MsgpackOut o) {
    o.array(l.size());
    for (String s : l) {
      o.str(s);
    }
  }

  /** The {@code scope} map of a ScopeLogs' records, or null when it has nothing. */
  private byte[] scope(ScopeLogs sl) {
    InstrumentationScope s = sl.getScope();
    String schema = sl.getSchemaUrl();
    int fields = (!s.getName().isEmpty() ? 1 : 0) + (!s.getVersion().isEmpty() ? 1 : 0)
        + (s.getAttributesCount() > 0 ? 1 : 0) + (s.getDroppedAttributesCount() != 0 ? 1 : 0)
        + (!schema.isEmpty() ? 1 : 0);
    if (fields == 0) {
      return null;
    }
    MsgpackOut o = scratch;
    o.len = 0;
    o.map(fields);
    if (!s.getName().isEmpty()) {
      o.raw(K_NAME);
      o.str(s.getName());
    }
    if (!s.getVersion().isEmpty()) {
      o.raw(K_VERSION);
      o.str(s.getVersion());
    }
    if (s.getAttributesCount() > 0) {
      o.raw(K_ATTRIBUTES);
      attributes(s.getAttributesList(), o);
    }
    if (s.getDroppedAttributesCount() != 0) {
      o.raw(K_DROPPED);
      o.integer(s.getDroppedAttributesCount() & 0xffffffffL);
    }
    if (!schema.isEmpty()) {
      o.raw(K_SCHEMA_URL);
      o.str(schema);
    }
    return o.copy(0);
  }

  private static void attributes(List<KeyValue> kvs, MsgpackOut o) {
    o.map(kvs.size());
    for (KeyValue kv : kvs) {
      o.str(kv.getKey());
      value(kv.getValue(), o);
    }
  }

  /**
   * An AnyValue as the msgpack value of the same kind: string → str, bool, int → integer, double → float64, bytes →
   * bin, array → array, kvlist → map, no value → nil. Nesting is bounded by protobuf's parse depth (100).
   */
  static void value(AnyValue v, MsgpackOut o) {
    switch (v.getValueCase()) {
      case STRING_VALUE -> o.str(v.getStringValue());
      case BOOL_VALUE -> o.bool(v.getBoolValue());
      case INT_VALUE -> o.integer(v.getIntValue());
      case DOUBLE_VALUE -> o.float64(v.getDoubleValue());
      case BYTES_VALUE -> {
        ByteString b = v.getBytesValue();
        o.ensure(5 + b.size());
        o.len = io.swak.api.MsgpackHeaders.bin(o.buf, o.len, b.size());
        b.copyTo(o.buf, o.len);
        o.len += b.size();
      }
      case ARRAY_VALUE -> {
        ArrayValue a = v.getArrayValue();
        o.array(a.getValuesCount());
        for (AnyValue e : a.getValuesList()) {
          value(e, o);
        }
      }
      case KVLIST_VALUE -> {
        KeyValueList l = v.getKvlistValue();
        attributes(l.getValuesList(), o);
      }
      default -> o.nil(); // no value; string_value_strindex is a profiles dictionary index, meaningless here
    }
  }
}
