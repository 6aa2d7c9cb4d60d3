package io.swak.plugins.http;

import io.swak.api.Batch;
import io.swak.api.Output;
import io.swak.api.StepContext;
import io.swak.support.LineFormat;
import io.swak.support.PemTls;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.HttpTimeoutException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.time.format.DateTimeParseException;
import java.util.Map;
import java.util.Set;
import java.util.zip.GZIPOutputStream;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * out.Http: one POST per batch with java.net.http, the answer settling the receipt (the runtime retries, in
 * order, with its backoff, or the server's Retry-After when longer). 2xx delivers; 408, 429 and 5xx fail for a retry;
 * any other 4xx rejects the batch for good (dead letter), with the start of the server's answer as the reason. Header
 * values are never logged.
 */
final class HttpOutput implements Output {

  private static final Logger LOG = LoggerFactory.getLogger("swak.http");
  private static final Set<String> RESTRICTED = Set.of("connection", "content-length", "expect", "host", "upgrade");

  private final HttpOutputPlugin.Options o;
  private final URI url;
  private final LineFormat lines;
  private HttpClient client;
  private StepContext context;

  HttpOutput(HttpOutputPlugin.Options options) {
    this.o = options;
    this.url = URI.create(options.url());
    this.lines = new LineFormat(options.envelope() ? LineFormat.Kind.JSON : LineFormat.Kind.RECORD, "message");
  }

  @Override
  public void start(StepContext ctx) throws Exception {
    this.context = ctx;
    HttpClient.Builder b = HttpClient.newBuilder().connectTimeout(o.timeout()).version(HttpClient.Version.HTTP_1_1);
    if (o.caFile() != null || o.certFile() != null || o.tlsInsecure()) {
      b.sslContext(PemTls.clientContext(o.tlsInsecure(), o.caFile(), o.certFile(), o.keyFile()));
    }
    client = b.build();
  }

  @Override
  public int window() {
    return o.inFlight();
  }

  /** The request body for the batch, compressed when asked. */
  byte[] body(Batch batch) throws IOException {
    ByteArrayOutputStream bytes = new ByteArrayOutputStream(batch.length() * 2 + 64);
    OutputStream out = o.compress() == HttpOutputPlugin.Compress.GZIP ? new GZIPOutputStream(bytes, 1 << 16) : bytes;
    switch (o.format()) {
      case MSGPACK -> out.write(batch.data(), 0, batch.length());
      case NDJSON -> lines.write(batch, out);
      default -> {
        // NDJSON lines joined into an array: a JSON line has no raw newline, so each one ends an event
        ByteArrayOutputStream nd = new ByteArrayOutputStream(batch.length() * 2 + 64);
        lines.write(batch, nd);
        byte[] b = nd.toByteArray();
        out.write('[');
        int start = 0;
        for (int i = 0; i < b.length; i++) {
          if (b[i] == '\n') {
            if (start > 0) {
              out.write(',');
            }
            out.write(b, start, i - start);
            start = i + 1;
          }
        }
        out.write(']');
      }
    }
    out.close();
    return bytes.toByteArray();
  }

  @Override
  public void send(Batch batch, Receipt receipt) throws Exception {
    byte[] body = body(batch);
    HttpRequest.Builder r = HttpRequest.newBuilder(url).timeout(o.timeout())
        .POST(HttpRequest.BodyPublishers.ofByteArray(body))
        .header("Content-Type", switch (o.format()) {
          case MSGPACK -> "application/msgpack";
          case NDJSON -> "application/x-ndjson";
          default -> "application/json";
        });
    if (o.compress() == HttpOutputPlugin.Compress.GZIP) {
      r.header("Content-Encoding", "gzip");
    }
    if (o.format() == HttpOutputPlugin.Format.MSGPACK) {
      r.header("X-Swak-Tag", batch.tag());
    }
    if (o.headers() != null) {
      for (Map.Entry<String, String> h : o.headers().entrySet()) {
        if (!RESTRICTED.contains(h.getKey().toLowerCase())) {
          r.header(h.getKey(), h.getValue());
        }
      }
    }
    context.metrics().bytesOut(body.length);
    client.sendAsync(r.build(), HttpResponse.BodyHandlers.ofInputStream()).whenComplete((res, error) -> {
      if (error != null) {
        Throwable c = error.getCause() != null ? error.getCause() : error;
        receipt.failed(c instanceof HttpTimeoutException ? url.getHost() + " did not answer within timeout ("
            + o.timeout().toSeconds() + "s)" : "cannot reach " + origin() + ": " + describe(c));
        return;
      }
      int s = res.statusCode();
      String answer = start(res);
      if (s / 100 == 2) {
        receipt.delivered();
      } else if (s == 408 || s == 429 || s / 100 == 5) {
        String retryAfter = res.headers().firstValue("Retry-After").orElse(null);
        // the runtime waits what the server asked when that is longer than its backoff (bounded by retry_max_wait)
        receipt.failed(origin() + " answered " + s + (retryAfter != null ? " (Retry-After: " + retryAfter + ")" : "")
            + (answer.isEmpty() ? "" : ": " + answer), retryAfter(retryAfter, context.clock().instant()));
      } else {
        receipt.rejected(origin() + " refused the batch with " + s + (answer.isEmpty() ? "" : ": " + answer));
      }
    });
  }

  /** Longest wait taken from a Retry-After: the runtime bounds it by retry_max_wait anyway. */
  private static final Duration LONGEST_RETRY_AFTER = Duration.ofDays(1);

  /**
   * The wait a Retry-After header asks for (RFC 9110 10.2.3): delay-seconds, or an HTTP date (a date already past is
   * no wait). Null when there is none or it is neither, so the runtime's backoff decides.
   */
  static Duration retryAfter(String value, Instant now) {
    if (value == null || value.isBlank()) {
      return null;
    }
    String v = value.trim();
    if (v.chars().allMatch(Character::isDigit)) {
      return v.length() > 6 ? LONGEST_RETRY_AFTER : min(Duration.ofSeconds(Long.parseLong(v)));
    }
    try {
      Instant at = ZonedDateTime.parse(v, DateTimeFormatter.RFC_1123_DATE_TIME).toInstant();
      return at.isAfter(now) ? min(Duration.between(now, at)) : Duration.ZERO;
    } catch (DateTimeParseException e) {
      return null;
    }
  }

  private static Duration min(Duration d) {
    return d.compareTo(LONGEST_RETRY_AFTER) > 0 ? LONGEST_RETRY_AFTER : d;
  }

  private String origin() {
    return url.getScheme() + "://" + url.getAuthority();
  }

  private static String describe(Throwable c) {
    for (Throwable t = c; t != null; t = t.getCause()) {
      if (t instanceof javax.net.ssl.SSLException) {
        String why = String.valueOf(t.getMessage());
        return why.contains("unable to find valid certification path")
            ? "TLS: the server's certificate is not signed by a CA this agent trusts (set ca_file)"
            : "TLS handshake failed: " + why;
      }
    }
    String m = c.getMessage();
    return m == null || m.isEmpty() ? "connection failed" : m;
  }

  /** The first 200 characters of the answer's body, for the reason; the rest is not read. */
  private static String start(HttpResponse<java.io.InputStream> res) {
    try (var in = res.body()) {
      byte[] b = in.readNBytes(200);
      return new String(b, StandardCharsets.UTF_8).strip().replaceAll("\\s+", " ");
    } catch (IOException e) {
      return "";
    }
  }

  @Override
  public void close() {
    client = null; // its threads are daemons and end with their connections
  }
}
