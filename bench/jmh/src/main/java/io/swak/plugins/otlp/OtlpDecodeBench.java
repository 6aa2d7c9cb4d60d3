package io.swak.plugins.otlp;

import io.opentelemetry.proto.collector.logs.v1.ExportLogsServiceRequest;
import io.opentelemetry.proto.common.v1.AnyValue;
import io.opentelemetry.proto.common.v1.InstrumentationScope;
import io.opentelemetry.proto.common.v1.KeyValue;
import io.opentelemetry.proto.logs.v1.LogRecord;
import io.opentelemetry.proto.logs.v1.ResourceLogs;
import io.opentelemetry.proto.logs.v1.ScopeLogs;
import io.opentelemetry.proto.logs.v1.SeverityNumber;
import io.opentelemetry.proto.resource.v1.Resource;
import java.nio.ByteBuffer;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;

/**
 * in.OpenTelemetry's work on one OTLP/HTTP protobuf request of 1,000 log records, the request bench/OtlpSender.java
 * posts (an access-log line as the body, severity, three attributes, a resource and a scope): the official classes'
 * parse alone, and the parse plus the msgpack entries (what a network thread does per request). Per record: divide
 * by 1,000. {@code strings} is MsgpackOut.str alone on every string of the records (a version with
 * String.getBytes(UTF_8) instead of its char loop took 183 against 119 us here: the loop stays).
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Warmup(iterations = 4, time = 1)
@Measurement(iterations = 6, time = 1)
@Fork(value = 1, jvmArgs = {"-XX:+UseSerialGC", "-Xmx256m", "-Xmn20m"})
public class OtlpDecodeBench {

  static final int RECORDS = 1000;
  byte[] body;

  static AnyValue s(String v) {
    return AnyValue.newBuilder().setStringValue(v).build();
  }

  static KeyValue kv(String k, AnyValue v) {
    return KeyValue.newBuilder().setKey(k).setValue(v).build();
  }

  @Setup
  public void setUp() throws Exception {
    long t = 1_764_000_000_000_000_000L;
    ScopeLogs.Builder sl = ScopeLogs.newBuilder().setScope(InstrumentationScope.newBuilder().setName("web")
        .setVersion("1.0"));
    for (int n = 0; n < RECORDS; n++) {
      sl.addLogRecords(LogRecord.newBuilder().setTimeUnixNano(t + n).setObservedTimeUnixNano(t + n + 1000)
          .setSeverityNumber(SeverityNumber.SEVERITY_NUMBER_INFO).setSeverityText("INFO")
          .setBody(s("GET /api/v1/items/" + n + " HTTP/1.1 200 " + (512 + n % 4096) + " 0.0" + (n % 97) + "s"))
          .addAttributes(kv("http.method", s("GET")))
          .addAttributes(kv("http.status_code", AnyValue.newBuilder().setIntValue(200).build()))
          .addAttributes(kv("client.address", s("10.0." + (n % 250) + "." + (n % 199)))));
    }
    body = ExportLogsServiceRequest.newBuilder().addResourceLogs(ResourceLogs.newBuilder()
        .setResource(Resource.newBuilder().addAttributes(kv("service.name", s("shop")))
            .addAttributes(kv("host.name", s("web-1"))))
        .addScopeLogs(sl)).build().toByteArray();
    collectStrings();
  }

  /** The strings of the request's records, as LogsToEvents writes them: body, severity text, attribute keys and values. */
  String[] strings;
  final MsgpackOut out = new MsgpackOut(1 << 20);

  private void collectStrings() throws Exception {
    java.util.List<String> l = new java.util.ArrayList<>();
    for (LogRecord r : ExportLogsServiceRequest.parseFrom(body).getResourceLogs(0).getScopeLogs(0).getLogRecordsList()) {
      l.add(r.getBody().getStringValue());
      l.add(r.getSeverityText());
      for (KeyValue kv : r.getAttributesList()) {
        l.add(kv.getKey());
        if (kv.getValue().hasStringValue()) {
          l.add(kv.getValue().getStringValue());
        }
      }
    }
    strings = l.toArray(new String[0]);
  }

  /** MsgpackOut.str on every string of the request. */
  @Benchmark
  public int strings() {
    out.len = 0;
    for (String x : strings) {
      out.str(x);
    }
    return out.len;
  }

  @Benchmark
  public ExportLogsServiceRequest parseOnly() throws Exception {
    return ExportLogsServiceRequest.parseFrom(ByteBuffer.wrap(body));
  }

  @Benchmark
  public Decoded parseAndPack() throws Exception {
    ExportLogsServiceRequest req = ExportLogsServiceRequest.parseFrom(ByteBuffer.wrap(body));
    return new LogsToEvents("otlp.logs", "message", null).decode(req, body.length, 1L);
  }
}
