package io.swak.plugins.otlp;

import io.swak.api.DataSize;
import io.swak.api.Option;
import io.swak.api.Plugin;
import java.nio.file.Path;
import java.time.Duration;

/** {@code in.OpenTelemetry} (alias {@code in.OTLP}): an OTLP receiver, HTTP (protobuf and JSON) and gRPC. */
public final class OpenTelemetryInputPlugin extends Plugin<OpenTelemetryInputPlugin.Options> {

  /** Options of in.OpenTelemetry. */
  public record Options(
      @Option(value = "Address to listen on. Listening beyond loopback exposes the port: use tls.",
          defaultValue = "127.0.0.1") String bind,
      @Option(value = "OTLP/HTTP port (POST /v1/logs, /v1/metrics, /v1/traces; HTTP/1.1, and HTTP/2 so gRPC works "
          + "here too). 0 = any free port.", defaultValue = "4318") int port,
      @Option(value = "OTLP/gRPC port (OTLP/HTTP works here too); -1 = none. 0 = any free port.",
          defaultValue = "4317") int grpcPort,
      @Option(value = "Events are tagged <tag>.logs, <tag>.metrics and <tag>.traces.", defaultValue = "otlp")
      String tag,
      @Option(value = "Log attribute whose string value becomes the event's tag (and is no longer an attribute): "
          + "the other end of out.OpenTelemetry's tag_attribute, e.g. fluent.tag.") String tagAttribute,
      @Option(value = "Record key of the log body.", defaultValue = "message") String messageKey,
      @Option(value = "Largest request body, as received (compressed or not); a larger one is answered 413.",
          defaultValue = "16MiB") DataSize bodyLimit,
      @Option(value = "Largest size a compressed body may expand to (decompression bomb guard); past it, 413.",
          defaultValue = "16MiB") DataSize decompressedLimit,
      @Option(value = "Bytes of received batches waiting for the task; when full, requests are answered 429 "
          + "(gRPC RESOURCE_EXHAUSTED) and the clients retry later: backpressure.", defaultValue = "16MiB")
      DataSize queueLimit,
      @Option(value = "Heap held by requests at once, all connections together: bodies being received, and about 7x "
          + "the (decompressed) body while one is decoded; past it, requests are answered 429 too (one request alone "
          + "may pass it).", defaultValue = "64MiB") DataSize memoryLimit,
      @Option(value = "Longest wait for the task to acknowledge a request (deliver it, or buffer it); past it the "
          + "client is answered 503 and sends it again. 0 = wait as long as it takes.", defaultValue = "60s")
      Duration ackTimeout,
      @Option(value = "Time a client has to send a whole request once it began (slow clients are cut off).",
          defaultValue = "30s") Duration readTimeout,
      @Option(value = "Connections with nothing to do are closed after this.", defaultValue = "2m")
      Duration idleTimeout,
      @Option(value = "Connections open at once; more are refused.", defaultValue = "1000") int maxConnections,
      @Option(value = "gRPC calls (HTTP/2 streams) open at once on one connection.", defaultValue = "100")
      int maxConcurrentStreams,
      @Option(value = "Network threads: they also decode the requests.", defaultValue = "1") int threads,
      @Option(value = "Accept TLS connections only (cert_file and key_file required); HTTP/2 by ALPN.",
          defaultValue = "false") boolean tls,
      @Option(value = "Server certificate chain, PEM.") Path certFile,
      @Option(value = "Server private key, PEM (PKCS#8).") Path keyFile,
      @Option(value = "With tls: require client certificates signed by these CAs (PEM).") Path caFile) {

    public Options {
      check("port", port, 0);
      check("grpc_port", grpcPort, -1);
      if (port != 0 && port == grpcPort) {
        throw new IllegalArgumentException("options `port` and `grpc_port` are both " + port + ": set `grpc_port: -1` "
            + "to serve gRPC on `port` only");
      }
      if (tag == null || tag.isEmpty()) {
        throw new IllegalArgumentException("option `tag` must not be empty");
      }
      if (messageKey == null || messageKey.isEmpty()) {
        throw new IllegalArgumentException("option `message_key` must not be empty");
      }
      if (maxConnections < 1 || threads < 1 || maxConcurrentStreams < 1) {
        throw new IllegalArgumentException("options `max_connections`, `max_concurrent_streams` and `threads` must be "
            + "at least 1");
      }
      if (bodyLimit != null && bodyLimit.bytes() > Integer.MAX_VALUE - 64
          || decompressedLimit != null && decompressedLimit.bytes() > Integer.MAX_VALUE - 64) {
        throw new IllegalArgumentException("options `body_limit` and `decompressed_limit` must be below 2GiB");
      }
      if (tls && (certFile == null || keyFile == null)) {
        throw new IllegalArgumentException("option `tls: true` needs `cert_file` and `key_file` (PEM)");
      }
      if (!tls && (certFile != null || keyFile != null || caFile != null)) {
        throw new IllegalArgumentException("`cert_file`, `key_file` and `ca_file` need `tls: true`");
      }
    }

    private static void check(String name, int port, int min) {
      if (port < min || port > 65535) {
        throw new IllegalArgumentException("option `" + name + "`: " + port + " is not a port (" + min + "..65535)");
      }
    }
  }

  public OpenTelemetryInputPlugin() {
    super("in.OpenTelemetry", "Receives OpenTelemetry data over OTLP (HTTP with protobuf or JSON, and gRPC): logs "
        + "become events field by field, metrics and traces are kept as they came so out.OpenTelemetry relays them. "
        + "A request is answered success once the task has acknowledged it.",
        Options.class, OtlpInput::new, "in.OTLP");
  }
}
