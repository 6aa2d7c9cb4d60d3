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
import io.swak.api.Batch;
import io.swak.api.EntryReader;
import io.swak.api.MsgpackException;
import io.swak.api.MsgpackReader;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Swak events to OTLP export requests with the official builders: records in {@link LogLayout} become LogRecords
 * field by field (any other key becomes a log attribute), grouped by resource and scope; relayed metrics and traces
 * ({@code otlp_metrics}, {@code otlp_traces}) are concatenated as they are. A batch gives one request per signal it
 * holds, in the order of its events' first appearance.
 */
final class EventsToLogs {

  /** One request to send. */
  record Request(Signal signal, byte[] body, int records) { }

  /** Records nested deeper than this are refused: OTLP receivers parse at most 100 levels of protobuf. */
  static final int MAX_DEPTH = 60;

  private final String messageKey;
  private final String tagAttribute;
  private final Map<String, String> defaultResource;
  /** Ids that were not hex and went to the attributes instead, counted by the output. */
  long invalidIds;

  EventsToLogs(String messageKey, String tagAttribute, Map<String, String> defaultResource) {
    this.messageKey = messageKey;
    this.tagAttribute = tagAttribute == null || tagAttribute.isEmpty() ? null : tagAttribute;
    this.defaultResource = defaultResource == null ? Map.of() : defaultResource;
  }

  /** Thrown for a batch that cannot be encoded at all (its bytes are damaged): sending it again cannot help. */
  static final class Unencodable extends Exception {
    private static final long serialVersionUID = 1L;

    Unencodable(String message) {
      super(message);
    }
  }

  List<Request> encode(Batch batch) throws Unencodable {
    byte[] data = batch.data();
    Logs logs = null;
    ByteArrayOutputStream metrics = null;
    ByteArrayOutputStream traces = null;
    int metricEvents = 0;
    int traceEvents = 0;
    List<Signal> order = new ArrayList<>(1);
    try (EntryReader entries = new EntryReader(data, 0, batch.length())) {
      MsgpackReader r = new MsgpackReader(data, 0, batch.length());
      while (entries.hasNext()) {
        entries.next();
        long time = entries.timeNanos();
        int start = entries.recordStart();
        r.position(start);
        byte[] relayed = relayed(r, Signal.METRICS);
        if (relayed != null) {
          metrics = metrics == null ? new ByteArrayOutputStream() : metrics;
          metrics.write(relayed);
          metricEvents++;
          note(order, Signal.METRICS);
          continue;
        }
        r.position(start);
        relayed = relayed(r, Signal.TRACES);
        if (relayed != null) {
          traces = traces == null ? new ByteArrayOutputStream() : traces;
          traces.write(relayed);
          traceEvents++;
          note(order, Signal.TRACES);
          continue;
        }
        r.position(start);
        logs = logs == null ? new Logs() : logs;
        logs.add(r, time, batch.tag(), this);
        note(order, Signal.LOGS);
      }
    } catch (IOException | MsgpackException e) {
      throw new Unencodable("the batch's events cannot be read: " + e.getMessage());
    }
    List<Request> out = new ArrayList<>(order.size());
    for (Signal s : order) {
      switch (s) {
        case LOGS -> out.add(new Request(s, logs.build().toByteArray(), logs.count));
        case METRICS -> out.add(new Request(s, metrics.toByteArray(), metricEvents));
        case TRACES -> out.add(new Request(s, traces.toByteArray(), traceEvents));
        default -> throw new IllegalStateException();
      }
    }
    return out;
  }

