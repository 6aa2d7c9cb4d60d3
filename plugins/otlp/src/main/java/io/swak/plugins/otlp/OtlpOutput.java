package io.swak.plugins.otlp;

import io.opentelemetry.proto.collector.logs.v1.ExportLogsServiceResponse;
import io.opentelemetry.proto.collector.metrics.v1.ExportMetricsServiceResponse;
import io.opentelemetry.proto.collector.trace.v1.ExportTraceServiceResponse;
import io.swak.api.Batch;
import io.swak.api.Output;
import io.swak.api.PermanentFailure;
import io.swak.api.StepContext;
import io.swak.support.Http1Client;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.net.URI;
import java.util.List;
import java.util.Map;
import java.util.zip.GZIPOutputStream;
import javax.net.ssl.SSLContext;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * out.OpenTelemetry: one POST per signal in a batch, synchronous on the runtime's thread over {@link Http1Client}
 * (HTTP/1.1 keep-alive, the OTLP/HTTP transport every receiver speaks); the batch is delivered when
 * every POST was answered 2xx. What the OTLP specification says to retry (429, 502, 503, 504, and any network
 * failure) is thrown for the runtime to retry; any other answer is final and sends the batch to the dead-letter file
 * with the receiver's reason.
 */
final class OtlpOutput implements Output {

  private static final Logger LOG = LoggerFactory.getLogger("swak.otlp");

  private final OpenTelemetryOutputPlugin.Options o;
  private final Map<Signal, URI> uris = new java.util.EnumMap<>(Signal.class);
  /** How much of an answer is read: a partial success or an error status, both small. */
  private static final int ANSWER_BYTES = 64 * 1024;

  private Http1Client client;
  /** Content-Type, Content-Encoding and the configured headers, each line ending in CRLF. */
  private String headers;
  private EventsToLogs encoder;
  private StepContext context;
  private long lastPartialWarning;

  OtlpOutput(OpenTelemetryOutputPlugin.Options options) {
    this.o = options;
  }

  @Override
  public void start(StepContext ctx) throws Exception {
    this.context = ctx;
    String base = o.endpoint().trim();
    URI u = URI.create(base);
    boolean ownPath = u.getPath() != null && !u.getPath().isEmpty() && !u.getPath().equals("/");
    String root = base.endsWith("/") ? base.substring(0, base.length() - 1) : base;
    for (Signal s : Signal.values()) {
      // a URL with a path of its own is the logs endpoint (as OTEL_EXPORTER_OTLP_LOGS_ENDPOINT); others take theirs
      uris.put(s, ownPath ? (s == Signal.LOGS ? u : URI.create(u.getScheme() + "://" + u.getRawAuthority() + s.path))
          : URI.create(root + s.path));
    }
    SSLContext tls = u.getScheme().equals("https")
        ? io.swak.support.PemTls.clientContext(o.tlsInsecure(), o.caFile(), o.certFile(), o.keyFile()) : null;
    client = new Http1Client(tls, !o.tlsInsecure(), o.timeout(), o.timeout(), ANSWER_BYTES,
        "swak-otlp-" + ctx.taskName().replace(' ', '-') + "-timer");
    headers = "Content-Type: application/x-protobuf\r\n"
        + (o.compression() == OpenTelemetryOutputPlugin.Compression.GZIP ? "Content-Encoding: gzip\r\n" : "")
        + Http1Client.headerLines(o.headers());
    encoder = new EventsToLogs(o.messageKey(), o.tagAttribute(), o.resource());
    LOG.info("out.OpenTelemetry: sending to {} (OTLP/HTTP protobuf{})", uris.get(Signal.LOGS),
        o.compression() == OpenTelemetryOutputPlugin.Compression.GZIP ? ", gzip" : "");
  }

  @Override
  public void write(Batch batch) throws Exception {
    List<EventsToLogs.Request> requests;
    long invalid = encoder.invalidIds;
    try {
      requests = encoder.encode(batch);
    } catch (EventsToLogs.Unencodable e) {
      throw new PermanentFailure(e.getMessage(), e);
    }
    if (encoder.invalidIds != invalid) {
      context.metrics().count("invalid_ids", encoder.invalidIds - invalid);
    }
    for (EventsToLogs.Request r : requests) {
      post(r);
    }
  }

  private void post(EventsToLogs.Request r) throws Exception {
    byte[] body = r.body();
    if (o.compression() == OpenTelemetryOutputPlugin.Compression.GZIP) {
      body = gzip(body);
    }
    Http1Client.Answer<Void> resp;
    try {
      resp = client.post(uris.get(r.signal()), headers, body, 0, body.length, status -> null);
    } catch (Http1Client.TimedOut e) {
      throw new IOException(where(r) + ": no answer within " + o.timeout().toSeconds() + " s", e);
    } catch (IOException e) {
      throw new IOException(where(r) + ": " + io.swak.support.FailureText.of(e), e);
    }
    int code = resp.status();
    context.metrics().count("requests", 1);
    if (code / 100 == 2) {
      partialSuccess(r, resp.first());
      return;
    }
    String why = RpcStatus.message(resp.first());
    String text = where(r) + " answered " + code + (why != null ? ": " + why : "");
    if (code == 429 || code == 502 || code == 503 || code == 504) {
      context.metrics().count("retryable_answers", 1);
      throw new IOException(text);
    }
    context.metrics().count("refused", 1);
    throw new PermanentFailure(text + " (not retried: the OTLP specification makes this answer final)");
  }

  private String where(EventsToLogs.Request r) {
    URI u = uris.get(r.signal());
    return u.getScheme() + "://" + u.getRawAuthority() + u.getRawPath(); // never the query: it may hold a key
  }

  /** Counts what the receiver says it rejected: not retried (the specification says so), but never silent. */
  private void partialSuccess(EventsToLogs.Request r, byte[] body) {
    if (body == null || body.length == 0) {
      return;
    }
    long rejected;
    String message;
    try {
      switch (r.signal()) {
        case LOGS -> {
          var p = ExportLogsServiceResponse.parseFrom(body).getPartialSuccess();
          rejected = p.getRejectedLogRecords();
          message = p.getErrorMessage();
        }
        case METRICS -> {
          var p = ExportMetricsServiceResponse.parseFrom(body).getPartialSuccess();
          rejected = p.getRejectedDataPoints();
          message = p.getErrorMessage();
        }
        default -> {
          var p = ExportTraceServiceResponse.parseFrom(body).getPartialSuccess();
          rejected = p.getRejectedSpans();
          message = p.getErrorMessage();
        }
      }
    } catch (IOException e) {
      return; // a 2xx body that is not a response (some proxies answer text): the receiver took it
    }
    if (rejected > 0 || !message.isEmpty()) {
      context.metrics().count("rejected_by_receiver", rejected);
      long now = System.nanoTime();
      if (now - lastPartialWarning > 10_000_000_000L || lastPartialWarning == 0) {
        lastPartialWarning = now;
        LOG.warn("out.OpenTelemetry: {} accepted the batch but rejected {} {}{}", where(r), rejected,
            r.signal() == Signal.LOGS ? "log records" : r.signal() == Signal.METRICS ? "data points" : "spans",
            message.isEmpty() ? "" : ": " + message);
      }
    }
  }

  static byte[] gzip(byte[] b) throws IOException {
    ByteArrayOutputStream out = new ByteArrayOutputStream(b.length / 4 + 64);
    try (GZIPOutputStream z = new GZIPOutputStream(out, 1 << 16)) {
      z.write(b);
    }
    return out.toByteArray();
  }

  @Override
  public void close() {
    if (client != null) {
      client.close();
    }
  }
}
