package io.swak.plugins.otlp;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import io.opentelemetry.proto.collector.logs.v1.ExportLogsServiceRequest;
import io.opentelemetry.proto.collector.logs.v1.ExportLogsServiceResponse;
import io.opentelemetry.proto.common.v1.KeyValue;
import io.opentelemetry.proto.logs.v1.LogRecord;
import io.opentelemetry.proto.logs.v1.ResourceLogs;
import io.opentelemetry.proto.logs.v1.ScopeLogs;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.zip.GZIPInputStream;

/**
 * An OTLP/HTTP receiver that is not Swak: the JDK's HTTP server decoding every request with the official
 * protobuf classes, so what out.OpenTelemetry sends is checked by the reference decoder. It can be told to
 * answer 503 (down, retryable) or 400 (refusal, final).
 */
final class CapturingReceiver implements AutoCloseable {

  enum Mode { OK, DOWN, REJECT }

  final HttpServer server;
  final List<ExportLogsServiceRequest> requests = new CopyOnWriteArrayList<>();
  final List<String> encodings = new CopyOnWriteArrayList<>();
  volatile Mode mode = Mode.OK;
  final List<io.opentelemetry.proto.collector.trace.v1.ExportTraceServiceRequest> traces = new CopyOnWriteArrayList<>();
  final List<io.opentelemetry.proto.collector.metrics.v1.ExportMetricsServiceRequest> metrics =
      new CopyOnWriteArrayList<>();

  CapturingReceiver() throws IOException {
    server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 64);
    server.createContext("/v1/logs", this::logs);
    server.createContext("/v1/traces", x -> relayed(x, traces));
    server.createContext("/v1/metrics", x -> relayed(x, metrics));
    server.start();
  }

  int port() {
    return server.getAddress().getPort();
  }

  String endpoint() {
    return "http://127.0.0.1:" + port();
  }

  private void logs(HttpExchange x) throws IOException {
    try (x) {
      byte[] body;
      String enc = x.getRequestHeaders().getFirst("Content-Encoding");
      encodings.add(String.valueOf(enc));
      try (InputStream in = "gzip".equals(enc) ? new GZIPInputStream(x.getRequestBody()) : x.getRequestBody()) {
        body = in.readAllBytes();
      }
      switch (mode) {
        case DOWN -> answer(x, 503, new byte[0]);
        case REJECT -> answer(x, 400, io.opentelemetry.proto.collector.logs.v1.ExportLogsServiceResponse
            .getDefaultInstance().toByteArray());
        default -> {
          requests.add(ExportLogsServiceRequest.parseFrom(body));
          answer(x, 200, ExportLogsServiceResponse.getDefaultInstance().toByteArray());
        }
      }
    }
  }

  @SuppressWarnings("unchecked")
  private <T> void relayed(HttpExchange x, List<T> into) throws IOException {
    try (x) {
      byte[] body;
      try (InputStream in = "gzip".equals(x.getRequestHeaders().getFirst("Content-Encoding"))
          ? new GZIPInputStream(x.getRequestBody()) : x.getRequestBody()) {
        body = in.readAllBytes();
      }
      Object parsed = into == traces
          ? io.opentelemetry.proto.collector.trace.v1.ExportTraceServiceRequest.parseFrom(body)
          : io.opentelemetry.proto.collector.metrics.v1.ExportMetricsServiceRequest.parseFrom(body);
      into.add((T) parsed);
      answer(x, 200, new byte[0]);
    }
  }

  private static void answer(HttpExchange x, int code, byte[] body) throws IOException {
    x.getResponseHeaders().set("Content-Type", "application/x-protobuf");
    x.sendResponseHeaders(code, body.length == 0 ? -1 : body.length);
    if (body.length > 0) {
      try (OutputStream o = x.getResponseBody()) {
        o.write(body);
      }
    }
  }

  List<LogRecord> records() {
    List<LogRecord> out = new ArrayList<>();
    for (ExportLogsServiceRequest r : requests) {
      for (ResourceLogs rl : r.getResourceLogsList()) {
        for (ScopeLogs sl : rl.getScopeLogsList()) {
          out.addAll(sl.getLogRecordsList());
        }
      }
    }
    return out;
  }

  /** The {@code seq} attribute of every record received, in arrival order. */
  List<Long> seqs() {
    List<Long> out = new ArrayList<>();
    for (LogRecord r : records()) {
      for (KeyValue kv : r.getAttributesList()) {
        if (kv.getKey().equals("seq")) {
          out.add(kv.getValue().getIntValue());
        }
      }
    }
    return out;
  }

  @Override
  public void close() {
    server.stop(0);
  }
}