  /**
   * The request of one event alone, whose record starts at {@code recordStart} of {@code data}: an
   * ExportLogsServiceRequest of one LogRecord (its resource and scope with it), or the export request a relayed
   * metrics or traces event holds, as it came.
   */
  Request encodeOne(byte[] data, int recordStart, int end, long timeNanos, String tag) throws Unencodable {
    try {
      MsgpackReader r = new MsgpackReader(data, 0, end);
      for (Signal s : new Signal[] {Signal.METRICS, Signal.TRACES}) {
        r.position(recordStart);
        byte[] relayed = relayed(r, s);
        if (relayed != null) {
          return new Request(s, relayed, 1);
        }
      }
      r.position(recordStart);
      Logs logs = new Logs();
      logs.add(r, timeNanos, tag, this);
      return new Request(Signal.LOGS, logs.build().toByteArray(), 1);
    } catch (MsgpackException e) {
      throw new Unencodable("the event cannot be read: " + e.getMessage());
    }
  }

  private static void note(List<Signal> order, Signal s) {
    if (!order.contains(s)) {
      order.add(s);
    }
  }

  /** The bytes under the signal's payload key when the record is exactly {@code {key: bin}}, else null. */
  private static byte[] relayed(MsgpackReader r, Signal s) {
    if (r.nextType() != MsgpackReader.Type.MAP || r.readMapHeader() != 1 || r.nextType() != MsgpackReader.Type.STRING
        || !r.readString().equals(s.payloadKey) || r.nextType() != MsgpackReader.Type.BINARY) {
      return null;
    }
    return r.readBinary();
  }

  /** The LogRecords of a batch, grouped by resource and scope (compared by their msgpack bytes). */
  private static final class Logs {
    final Map<Key, ResourceLogs.Builder> resources = new LinkedHashMap<>();
    final Map<Key, Map<Key, ScopeLogs.Builder>> scopes = new LinkedHashMap<>();
    int count;

    void add(MsgpackReader r, long time, String tag, EventsToLogs enc) {
      Parsed p = enc.record(r, time, tag);
      ResourceLogs.Builder rl = resources.get(p.resourceKey);
      if (rl == null) {
        rl = ResourceLogs.newBuilder();
        enc.resource(p, rl);
        resources.put(p.resourceKey, rl);
        scopes.put(p.resourceKey, new LinkedHashMap<>());
      }
      Map<Key, ScopeLogs.Builder> byScope = scopes.get(p.resourceKey);
      ScopeLogs.Builder sl = byScope.get(p.scopeKey);
      if (sl == null) {
        sl = ScopeLogs.newBuilder();
        scope(r, p, sl);
        byScope.put(p.scopeKey, sl);
      }
      sl.addLogRecords(p.log);
      count++;
    }

    ExportLogsServiceRequest build() {
      ExportLogsServiceRequest.Builder b = ExportLogsServiceRequest.newBuilder();
      for (Map.Entry<Key, ResourceLogs.Builder> e : resources.entrySet()) {
        ResourceLogs.Builder rl = e.getValue();
        for (ScopeLogs.Builder sl : scopes.get(e.getKey()).values()) {
          rl.addScopeLogs(sl);
        }
        b.addResourceLogs(rl);
      }
      return b.build();
    }
  }

  /** Bytes compared by content: the msgpack of a resource or scope. */
  private record Key(byte[] bytes) {
    static final Key NONE = new Key(new byte[0]);

    @Override
    public boolean equals(Object o) {
      return o instanceof Key k && Arrays.equals(bytes, k.bytes);
    }

    @Override
    public int hashCode() {
      return Arrays.hashCode(bytes);
    }
  }

  /** One record read: its LogRecord and where its resource and scope are. */
  private static final class Parsed {
    LogRecord log;
    Key resourceKey = Key.NONE;
    Key scopeKey = Key.NONE;
    int resourceAt = -1;
    int scopeAt = -1;
  }

