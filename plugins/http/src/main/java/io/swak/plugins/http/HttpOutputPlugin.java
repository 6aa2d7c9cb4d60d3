package io.swak.plugins.http;

import io.swak.api.Option;
import io.swak.api.Plugin;
import io.swak.support.Http1Client;
import java.net.URI;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;

/** {@code out.Http}: POSTs each batch to a URL as JSON, NDJSON or msgpack. */
public final class HttpOutputPlugin extends Plugin<HttpOutputPlugin.Options> {

  /** The body of a request. */
  public enum Format { JSON, NDJSON, MSGPACK }

  /** Compression of the body. */
  public enum Compress { NONE, GZIP }

  /** Options of out.Http. */
  public record Options(
      @Option(value = "URL to POST to (http or https; https trusts the JVM's CA certificates unless ca_file says "
          + "otherwise).", required = true)
      String url,
      @Option(value = "json (an array of events), ndjson (one event per line) or msgpack (the batch's "
          + "[time, record] entries, as Fluentd's forward body; the tag in the X-Swak-Tag header).",
          defaultValue = "json") Format format,
      @Option(value = "true: each event is {tag, time, record}, as out.File writes it; false: the record alone.",
          defaultValue = "true") boolean envelope,
      @Option(value = "none or gzip (Content-Encoding: gzip).", defaultValue = "none") Compress compress,
      @Option(value = "Headers sent with every request; write secrets as ${ENV_VAR}, e.g. "
          + "{Authorization: \"Bearer ${TOKEN}\"}.") Map<String, String> headers,
      @Option(value = "Time allowed for connecting and for the answer to a request.", defaultValue = "30s")
      Duration timeout,
      @Option(value = "Requests on their way at once. Above 1 they travel on separate connections, so the server "
          + "may get batches out of order.", defaultValue = "1") int inFlight,
      @Option("https: CA certificates (PEM) to trust instead of the JVM's trust store.") Path caFile,
      @Option("https: client certificate chain (PEM) for servers that require one.") Path certFile,
      @Option("https: private key (PEM, PKCS#8) of cert_file.") Path keyFile,
      @Option(value = "https: trust any certificate and name. For tests only: it removes TLS's protection.",
          defaultValue = "false") boolean tlsInsecure) {

    public Options {
      if (url == null || url.isBlank()) {
        throw new IllegalArgumentException("option `url` is required");
      }
      URI u;
      try {
        u = URI.create(url);
      } catch (IllegalArgumentException e) {
        throw new IllegalArgumentException("option `url`: '" + url + "' is not a URL");
      }
      if (!"http".equals(u.getScheme()) && !"https".equals(u.getScheme()) || u.getHost() == null) {
        throw new IllegalArgumentException("option `url`: '" + url + "' is not an http:// or https:// URL");
      }
      if ((certFile == null) != (keyFile == null)) {
        throw new IllegalArgumentException("give both `cert_file` and `key_file`, or neither");
      }
      if (!"https".equals(u.getScheme()) && (caFile != null || certFile != null || tlsInsecure)) {
        throw new IllegalArgumentException("`ca_file`, `cert_file`, `key_file` and `tls_insecure` need an https:// url");
      }
      if (inFlight < 1 || inFlight > 64) {
        throw new IllegalArgumentException("option `in_flight` must be between 1 and 64");
      }
      Http1Client.checkHeaders("headers", headers);
    }
  }

  public HttpOutputPlugin() {
    super("out.Http", "POSTs batches of events to an HTTP(S) endpoint as JSON, NDJSON or msgpack, gzip optional; "
        + "2xx delivers, 408/429/5xx are retried (after the server's Retry-After when it is longer than the backoff, up to "
        + "retry_max_wait), other 4xx go to the dead-letter file.",
        Options.class, HttpOutput::new);
  }
}
