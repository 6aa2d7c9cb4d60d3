package io.swak.plugins.otlp;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.opentelemetry.api.common.AttributeKey;
import io.opentelemetry.api.common.Attributes;
import io.opentelemetry.api.trace.Span;
import io.opentelemetry.exporter.otlp.http.metrics.OtlpHttpMetricExporter;
import io.opentelemetry.exporter.otlp.trace.OtlpGrpcSpanExporter;
import io.opentelemetry.proto.metrics.v1.Metric;
import io.opentelemetry.sdk.metrics.SdkMeterProvider;
import io.opentelemetry.sdk.metrics.export.PeriodicMetricReader;
import io.opentelemetry.sdk.resources.Resource;
import io.opentelemetry.sdk.trace.SdkTracerProvider;
import io.opentelemetry.sdk.trace.export.SimpleSpanProcessor;
import io.swak.core.testing.AgentTestBase;
import io.swak.core.testing.Ports;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** Traces (gRPC) and metrics (HTTP) from the SDK are relayed by in.OpenTelemetry → out.OpenTelemetry unchanged. */
class RelayTest extends AgentTestBase {

  CapturingReceiver next;

  @AfterEach
  void closeReceiver() {
    if (next != null) {
      next.close();
    }
  }

  private static long points(CapturingReceiver r) {
    return r.metrics.stream().flatMap(q -> q.getResourceMetricsList().stream())
        .flatMap(rm -> rm.getScopeMetricsList().stream()).flatMap(sm -> sm.getMetricsList().stream())
        .mapToLong(m -> m.getSum().getDataPointsCount() + m.getGauge().getDataPointsCount()
            + m.getHistogram().getDataPointsCount() + m.getExponentialHistogram().getDataPointsCount()
            + m.getSummary().getDataPointsCount()).sum();
  }

  @Test
  void tracesAndMetricsArriveAsTheSdkSentThem() throws Exception {
    next = new CapturingReceiver();
    int port = Ports.free();
    int grpc = Ports.free();
    start("""
        - task:
          - in.OpenTelemetry: {port: %d, grpc_port: %d}
          - out.OpenTelemetry: {endpoint: "%s"}
        """.formatted(port, grpc, next.endpoint()));
    Otlp.awaitListening(port);
    Otlp.awaitListening(grpc);
    Resource resource = Resource.create(Attributes.of(AttributeKey.stringKey("service.name"), "cart"));

    try (SdkTracerProvider tracing = SdkTracerProvider.builder().setResource(resource)
        .addSpanProcessor(SimpleSpanProcessor.create(OtlpGrpcSpanExporter.builder()
            .setEndpoint("http://127.0.0.1:" + grpc).setRetryPolicy(null).build())).build()) {
      Span s = tracing.get("io.swak.relay").spanBuilder("checkout").startSpan();
      s.setAttribute("items", 3L);
      s.end();
      assertThat(tracing.forceFlush().join(20, TimeUnit.SECONDS).isSuccess()).isTrue();
    }
    try (SdkMeterProvider meters = SdkMeterProvider.builder().setResource(resource)
        .registerMetricReader(PeriodicMetricReader.builder(OtlpHttpMetricExporter.builder()
            .setEndpoint("http://127.0.0.1:" + port + "/v1/metrics").setRetryPolicy(null).build())
            .setInterval(Duration.ofHours(1)).build()).build()) {
      meters.get("io.swak.relay").counterBuilder("orders").build().add(5);
      assertThat(meters.forceFlush().join(20, TimeUnit.SECONDS).isSuccess()).isTrue();
    }

    await().atMost(Duration.ofSeconds(20)).until(() -> !next.traces.isEmpty() && !next.metrics.isEmpty());
    var rs = next.traces.get(0).getResourceSpans(0);
    assertThat(rs.getResource().getAttributesList()).anySatisfy(kv -> assertThat(kv.getValue().getStringValue())
        .isEqualTo("cart"));
    var span = rs.getScopeSpans(0).getSpans(0);
    assertThat(span.getName()).isEqualTo("checkout");
    assertThat(span.getAttributes(0).getValue().getIntValue()).isEqualTo(3);
    assertThat(span.getTraceId().size()).isEqualTo(16);
    Metric m = next.metrics.get(0).getResourceMetrics(0).getScopeMetrics(0).getMetrics(0);
    assertThat(m.getName()).isEqualTo("orders");
    assertThat(m.getSum().getDataPoints(0).getAsInt()).isEqualTo(5);
    // every export (the flush, and the close's) is counted and relayed: none is lost or made up
    await().atMost(Duration.ofSeconds(20)).until(() -> agent.tasks().get(0).counters().get(0).snapshot()
        .get("data_points") == points(next));
    assertThat(agent.tasks().get(0).counters().get(0).snapshot().get("spans")).isEqualTo(1);
  }
}