  private Parsed record(MsgpackReader r, long time, String tag) {
    Parsed p = new Parsed();
    LogRecord.Builder b = LogRecord.newBuilder().setTimeUnixNano(time);
    if (r.nextType() != MsgpackReader.Type.MAP) {
      b.setBody(value(r, 0)); // not a map: the whole record is the body
      p.log = b.build();
      return p;
    }
    int n = r.readMapHeader();
    List<KeyValue> extra = null;
    for (int i = 0; i < n; i++) {
      String key = key(r);
      int at = r.position();
      MsgpackReader.Type t = r.nextType();
      boolean used = true;
      if (key.equals(messageKey)) {
        b.setBody(value(r, 0));
      } else {
        switch (key) {
          case LogLayout.ATTRIBUTES -> {
            if (t == MsgpackReader.Type.MAP) {
              int m = r.readMapHeader();
              for (int j = 0; j < m; j++) {
                String k = key(r);
                b.addAttributes(KeyValue.newBuilder().setKey(k).setValue(value(r, 1)));
              }
            } else {
              used = false;
            }
          }
          case LogLayout.RESOURCE -> {
            if (t == MsgpackReader.Type.MAP) {
              p.resourceAt = at;
              r.skipValue();
              p.resourceKey = new Key(Arrays.copyOfRange(r.data(), at, r.position()));
            } else {
              used = false;
            }
          }
          case LogLayout.SCOPE -> {
            if (t == MsgpackReader.Type.MAP) {
              p.scopeAt = at;
              r.skipValue();
              p.scopeKey = new Key(Arrays.copyOfRange(r.data(), at, r.position()));
            } else {
              used = false;
            }
          }
          case LogLayout.SEVERITY_TEXT -> used = t == MsgpackReader.Type.STRING && set(b::setSeverityText, r);
          case LogLayout.SEVERITY_NUMBER -> used = integer(r, t, v -> b.setSeverityNumberValue((int) v), 0, 255);
          case LogLayout.FLAGS -> used = integer(r, t, v -> b.setFlags((int) v), 0, 0xffffffffL);
          case LogLayout.DROPPED -> used = integer(r, t, v -> b.setDroppedAttributesCount((int) v), 0, 0xffffffffL);
          case LogLayout.OBSERVED_TIME -> used = integer(r, t, b::setObservedTimeUnixNano, 0, Long.MAX_VALUE);
          case LogLayout.TIME -> used = integer(r, t, b::setTimeUnixNano, 0, Long.MAX_VALUE);
          case LogLayout.EVENT_NAME -> used = t == MsgpackReader.Type.STRING && set(b::setEventName, r);
          case LogLayout.TRACE_ID -> used = id(r, t, b::setTraceId);
          case LogLayout.SPAN_ID -> used = id(r, t, b::setSpanId);
          default -> used = false;
        }
      }
      if (!used) {
        r.position(at);
        extra = extra == null ? new ArrayList<>(4) : extra;
        extra.add(KeyValue.newBuilder().setKey(key).setValue(value(r, 1)).build());
      }
    }
    if (extra != null) {
      b.addAllAttributes(extra);
    }
    if (tagAttribute != null) {
      b.addAttributes(KeyValue.newBuilder().setKey(tagAttribute).setValue(AnyValue.newBuilder().setStringValue(tag)));
    }
    p.log = b.build();
    return p;
  }

  private interface LongSetter {
    void set(long v);
  }

  /** Sets an integer field from an integer in range; false (nothing read) when it is not one. */
  private static boolean integer(MsgpackReader r, MsgpackReader.Type t, LongSetter set, long min, long max) {
    if (t != MsgpackReader.Type.INTEGER) {
      return false;
    }
    int at = r.position();
    try {
      long v = r.readLong();
      if (v < min || v > max) {
        r.position(at);
        return false;
      }
      set.set(v);
      return true;
    } catch (MsgpackException e) {
      r.position(at); // a uint64 beyond Long.MAX_VALUE: kept as an attribute
      return false;
    }
  }

  private static boolean set(java.util.function.Consumer<String> set, MsgpackReader r) {
    set.accept(r.readString());
    return true;
  }

