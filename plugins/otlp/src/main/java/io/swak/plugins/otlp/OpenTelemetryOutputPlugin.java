package io.swak.plugins.otlp;

import io.swak.api.Option;
import io.swak.api.Plugin;
import io.swak.support.Http1Client;
import java.net.URI;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;

/** {@code out.OpenTelemetry} (alias {@code out.OTLP}): sends events to an OTLP receiver over OTLP/HTTP protobuf. */
public final class OpenTelemetryOutputPlugin extends Plugin<OpenTelemetryOutputPlugin.Options> {

  /** Compression of the request bodies. */
  public enum Compression { GZIP, NONE }

  /** Options of out.OpenTelemetry. */
  public record Options(
      @Option(value = "The receiver: http(s)://host:port, to which /v1/logs (/v1/metrics, /v1/traces) is added; a URL "
          + "with a path of its own is used as is for logs.", defaultValue = "http://127.0.0.1:4318") String endpoint,
      @Option(value = "gzip or none.", defaultValue = "gzip") Compression compression,
      @Option(value = "HTTP headers sent with every request, e.g. {authorization: \"Bearer ${TOKEN}\"}; their values "
          + "are never logged.") Map<String, String> headers,
      @Option(value = "Time allowed for one request: connecting, sending and the receiver's answer.",
          defaultValue = "30s") Duration timeout,
      @Option(value = "Record key of the log body.", defaultValue = "message") String messageKey,
      @Option(value = "Send each event's tag as this log attribute (in.OpenTelemetry's tag_attribute turns it back "
          + "into the tag), e.g. fluent.tag.") String tagAttribute,
      @Option(value = "Resource attributes of every record, unless its own resource has them, e.g. "
          + "{service.name: billing}.") Map<String, String> resource,
      @Option(value = "CA certificates (PEM) to trust for https; default: the JVM's trust store.") Path caFile,
      @Option(value = "Client certificate chain (PEM) for receivers that require one.") Path certFile,
      @Option(value = "Client private key (PEM, PKCS#8) of cert_file.") Path keyFile,
      @Option(value = "Trust any certificate and name. For tests only: it removes TLS's protection.",
          defaultValue = "false") boolean tlsInsecure) {

    public Options {
      URI u;
      try {
        u = URI.create(endpoint == null ? "" : endpoint.trim());
      } catch (IllegalArgumentException e) {
        throw new IllegalArgumentException("option `endpoint`: not a URL: " + endpoint);
      }
      if (u.getScheme() == null || !(u.getScheme().equals("http") || u.getScheme().equals("https"))
          || u.getHost() == null) {
        throw new IllegalArgumentException("option `endpoint` must be http://host:port or https://host:port, got "
            + endpoint);
      }
      if (timeout != null && (timeout.isZero() || timeout.isNegative())) {
        throw new IllegalArgumentException("option `timeout` must be more than 0");
      }
      if (messageKey == null || messageKey.isEmpty()) {
        throw new IllegalArgumentException("option `message_key` must not be empty");
      }
      Http1Client.checkHeaders("headers", headers);
      headers = headers == null ? Map.of() : Map.copyOf(headers);
      resource = resource == null ? Map.of() : java.util.Collections.unmodifiableMap(new java.util.LinkedHashMap<>(
          resource));
      if ((certFile == null) != (keyFile == null)) {
        throw new IllegalArgumentException("give both `cert_file` and `key_file`, or neither");
      }
      if (!u.getScheme().equals("https") && (caFile != null || certFile != null || tlsInsecure)) {
        throw new IllegalArgumentException("`ca_file`, `cert_file`, `key_file` and `tls_insecure` need an https "
            + "endpoint");
      }
    }
  }

  public OpenTelemetryOutputPlugin() {
    super("out.OpenTelemetry", "Sends events to an OpenTelemetry receiver (the Collector, in.OpenTelemetry, any "
        + "OTLP/HTTP endpoint) as OTLP/HTTP protobuf, gzip: events become LogRecords field by field; metrics and "
        + "traces received by in.OpenTelemetry are relayed as they came. A batch is delivered when the receiver "
        + "answered success.", Options.class, OtlpOutput::new, "out.OTLP");
  }
}
