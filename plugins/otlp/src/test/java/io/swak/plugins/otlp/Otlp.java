package io.swak.plugins.otlp;

import com.google.protobuf.ByteString;
import io.opentelemetry.proto.collector.logs.v1.ExportLogsServiceRequest;
import io.opentelemetry.proto.common.v1.AnyValue;
import io.opentelemetry.proto.common.v1.ArrayValue;
import io.opentelemetry.proto.common.v1.InstrumentationScope;
import io.opentelemetry.proto.common.v1.KeyValue;
import io.opentelemetry.proto.common.v1.KeyValueList;
import io.opentelemetry.proto.logs.v1.LogRecord;
import io.opentelemetry.proto.logs.v1.ResourceLogs;
import io.opentelemetry.proto.logs.v1.ScopeLogs;
import io.opentelemetry.proto.logs.v1.SeverityNumber;
import io.opentelemetry.proto.resource.v1.Resource;
import io.swak.core.testing.Ports;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.Map;

/** What the tests of this module share: free ports, requests built with the official classes, a plain client. */
final class Otlp {

  private Otlp() { }

  static final HttpClient HTTP = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
      .connectTimeout(Duration.ofSeconds(5)).build();

  /** Waits until {@code port} accepts connections: a task's input starts on the task's thread, after start returns. */
  static void awaitListening(int port) {
    org.awaitility.Awaitility.await().atMost(Duration.ofSeconds(30)).ignoreExceptions().until(() -> {
      try (java.net.Socket s = new java.net.Socket(java.net.InetAddress.getLoopbackAddress(), port)) {
        return true;
      }
    });
  }

  static AnyValue str(String s) {
    return AnyValue.newBuilder().setStringValue(s).build();
  }

  static KeyValue kv(String k, AnyValue v) {
    return KeyValue.newBuilder().setKey(k).setValue(v).build();
  }

  /** Log records numbered {@code from}…: body "event N", attribute seq = N. */
  static ExportLogsServiceRequest numbered(long from, int n) {
    ScopeLogs.Builder sl = ScopeLogs.newBuilder().setScope(InstrumentationScope.newBuilder().setName("test"));
    for (long i = from; i < from + n; i++) {
      sl.addLogRecords(LogRecord.newBuilder().setTimeUnixNano(1_700_000_000_000_000_000L + i)
          .setBody(str("event " + i))
          .addAttributes(kv("seq", AnyValue.newBuilder().setIntValue(i).build())));
    }
    return ExportLogsServiceRequest.newBuilder().addResourceLogs(ResourceLogs.newBuilder().addScopeLogs(sl)).build();
  }

  /** One request that sets every field of a LogRecord, its resource and its scope. */
  static ExportLogsServiceRequest everyField() {
    AnyValue nested = AnyValue.newBuilder().setKvlistValue(KeyValueList.newBuilder()
        .addValues(kv("list", AnyValue.newBuilder().setArrayValue(ArrayValue.newBuilder()
            .addValues(str("a")).addValues(AnyValue.newBuilder().setIntValue(-7))
            .addValues(AnyValue.newBuilder().setDoubleValue(2.5))
            .addValues(AnyValue.newBuilder().setBoolValue(true))).build()))
        .addValues(kv("bytes", AnyValue.newBuilder().setBytesValue(ByteString.copyFrom(new byte[] {0, 1, -1})).build()))
        .addValues(kv("empty", AnyValue.getDefaultInstance()))).build();
    LogRecord full = LogRecord.newBuilder()
        .setTimeUnixNano(1_764_000_000_123_456_789L)
        .setObservedTimeUnixNano(1_764_000_000_987_654_321L)
        .setSeverityNumber(SeverityNumber.SEVERITY_NUMBER_WARN2)
        .setSeverityText("WARN")
        .setBody(nested)
        .addAttributes(kv("http.method", str("GET")))
        .addAttributes(kv("http.status", AnyValue.newBuilder().setIntValue(503).build()))
        .setDroppedAttributesCount(3)
        .setFlags(1)
        .setTraceId(ByteString.fromHex("5b8efff798038103d269b633813fc60c"))
        .setSpanId(ByteString.fromHex("eee19b7ec3c1b174"))
        .setEventName("browser.click")
        .build();
    LogRecord bare = LogRecord.newBuilder().setObservedTimeUnixNano(1_764_000_001_000_000_000L)
        .setBody(str("no time of its own")).build();
    ResourceLogs rl = ResourceLogs.newBuilder()
        .setResource(Resource.newBuilder().addAttributes(kv("service.name", str("billing")))
            .addAttributes(kv("host.name", str("h1"))).setDroppedAttributesCount(1))
        .setSchemaUrl("https://opentelemetry.io/schemas/1.30.0")
        .addScopeLogs(ScopeLogs.newBuilder()
            .setScope(InstrumentationScope.newBuilder().setName("io.swak.test").setVersion("1.2.3")
                .addAttributes(kv("scope.k", str("v"))).setDroppedAttributesCount(2))
            .setSchemaUrl("https://opentelemetry.io/schemas/1.29.0")
            .addLogRecords(full).addLogRecords(bare))
        .build();
    ResourceLogs other = ResourceLogs.newBuilder()
        .setResource(Resource.newBuilder().addAttributes(kv("service.name", str("auth"))))
        .addScopeLogs(ScopeLogs.newBuilder().addLogRecords(LogRecord.newBuilder()
            .setTimeUnixNano(1_764_000_002_000_000_000L).setBody(str("plain")).setSeverityNumberValue(9)))
        .build();
    return ExportLogsServiceRequest.newBuilder().addResourceLogs(rl).addResourceLogs(other).build();
  }

  static HttpResponse<byte[]> post(int port, String path, String contentType, byte[] body, Map<String, String> headers)
      throws Exception {
    HttpRequest.Builder b = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path))
        .timeout(Duration.ofSeconds(30)).header("Content-Type", contentType);
    headers.forEach(b::header);
    return HTTP.send(b.POST(HttpRequest.BodyPublishers.ofByteArray(body)).build(),
        HttpResponse.BodyHandlers.ofByteArray());
  }

  static HttpResponse<byte[]> post(int port, ExportLogsServiceRequest req) throws Exception {
    return post(port, "/v1/logs", "application/x-protobuf", req.toByteArray(), Map.of());
  }
}
