package io.swak.plugins.tcp;

import io.swak.api.Option;
import io.swak.api.Plugin;
import java.nio.file.Path;
import java.time.Duration;

/** {@code out.Tcp}: streams batches to a TCP server as JSON lines, lines, msgpack or Forward messages. */
public final class TcpOutputPlugin extends Plugin<TcpOutputPlugin.Options> {

  /** How events are written on the connection. */
  public enum Format { JSON_LINES, LINES, MSGPACK, FORWARD }

  /** Compression of the connection's stream. */
  public enum Compress { NONE, GZIP, ZSTD }

  /** Options of out.Tcp. */
  public record Options(
      @Option(value = "Server to connect to.", required = true) String host,
      @Option(value = "Port of `host`.", defaultValue = "5170") int port,
      @Option(value = "json_lines: each record as a JSON object with the event time under time_key, one per line "
          + "(what Logstash's tcp input and in.Tcp read); lines: the message_key field (the record as JSON when it "
          + "has none); msgpack: the [time, record] entries as they are (in.Tcp format msgpack); forward: one "
          + "Forward message per batch, tag included (in.Tcp format forward, Fluentd's in_forward without "
          + "compression).", defaultValue = "json_lines") Format format,
      @Option(value = "Field written by format lines.", defaultValue = "message") String messageKey,
      @Option(value = "Field of format json_lines that carries the event time (RFC 3339 with nanoseconds), "
          + "written first; a record field of that name is replaced. Empty = the record alone.",
          defaultValue = "@timestamp") String timeKey,
      @Option(value = "none, gzip or zstd: one compressed stream per connection, flushed after every batch (the "
          + "receiver decodes each batch as it comes); in.Tcp recognises both.", defaultValue = "none")
      Compress compress,
      @Option(value = "Compression level: gzip 1-9, zstd 1-19; 0 = the library's default (gzip 6, zstd 3).",
          defaultValue = "1") int compressLevel,
      @Option(value = "Wait for in.Tcp's acknowledgement of each batch (format forward only): a batch counts as "
          + "delivered once the receiving task accepted it, and what a broken connection leaves unacknowledged is "
          + "sent again (at-least-once). Without it a batch counts as delivered once written, and what is on its "
          + "way when the receiver crashes is lost.", defaultValue = "false") boolean requireAck,
      @Option(value = "How long to wait for an acknowledgement before the connection is closed and the batches "
          + "on their way are sent again.", defaultValue = "30s") Duration ackTimeout,
      @Option(value = "Keep the connection open between batches (with TCP keepalive probes on it); false = a "
          + "connection per batch, closed once the receiver read it all.", defaultValue = "true") boolean keepalive,
      @Option(value = "Reconnect after about this long (randomised ±20% so agents spread over a load balancer's "
          + "servers); 0 = never.", defaultValue = "0") Duration keepaliveTime,
      @Option(value = "Time allowed to connect (and finish TLS).", defaultValue = "10s") Duration connectTimeout,
      @Option(value = "Time allowed to write one batch; past it the connection is closed and the batch retried.",
          defaultValue = "60s") Duration sendTimeout,
      @Option(value = "First wait before connecting again after a failed connection.", defaultValue = "500ms")
      Duration reconnectWait,
      @Option(value = "Longest wait between connection attempts (the wait doubles after each failure, ±20%).",
          defaultValue = "30s") Duration reconnectWaitMax,
      @Option(value = "Connect with TLS.", defaultValue = "false") boolean tls,
      @Option(value = "CA certificates (PEM) to trust; default: the JVM's trust store.") Path caFile,
      @Option(value = "Check that the server's certificate names the host connected to.", defaultValue = "true")
      boolean tlsVerifyHostname,
      @Option(value = "Client certificate chain (PEM) for servers that require one.") Path certFile,
      @Option(value = "Client private key (PEM, PKCS#8) of cert_file.") Path keyFile,
      @Option(value = "Trust any certificate and name. For tests only: it removes TLS's protection.",
          defaultValue = "false") boolean tlsInsecure) {

    public Options {
      if (host != null && host.isBlank()) {
        throw new IllegalArgumentException("option `host` is empty");
      }
      if (port < 1 || port > 65535) {
        throw new IllegalArgumentException("option `port`: " + port + " is not a port (1..65535)");
      }
      if (compressLevel < 0 || compress == Compress.GZIP && compressLevel > 9 || compressLevel > 19) {
        throw new IllegalArgumentException("option `compress_level`: gzip takes 1-9, zstd 1-19 (0 = default)");
      }
      if (requireAck && format != Format.FORWARD) {
        throw new IllegalArgumentException("`require_ack` needs `format: forward` (the other formats have no "
            + "acknowledgements)");
      }
      if ((certFile == null) != (keyFile == null)) {
        throw new IllegalArgumentException("give both `cert_file` and `key_file`, or neither");
      }
      if (!tls && (caFile != null || certFile != null || tlsInsecure)) {
        throw new IllegalArgumentException("`ca_file`, `cert_file`, `key_file` and `tls_insecure` need `tls: true`");
      }
      if (messageKey != null && messageKey.isEmpty()) {
        throw new IllegalArgumentException("option `message_key` must not be empty");
      }
      if (reconnectWait != null && reconnectWaitMax != null && reconnectWaitMax.compareTo(reconnectWait) < 0) {
        throw new IllegalArgumentException("option `reconnect_wait_max` must not be less than `reconnect_wait`");
      }
    }
  }

  public TcpOutputPlugin() {
    super("out.Tcp", "Streams events to a TCP server: JSON lines (Logstash's tcp input), lines, msgpack or Forward "
        + "messages; gzip/zstd stream flushed per batch, TLS, keepalive, reconnect with backoff; with in.Tcp two "
        + "Swaks relay agent to collector (acknowledged with format forward and require_ack).", Options.class,
        TcpOutput::new);
  }
}
