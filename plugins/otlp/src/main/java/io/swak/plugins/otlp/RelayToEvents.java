package io.swak.plugins.otlp;

import com.google.protobuf.MessageLite;
import io.opentelemetry.proto.collector.metrics.v1.ExportMetricsServiceRequest;
import io.opentelemetry.proto.collector.trace.v1.ExportTraceServiceRequest;
import io.opentelemetry.proto.metrics.v1.Metric;
import io.opentelemetry.proto.metrics.v1.ResourceMetrics;
import io.opentelemetry.proto.metrics.v1.ScopeMetrics;
import io.opentelemetry.proto.trace.v1.ResourceSpans;
import io.opentelemetry.proto.trace.v1.ScopeSpans;

/**
 * Metrics and traces are relayed, not mapped: one event per resource, its record {@code {"otlp_metrics": <bytes>}}
 * (or {@code otlp_traces}) holding the protobuf export request of that resource alone. Export requests concatenate
 * into one (a repeated field), so out.OpenTelemetry sends a batch of them as one request without decoding them.
 */
final class RelayToEvents {

  private RelayToEvents() { }

  static Decoded metrics(ExportMetricsServiceRequest req, String tag, long nowNanos) {
    Decoded out = new Decoded();
    MsgpackOut o = new MsgpackOut(256 + req.getSerializedSize() * 11 / 10);
    byte[] key = MsgpackOut.key(Signal.METRICS.payloadKey);
    for (ResourceMetrics rm : req.getResourceMetricsList()) {
      event(ExportMetricsServiceRequest.newBuilder().addResourceMetrics(rm).build(), key, nowNanos, o);
      out.records++;
      for (ScopeMetrics sm : rm.getScopeMetricsList()) {
        for (Metric m : sm.getMetricsList()) {
          out.items += points(m);
        }
      }
    }
    if (out.records > 0) {
      out.add(tag, o, out.records);
    }
    return out;
  }

  static Decoded traces(ExportTraceServiceRequest req, String tag, long nowNanos) {
    Decoded out = new Decoded();
    MsgpackOut o = new MsgpackOut(256 + req.getSerializedSize() * 11 / 10);
    byte[] key = MsgpackOut.key(Signal.TRACES.payloadKey);
    for (ResourceSpans rs : req.getResourceSpansList()) {
      event(ExportTraceServiceRequest.newBuilder().addResourceSpans(rs).build(), key, nowNanos, o);
      out.records++;
      for (ScopeSpans ss : rs.getScopeSpansList()) {
        out.items += ss.getSpansCount();
      }
    }
    if (out.records > 0) {
      out.add(tag, o, out.records);
    }
    return out;
  }

  private static void event(MessageLite request, byte[] key, long nowNanos, MsgpackOut o) {
    byte[] bytes = request.toByteArray();
    o.entryHead(nowNanos);
    o.map(1);
    o.raw(key);
    o.bin(bytes, 0, bytes.length);
  }

  private static long points(Metric m) {
    return switch (m.getDataCase()) {
      case GAUGE -> m.getGauge().getDataPointsCount();
      case SUM -> m.getSum().getDataPointsCount();
      case HISTOGRAM -> m.getHistogram().getDataPointsCount();
      case EXPONENTIAL_HISTOGRAM -> m.getExponentialHistogram().getDataPointsCount();
      case SUMMARY -> m.getSummary().getDataPointsCount();
      default -> 0;
    };
  }
}