  private boolean id(MsgpackReader r, MsgpackReader.Type t, java.util.function.Consumer<ByteString> set) {
    int at = r.position();
    if (t == MsgpackReader.Type.BINARY) {
      set.accept(ByteString.copyFrom(r.readBinary()));
      return true;
    }
    if (t == MsgpackReader.Type.STRING) {
      ByteString b = Hex.parse(r.readString());
      if (b != null) {
        set.accept(b);
        return true;
      }
    }
    invalidIds++;
    r.position(at);
    return false;
  }

  private void resource(Parsed p, ResourceLogs.Builder rl) {
    Resource.Builder res = Resource.newBuilder();
    java.util.Set<String> have = new java.util.HashSet<>();
    if (p.resourceAt >= 0) {
      MsgpackReader r = new MsgpackReader(p.resourceKey.bytes());
      int n = r.readMapHeader();
      for (int i = 0; i < n; i++) {
        String key = key(r);
        MsgpackReader.Type t = r.nextType();
        int at = r.position();
        boolean used = true;
        switch (key) {
          case LogLayout.ATTRIBUTES -> {
            if (t == MsgpackReader.Type.MAP) {
              int m = r.readMapHeader();
              for (int j = 0; j < m; j++) {
                String k = key(r);
                have.add(k);
                res.addAttributes(KeyValue.newBuilder().setKey(k).setValue(value(r, 2)));
              }
            } else {
              used = false;
            }
          }
          case LogLayout.DROPPED -> used = integer(r, t, v -> res.setDroppedAttributesCount((int) v), 0, 0xffffffffL);
          case LogLayout.SCHEMA_URL -> used = t == MsgpackReader.Type.STRING && set(rl::setSchemaUrl, r);
          case LogLayout.ENTITY_REFS -> {
            if (t == MsgpackReader.Type.ARRAY) {
              int m = r.readArrayHeader();
              for (int j = 0; j < m; j++) {
                res.addEntityRefs(entityRef(r));
              }
            } else {
              used = false;
            }
          }
          default -> used = false;
        }
        if (!used) {
          // a flat resource, {service.name: x}: its keys are attributes
          r.position(at);
          have.add(key);
          res.addAttributes(KeyValue.newBuilder().setKey(key).setValue(value(r, 2)));
        }
      }
    }
    for (Map.Entry<String, String> e : defaultResource.entrySet()) {
      if (!have.contains(e.getKey())) {
        res.addAttributes(KeyValue.newBuilder().setKey(e.getKey())
            .setValue(AnyValue.newBuilder().setStringValue(e.getValue())));
      }
    }
    if (p.resourceAt >= 0 || !defaultResource.isEmpty()) {
      rl.setResource(res);
    }
  }

  private static EntityRef entityRef(MsgpackReader r) {
    EntityRef.Builder b = EntityRef.newBuilder();
    if (r.nextType() != MsgpackReader.Type.MAP) {
      r.skipValue();
      return b.build();
    }
    int n = r.readMapHeader();
    for (int i = 0; i < n; i++) {
      String key = key(r);
      MsgpackReader.Type t = r.nextType();
      switch (key) {
        case LogLayout.SCHEMA_URL -> {
          if (t == MsgpackReader.Type.STRING) {
            b.setSchemaUrl(r.readString());
          } else {
            r.skipValue();
          }
        }
        case LogLayout.TYPE -> {
          if (t == MsgpackReader.Type.STRING) {
            b.setType(r.readString());
          } else {
            r.skipValue();
          }
        }
        case LogLayout.ID_KEYS, LogLayout.DESCRIPTION_KEYS -> {
          if (t == MsgpackReader.Type.ARRAY) {
            int m = r.readArrayHeader();
            for (int j = 0; j < m; j++) {
              String s = r.nextType() == MsgpackReader.Type.STRING ? r.readString() : String.valueOf(r.readValue());
              if (key.equals(LogLayout.ID_KEYS)) {
                b.addIdKeys(s);
              } else {
                b.addDescriptionKeys(s);
              }
            }
          } else {
            r.skipValue();
          }
        }
        default -> r.skipValue();
      }
    }
    return b.build();
  }

