package io.swak.plugins.http;

import io.swak.api.Batch;
import io.swak.api.Output;
import io.swak.api.StepContext;
import io.swak.support.Http1Client;
import io.swak.support.LineFormat;
import io.swak.support.PemTls;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.net.URI;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.time.format.DateTimeParseException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.zip.GZIPOutputStream;
import javax.net.ssl.SSLContext;

/**
 * out.Http: one POST per batch over {@link Http1Client} (blocking HTTP/1.1 keep-alive connections), the answer
 * settling the receipt (the runtime retries, in order, with its backoff, or the server's Retry-After when longer).
 * 2xx delivers; 408, 429 and 5xx fail for a retry; any other 4xx rejects the batch for good (dead letter), with the
 * start of the server's answer as the reason. Header values are never logged. With {@code in_flight} above 1 the
 * requests go from a pool of that many threads, each on a connection of its own.
 */
final class HttpOutput implements Output {

  /** How much of an answer's body is kept for the reason of a failure. */
  private static final int ANSWER_START = 200;

  private final HttpOutputPlugin.Options o;
  private final URI url;
  private final LineFormat lines;
  private Http1Client client;
  private ExecutorService senders;
  /** The header lines every request has (but X-Swak-Tag), each ending in CRLF. */
  private String headers;
  private StepContext context;

  HttpOutput(HttpOutputPlugin.Options options) {
    this.o = options;
    this.url = URI.create(options.url());
    this.lines = new LineFormat(options.envelope() ? LineFormat.Kind.JSON : LineFormat.Kind.RECORD, "message");
  }

  @Override
  public void start(StepContext ctx) throws Exception {
    this.context = ctx;
    StringBuilder h = new StringBuilder();
    boolean ownType = o.headers() != null && o.headers().keySet().stream().anyMatch("content-type"::equalsIgnoreCase);
    if (!ownType) { // a Content-Type in `headers` replaces the format's
      h.append("Content-Type: ").append(switch (o.format()) {
        case MSGPACK -> "application/msgpack";
        case NDJSON -> "application/x-ndjson";
        default -> "application/json";
      }).append("\r\n");
    }
    if (o.compress() == HttpOutputPlugin.Compress.GZIP) {
      h.append("Content-Encoding: gzip\r\n");
    }
    h.append(Http1Client.headerLines(o.headers()));
    headers = h.toString();
    SSLContext tls = "https".equalsIgnoreCase(url.getScheme())
        ? PemTls.clientContext(o.tlsInsecure(), o.caFile(), o.certFile(), o.keyFile()) : null;
    String name = "swak-http-" + ctx.taskName().replace(' ', '-') + "-";
    client = new Http1Client(tls, !o.tlsInsecure(), o.timeout(), o.timeout(), ANSWER_START, name + "timer");
    if (o.inFlight() > 1) { // with a window of 1 the runtime's sending thread waits anyway: it sends itself
      AtomicInteger n = new AtomicInteger();
      senders = Executors.newFixedThreadPool(o.inFlight(), r -> {
        Thread t = new Thread(r, name + n.incrementAndGet());
        t.setDaemon(true);
        return t;
      });
    }
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
    String h = o.format() == HttpOutputPlugin.Format.MSGPACK ? headers + "X-Swak-Tag: " + headerSafe(batch.tag())
        + "\r\n" : headers;
    context.metrics().bytesOut(body.length);
    if (senders != null) {
      senders.execute(() -> post(h, body, receipt));
    } else {
      post(h, body, receipt);
    }
  }

  private void post(String h, byte[] body, Receipt receipt) {
    Http1Client.Answer<Void> res;
    try {
      res = client.post(url, h, body, 0, body.length, status -> null);
    } catch (Http1Client.TimedOut e) {
      receipt.failed(url.getHost() + " did not answer within timeout (" + o.timeout().toSeconds() + "s)");
      return;
    } catch (IOException | RuntimeException e) {
      receipt.failed("cannot reach " + origin() + ": " + describe(e));
      return;
    }
    int s = res.status();
    String answer = res.firstText();
    if (s / 100 == 2) {
      receipt.delivered();
    } else if (s == 408 || s == 429 || s / 100 == 5) {
      String retryAfter = res.retryAfter();
      // the runtime waits what the server asked when that is longer than its backoff (bounded by retry_max_wait)
      receipt.failed(origin() + " answered " + s + (retryAfter != null ? " (Retry-After: " + retryAfter + ")" : "")
          + (answer.isEmpty() ? "" : ": " + answer), retryAfter(retryAfter, context.clock().instant()));
    } else {
      receipt.rejected(origin() + " refused the batch with " + s + (answer.isEmpty() ? "" : ": " + answer));
    }
  }

  /** A tag as a header value: as it is when printable ASCII, else URL-encoded (UTF-8). */
  static String headerSafe(String tag) {
    return tag.chars().allMatch(c -> c >= 32 && c < 127) ? tag : URLEncoder.encode(tag, StandardCharsets.UTF_8);
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
    return Http1Client.origin(url);
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

  @Override
  public void close() {
    if (senders != null) {
      senders.shutdownNow();
    }
    if (client != null) {
      client.close();
    }
  }
}
