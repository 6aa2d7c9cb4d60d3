package io.swak.plugins.http;

import io.swak.api.DataSize;
import io.swak.api.Option;
import io.swak.api.Plugin;
import java.nio.file.Path;
import java.time.Duration;

/** {@code in.Http}: receives events POSTed as JSON, NDJSON or lines, and answers once the task accepted them. */
public final class HttpInputPlugin extends Plugin<HttpInputPlugin.Options> {

  /** How a body is read. */
  public enum Format { AUTO, JSON, NDJSON, LINES }

  /** Options of in.Http. */
  public record Options(
      @Option(value = "Address to listen on. Listening beyond loopback exposes the port: set a token and tls.",
          defaultValue = "127.0.0.1", aliases = {"listen"}) String bind,
      @Option(value = "Port to listen on (0 = any free port).", defaultValue = "9880") int port,
      @Option(value = "Tag of every event; when empty, the path of the request is the tag (POST /app.web gives "
          + "app.web), as Fluent Bit's http input does.", defaultValue = "") String tag,
      @Option(value = "auto (by Content-Type: application/json, application/x-ndjson, text/plain; JSON when "
          + "none), json (one object or an array of objects), ndjson (one object per line) or lines (each line "
          + "a message).", defaultValue = "auto") Format format,
      @Option(value = "Field of a line's text (format lines).", defaultValue = "message") String messageKey,
      @Option(value = "Largest body, after gzip is undone; a larger one is answered 413.",
          defaultValue = "16MiB") DataSize maxBodySize,
      @Option(value = "Connections open at once; more are closed at once (counted).", defaultValue = "1024")
      int maxConnections,
      @Option(value = "Time a request may take to arrive whole; slower ones are answered 408 and closed.",
          defaultValue = "30s") Duration requestTimeout,
      @Option(value = "Bytes of accepted bodies waiting for the task; while full, requests are answered 429 "
          + "with Retry-After.", defaultValue = "64MiB") DataSize queueLimit,
      @Option(value = "Bytes of request bodies held at once, all connections together, while they arrive; a body "
          + "that would pass it is answered 503 with Retry-After and its connection closed (counted as "
          + "memory_refusals). One request alone may pass it. Default: max_body_size + 8 MiB.") DataSize memoryLimit,
      @Option(value = "Time to wait for the task to accept a batch before answering 503.", defaultValue = "60s")
      Duration ackTimeout,
      @Option(value = "Require `Authorization: Bearer TOKEN` (write it as ${ENV_VAR}).") String bearerToken,
      @Option(value = "Require basic authentication with this user (and basic_password).") String basicUser,
      @Option(value = "Password of basic_user (write it as ${ENV_VAR}).") String basicPassword,
      @Option(value = "Network threads.", defaultValue = "1") int threads,
      @Option(value = "Server certificate chain (PEM): serve HTTPS.") Path certFile,
      @Option(value = "Private key (PEM, PKCS#8) of cert_file.") Path keyFile) {

    public Options {
      if (port < 0 || port > 65535) {
        throw new IllegalArgumentException("option `port`: " + port + " is not a port (0..65535)");
      }
      if (maxConnections < 1 || threads < 1) {
        throw new IllegalArgumentException("options `max_connections` and `threads` must be at least 1");
      }
      if ((certFile == null) != (keyFile == null)) {
        throw new IllegalArgumentException("give both `cert_file` and `key_file` (PEM) to serve HTTPS, or neither");
      }
      if ((basicUser == null) != (basicPassword == null)) {
        throw new IllegalArgumentException("give both `basic_user` and `basic_password`, or neither");
      }
      if (bearerToken != null && bearerToken.isBlank()) {
        throw new IllegalArgumentException("option `bearer_token` is empty (is its environment variable set?)");
      }
      if (maxBodySize != null && maxBodySize.bytes() > Integer.MAX_VALUE - 1024) {
        throw new IllegalArgumentException("option `max_body_size` must be below 2GiB");
      }
    }
  }

  public HttpInputPlugin() {
    super("in.Http", "Receives events POSTed over HTTP(S) as JSON (an object or an array), NDJSON or plain lines, "
        + "tagged by the path or a fixed tag; gzip bodies, bearer or basic authentication; answers 200 once the "
        + "task accepted the events, 429 while it is full.", Options.class, HttpInput::new);
  }
}
