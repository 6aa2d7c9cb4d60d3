package io.swak.plugins.otlp;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.opentelemetry.api.common.AttributeKey;
import io.opentelemetry.api.common.Attributes;
import io.opentelemetry.api.logs.Logger;
import io.opentelemetry.api.logs.Severity;
import io.opentelemetry.api.trace.Span;
import io.opentelemetry.api.trace.SpanContext;
import io.opentelemetry.api.trace.TraceFlags;
import io.opentelemetry.api.trace.TraceState;
import io.opentelemetry.context.Context;
import io.opentelemetry.exporter.internal.FailedExportException;
import io.opentelemetry.exporter.otlp.http.logs.OtlpHttpLogRecordExporter;
import io.opentelemetry.exporter.otlp.logs.OtlpGrpcLogRecordExporter;
import io.opentelemetry.sdk.common.CompletableResultCode;
import io.opentelemetry.sdk.common.export.GrpcStatusCode;
import io.opentelemetry.sdk.logs.LogRecordProcessor;
import io.opentelemetry.sdk.logs.ReadWriteLogRecord;
import io.opentelemetry.sdk.logs.SdkLoggerProvider;
import io.opentelemetry.sdk.logs.data.LogRecordData;
import io.opentelemetry.sdk.logs.export.LogRecordExporter;
import io.opentelemetry.sdk.resources.Resource;
import io.swak.api.Event;
import io.swak.core.testing.AgentTestBase;
import io.swak.core.testing.Ports;
import io.swak.core.testing.TestSink;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** The OpenTelemetry Java SDK, a real OTLP client, sends logs to in.OpenTelemetry over HTTP and over gRPC. */
class SdkClientTest extends AgentTestBase {

  /** Keeps what the SDK emits, so the test exports it itself and sees each export's result. */
  static final class Emitted implements LogRecordProcessor {
    final List<LogRecordData> records = new CopyOnWriteArrayList<>();

    @Override
    public void onEmit(Context context, ReadWriteLogRecord r) {
      records.add(r.toLogRecordData());
    }
  }

  int port;
  int grpcPort;
  final Emitted emitted = new Emitted();
  SdkLoggerProvider provider;
  final List<LogRecordExporter> exporters = new ArrayList<>();

  @BeforeEach
  void sdk() throws Exception {
    port = Ports.free();
    grpcPort = Ports.free();
    provider = SdkLoggerProvider.builder()
        .setResource(Resource.create(Attributes.of(AttributeKey.stringKey("service.name"), "checkout")))
        .addLogRecordProcessor(emitted).build();
  }

  @AfterEach
  void closeSdk() {
    provider.close();
    exporters.forEach(LogRecordExporter::close);
  }

  private void startAgent(String inputOptions) throws Exception {
    start("""
        - task:
          - in.OpenTelemetry: {port: %d, grpc_port: %d%s}
          - out.TestSink: {name: %s, window: 4}
        """.formatted(port, grpcPort, inputOptions, id));
    Otlp.awaitListening(port);
    Otlp.awaitListening(grpcPort);
  }

  private LogRecordExporter http() {
    LogRecordExporter e = OtlpHttpLogRecordExporter.builder().setEndpoint("http://127.0.0.1:" + port + "/v1/logs")
        .setCompression("gzip").setRetryPolicy(null).setTimeout(Duration.ofSeconds(20)).build();
    exporters.add(e);
    return e;
  }

  private LogRecordExporter grpc(int p) {
    LogRecordExporter e = OtlpGrpcLogRecordExporter.builder().setEndpoint("http://127.0.0.1:" + p)
        .setRetryPolicy(null).setTimeout(Duration.ofSeconds(20)).build();
    exporters.add(e);
    return e;
  }

  private void emitOne(String body) {
    Logger log = provider.loggerBuilder("io.swak.sdk").setInstrumentationVersion("2.0").build();
    SpanContext span = SpanContext.create("5b8efff798038103d269b633813fc60c", "eee19b7ec3c1b174",
        TraceFlags.getSampled(), TraceState.getDefault());
    log.logRecordBuilder()
        .setTimestamp(1_764_000_000_123_456_789L, TimeUnit.NANOSECONDS)
        .setObservedTimestamp(1_764_000_000_200_000_000L, TimeUnit.NANOSECONDS)
        .setSeverity(Severity.ERROR).setSeverityText("ERROR")
        .setBody(body)
        .setAttribute(AttributeKey.longKey("order"), 42L)
        .setAttribute(AttributeKey.stringKey("user"), "ana")
        .setContext(Span.wrap(span).storeInContext(Context.root()))
        .emit();
  }

  private TestSink.State sink() {
    return TestSink.state(id);
  }

  @SuppressWarnings("unchecked")
  private static void assertMapped(Event e, String body) {
    Map<String, Object> r = e.record();
    assertThat(e.tag()).isEqualTo("otlp.logs");
    assertThat(e.timeNanos()).isEqualTo(1_764_000_000_123_456_789L);
    assertThat(r).containsEntry("message", body).containsEntry("severity_text", "ERROR")
        .containsEntry("severity_number", 17L).containsEntry("trace_id", "5b8efff798038103d269b633813fc60c")
        .containsEntry("span_id", "eee19b7ec3c1b174").containsEntry("flags", 1L)
        .containsEntry("observed_time_unix_nano", 1_764_000_000_200_000_000L);
    assertThat((Map<String, Object>) r.get("attributes")).containsEntry("order", 42L).containsEntry("user", "ana");
    assertThat((Map<String, Object>) ((Map<String, Object>) r.get("resource")).get("attributes"))
        .containsEntry("service.name", "checkout");
    assertThat((Map<String, Object>) r.get("scope")).containsEntry("name", "io.swak.sdk").containsEntry("version",
        "2.0");
  }

