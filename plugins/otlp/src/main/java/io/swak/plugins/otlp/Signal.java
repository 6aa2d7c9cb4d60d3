package io.swak.plugins.otlp;

/** The three OTLP signals: where each is posted, its gRPC method, and how it travels inside Swak. */
enum Signal {
  LOGS("/v1/logs", "/opentelemetry.proto.collector.logs.v1.LogsService/Export", "logs", null),
  METRICS("/v1/metrics", "/opentelemetry.proto.collector.metrics.v1.MetricsService/Export", "metrics",
      "otlp_metrics"),
  TRACES("/v1/traces", "/opentelemetry.proto.collector.trace.v1.TraceService/Export", "traces", "otlp_traces");

  /** OTLP/HTTP path. */
  final String path;
  /** OTLP/gRPC {@code :path}. */
  final String grpcPath;
  /** Suffix of the tag of the events received ({@code otlp.logs}). */
  final String tagSuffix;
  /**
   * Metrics and traces are relayed, not mapped: one event per resource whose record holds, under this key,
   * the protobuf bytes of an export request of that one resource. Null for logs, which are mapped field by field.
   */
  final String payloadKey;

  Signal(String path, String grpcPath, String tagSuffix, String payloadKey) {
    this.path = path;
    this.grpcPath = grpcPath;
    this.tagSuffix = tagSuffix;
    this.payloadKey = payloadKey;
  }

  /** The signal posted to {@code path} (query ignored), or null. */
  static Signal ofHttpPath(String path) {
    int q = path.indexOf('?');
    String p = q >= 0 ? path.substring(0, q) : path;
    for (Signal s : values()) {
      if (s.path.equals(p)) {
        return s;
      }
    }
    return null;
  }

  /** The signal of a gRPC {@code :path}, or null. */
  static Signal ofGrpcPath(String path) {
    for (Signal s : values()) {
      if (s.grpcPath.equals(path)) {
        return s;
      }
    }
    return null;
  }

  /** What a user calls it in messages. */
  String noun() {
    return tagSuffix;
  }
}