  private static void scope(MsgpackReader unused, Parsed p, ScopeLogs.Builder sl) {
    if (p.scopeAt < 0) {
      return;
    }
    InstrumentationScope.Builder s = InstrumentationScope.newBuilder();
    MsgpackReader r = new MsgpackReader(p.scopeKey.bytes());
    int n = r.readMapHeader();
    for (int i = 0; i < n; i++) {
      String key = key(r);
      MsgpackReader.Type t = r.nextType();
      int at = r.position();
      boolean used = true;
      switch (key) {
        case LogLayout.NAME -> used = t == MsgpackReader.Type.STRING && set(s::setName, r);
        case LogLayout.VERSION -> used = t == MsgpackReader.Type.STRING && set(s::setVersion, r);
        case LogLayout.ATTRIBUTES -> {
          if (t == MsgpackReader.Type.MAP) {
            int m = r.readMapHeader();
            for (int j = 0; j < m; j++) {
              String k = key(r);
              s.addAttributes(KeyValue.newBuilder().setKey(k).setValue(value(r, 2)));
            }
          } else {
            used = false;
          }
        }
        case LogLayout.DROPPED -> used = integer(r, t, v -> s.setDroppedAttributesCount((int) v), 0, 0xffffffffL);
        case LogLayout.SCHEMA_URL -> used = t == MsgpackReader.Type.STRING && set(sl::setSchemaUrl, r);
        default -> used = false;
      }
      if (!used) {
        r.position(at);
        s.addAttributes(KeyValue.newBuilder().setKey(key).setValue(value(r, 2)));
      }
    }
    sl.setScope(s);
  }

  /** A map key as text: a string, or the text of any other value. */
  private static String key(MsgpackReader r) {
    if (r.nextType() == MsgpackReader.Type.STRING) {
      return r.readString();
    }
    Object k = r.readValue();
    return k instanceof byte[] b ? new String(b, StandardCharsets.UTF_8) : String.valueOf(k);
  }

  /** A msgpack value as the AnyValue of the same kind ({@link LogsToEvents#value}'s inverse). */
  static AnyValue value(MsgpackReader r, int depth) {
    if (depth > MAX_DEPTH) {
      throw new MsgpackException("a value is nested deeper than " + MAX_DEPTH + " levels, more than OTLP receivers "
          + "accept", r.position());
    }
    AnyValue.Builder v = AnyValue.newBuilder();
    switch (r.nextType()) {
      case NIL -> r.readNil();
      case BOOLEAN -> v.setBoolValue(r.readBoolean());
      case INTEGER -> {
        int at = r.position();
        try {
          v.setIntValue(r.readLong());
        } catch (MsgpackException e) {
          r.position(at);
          v.setDoubleValue(r.readDouble()); // a uint64 beyond int64: OTLP has no such integer
        }
      }
      case FLOAT -> v.setDoubleValue(r.readDouble());
      case STRING -> v.setStringValue(r.readString());
      case BINARY -> v.setBytesValue(ByteString.copyFrom(r.readBinary()));
      case ARRAY -> {
        int n = r.readArrayHeader();
        ArrayValue.Builder a = ArrayValue.newBuilder();
        for (int i = 0; i < n; i++) {
          a.addValues(value(r, depth + 1));
        }
        v.setArrayValue(a);
      }
      case MAP -> {
        int n = r.readMapHeader();
        KeyValueList.Builder l = KeyValueList.newBuilder();
        for (int i = 0; i < n; i++) {
          String k = key(r);
          l.addValues(KeyValue.newBuilder().setKey(k).setValue(value(r, depth + 1)));
        }
        v.setKvlistValue(l);
      }
      case EXTENSION -> {
        int n = r.readExtensionHeader();
        byte[] payload = Arrays.copyOfRange(r.data(), r.position(), r.position() + n);
        r.skip(n);
        v.setBytesValue(ByteString.copyFrom(payload));
      }
      default -> throw new IllegalStateException();
    }
    return v.build();
  }
}