  private void exportAndCheck(LogRecordExporter exporter, String body) {
    emitOne(body);
    CompletableResultCode done = exporter.export(List.copyOf(emitted.records));
    assertThat(done.join(20, TimeUnit.SECONDS).isSuccess()).as("export answered success").isTrue();
    assertThat(sink().received).hasSize(1);
    assertMapped(sink().received.get(0), body);
  }

  @Test
  void overHttpProtobufWithGzip() throws Exception {
    startAgent("");
    exportAndCheck(http(), "payment failed (http)");
  }

  @Test
  void overGrpc() throws Exception {
    startAgent("");
    exportAndCheck(grpc(grpcPort), "payment failed (grpc)");
  }

  @Test
  void grpcWorksOnTheHttpPortToo() throws Exception {
    startAgent(""); // both ports speak both protocols
    exportAndCheck(grpc(port), "payment failed (grpc on 4318)");
  }

  @Test
  void theAnswerWaitsForTheTasksAcknowledgement() throws Exception {
    sink().holding = true;
    startAgent("");
    emitOne("held");
    CompletableResultCode http = http().export(List.copyOf(emitted.records));
    CompletableResultCode grpc = grpc(grpcPort).export(List.copyOf(emitted.records));
    await().atMost(Duration.ofSeconds(20)).until(() -> sink().log.size() >= 2); // both batches sent, receipts held
    assertThat(http.isDone()).as("HTTP answered before the acknowledgement").isFalse();
    assertThat(grpc.isDone()).as("gRPC answered before the acknowledgement").isFalse();
    sink().holding = false;
    assertThat(http.join(20, TimeUnit.SECONDS).isSuccess()).isTrue();
    assertThat(grpc.join(20, TimeUnit.SECONDS).isSuccess()).isTrue();
    assertThat(sink().received).hasSize(2);
  }

  @Test
  void noAcknowledgementWithinAckTimeoutIsAnswered503AndUnavailable() throws Exception {
    sink().holding = true;
    startAgent(", ack_timeout: 500ms");
    emitOne("never acknowledged in time");
    CompletableResultCode http = http().export(List.copyOf(emitted.records));
    CompletableResultCode grpc = grpc(grpcPort).export(List.copyOf(emitted.records));
    await().atMost(Duration.ofSeconds(20)).until(() -> http.isDone() && grpc.isDone());
    assertThat(httpStatus(List.of(http))).isEqualTo(503);
    assertThat(grpcStatus(List.of(grpc))).isEqualTo(GrpcStatusCode.UNAVAILABLE);
    assertThat(agent.tasks().get(0).counters().get(0).snapshot().get("ack_timeouts")).isEqualTo(2);
    sink().holding = false; // the batches were taken: they are still delivered (the clients' resend is a duplicate)
    await().atMost(Duration.ofSeconds(20)).until(() -> sink().received.size() == 2);
  }

  /** The status of the first call the receiver refused, or null. */
  private static GrpcStatusCode grpcStatus(List<CompletableResultCode> calls) {
    for (CompletableResultCode c : List.copyOf(calls)) {
      if (c.isDone() && c.getFailureThrowable() instanceof FailedExportException.GrpcExportException g
          && g.failedWithResponse()) {
        return g.getResponse().getStatusCode();
      }
    }
    return null;
  }

  private static Integer httpStatus(List<CompletableResultCode> calls) {
    for (CompletableResultCode c : List.copyOf(calls)) {
      if (c.isDone() && c.getFailureThrowable() instanceof FailedExportException.HttpExportException h
          && h.failedWithResponse()) {
        return h.getResponse().getStatusCode();
      }
    }
    return null;
  }

  @Test
  void aFullQueueAnswersResourceExhaustedOverGrpcAnd429OverHttp() throws Exception {
    sink().holding = true;
    startAgent(", queue_limit: 1KiB");
    for (int i = 0; i < 20; i++) {
      emitOne("x".repeat(200) + i);
    }
    List<LogRecordData> all = List.copyOf(emitted.records);
    LogRecordExporter g = grpc(grpcPort);
    LogRecordExporter h = http();
    List<CompletableResultCode> grpcCalls = new ArrayList<>();
    List<CompletableResultCode> httpCalls = new ArrayList<>();
    // the sink holds its receipts: its window, then the task, then the queue fill up, and the rest is refused
    await().atMost(Duration.ofSeconds(20)).until(() -> {
      if (grpcCalls.size() < 50) {
        grpcCalls.add(g.export(all));
        httpCalls.add(h.export(all));
      }
      return grpcStatus(grpcCalls) != null && httpStatus(httpCalls) != null;
    });
    assertThat(grpcStatus(grpcCalls)).isEqualTo(GrpcStatusCode.RESOURCE_EXHAUSTED);
    assertThat(httpStatus(httpCalls)).isEqualTo(429);
    assertThat(agent.tasks().get(0).counters().get(0).snapshot().get("refused_full")).isPositive();
    sink().holding = false; // what was taken is delivered and answered success
    await().atMost(Duration.ofSeconds(20)).until(() -> grpcCalls.stream().allMatch(CompletableResultCode::isDone)
        && httpCalls.stream().allMatch(CompletableResultCode::isDone));
    long ok = grpcCalls.stream().filter(CompletableResultCode::isSuccess).count()
        + httpCalls.stream().filter(CompletableResultCode::isSuccess).count();
    await().atMost(Duration.ofSeconds(20)).until(() -> sink().received.size() == ok * all.size());
  }
}
