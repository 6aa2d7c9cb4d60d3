package io.swak.plugins.fluentd.output;

import io.swak.api.Option;
import io.swak.api.Plugin;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;

/** {@code out.Fluentd} (alias {@code out.forward}): sends batches to Fluentd / Fluent Bit / Swak in_forward servers. */
public final class FluentdPlugin extends Plugin<FluentdPlugin.Options> {

  /** Compression of the entries. */
  public enum Compress { NONE, GZIP }

  /** How a server is checked while idle or down. */
  public enum HeartbeatType { TRANSPORT, TCP, UDP, NONE }

  /** One server of the `servers` list. */
  public record Server(
      @Option(value = "Host name or IP address.", required = true, aliases = {"ip"}) String host,
      @Option(value = "Port.", defaultValue = "24224") int port,
      @Option(value = "Share of the batches this server gets among the regular servers.", defaultValue = "60")
      int weight,
      @Option(value = "Only used while no regular server is up.", defaultValue = "false") boolean standby) {

    public Server {
      if (host == null || host.isBlank()) {
        throw new IllegalArgumentException("a server needs `host`");
      }
      if (port < 1 || port > 65535) {
        throw new IllegalArgumentException("server " + host + ": " + port + " is not a port (1..65535)");
      }
      if (weight < 0) {
        throw new IllegalArgumentException("server " + host + ": `weight` must not be negative");
      }
    }
  }

  /** fluent-agent-lite's liveness event, for fluent-plugin-ping-message. */
  public record PingMessage(
      @Option(value = "Tag of the ping event.", required = true) String tag,
      @Option(value = "Value of the event's `data` field (e.g. the host name).", defaultValue = "") String data,
      @Option(value = "How often to send it.", defaultValue = "60s") Duration interval) { }

  /** Options of out.Fluentd. */
  public record Options(
      @Option(value = "The server, for a single one (the seed's `ip`).", aliases = {"ip"}) String host,
      @Option(value = "Port of `host`.", defaultValue = "24224") int port,
      @Option(value = "Several servers: host, port, weight, standby.") List<Server> servers,
      @Option(value = "File of primary servers, host[:port] per line (fluent-agent-lite -p).")
      Path primaryServersFile,
      @Option(value = "File of secondary servers, used while no primary is up (fluent-agent-lite -s).")
      Path secondaryServersFile,
      @Option(value = "Ask the server to ack each batch ({\"ack\": chunk}) and send again what is not acked "
          + "(at-least-once); with keepalive up to 8 batches (4 MiB) wait for their acks at once. false only for "
          + "servers that cannot ack: a batch then counts as delivered once written, and what a receiver that "
          + "stalls or crashes had not processed is lost.",
          defaultValue = "true") boolean requireAckResponse,
      @Option(value = "How long to wait for an ack before sending the batch again (at most 7d).", defaultValue = "30s")
      Duration ackResponseTimeout,
      @Option(value = "none or gzip (CompressedPackedForward).", defaultValue = "none") Compress compress,
      @Option(value = "Keep the connection open between batches.", defaultValue = "true") boolean keepalive,
      @Option(value = "Reconnect after about this long (randomised ±20% so agents spread out); 0 = never.",
          defaultValue = "0") Duration keepaliveTime,
      @Option(value = "Time allowed to connect (and finish TLS and the handshake).", defaultValue = "10s")
      Duration connectTimeout,
      @Option(value = "Time allowed to write one batch; past it the connection is closed and the batch retried.",
          defaultValue = "60s") Duration sendTimeout,
      @Option(value = "First wait before connecting again to a server that failed.", defaultValue = "500ms")
      Duration reconnectWait,
      @Option(value = "Longest wait before connecting again to a failed server.", defaultValue = "60s")
      Duration reconnectWaitMax,
      @Option(value = "Each failure multiplies the wait by this.", defaultValue = "1.5") double reconnectWaitIncrRate,
      @Option(value = "transport (= tcp: connect and close), udp (0x00 datagram answered by the server), or none.",
          defaultValue = "transport") HeartbeatType heartbeatType,
      @Option(value = "How often servers are checked.", defaultValue = "1s") Duration heartbeatInterval,
      @Option(value = "Shared key of the servers' handshake (HELO/PING/PONG).") String sharedKey,
      @Option(value = "Host name sent in PING; default: this machine's name.") String selfHostname,
      @Option(value = "User for servers that require user authentication.") String username,
      @Option(value = "Password of `username`.") String password,
      @Option(value = "Connect with TLS.", defaultValue = "false") boolean tls,
      @Option(value = "CA certificates (PEM) to trust; default: the JVM's trust store.") Path caFile,
      @Option(value = "Check that the server's certificate names the host connected to.", defaultValue = "true")
      boolean tlsVerifyHostname,
      @Option(value = "Client certificate chain (PEM) for servers that require one.") Path certFile,
      @Option(value = "Client private key (PEM, PKCS#8) of cert_file.") Path keyFile,
      @Option(value = "Trust any certificate and name. For tests only: it removes TLS's protection.",
          defaultValue = "false") boolean tlsInsecure,
      @Option(value = "Send a liveness event every interval (fluent-agent-lite -P/-S).") PingMessage pingMessage,
      @Option(value = "After each batch, send an event {\"drain\": N lines} with this tag (fluent-agent-lite -d).")
      String drainLogTag,
      @Option(value = "Field name of the log line: a record's `message` field is renamed to it "
          + "(fluent-agent-lite -f).", defaultValue = "message") String messageKey,
      @Option(value = "Send messages as JSON instead of msgpack (fluent-agent-lite -j; Fluentd's in_forward "
          + "accepts both).", defaultValue = "false") boolean json) {

    public Options {
      servers = servers == null ? List.of() : List.copyOf(servers);
      int ways = (host != null && !host.isBlank() ? 1 : 0) + (servers.isEmpty() ? 0 : 1)
          + (primaryServersFile != null ? 1 : 0);
      if (ways == 0) {
        throw new IllegalArgumentException("out.Fluentd needs a server: `host` (or `ip`), `servers`, or "
            + "`primary_servers_file`");
      }
      if (ways > 1) {
        throw new IllegalArgumentException("give only one of `host`/`ip`, `servers` and `primary_servers_file`");
      }
      if (secondaryServersFile != null && primaryServersFile == null) {
        throw new IllegalArgumentException("`secondary_servers_file` needs `primary_servers_file`");
      }
      if (port < 1 || port > 65535) {
        throw new IllegalArgumentException("option `port`: " + port + " is not a port (1..65535)");
      }
      if (ackResponseTimeout != null && (ackResponseTimeout.isZero() || ackResponseTimeout.isNegative()
          || ackResponseTimeout.compareTo(Duration.ofDays(7)) > 0)) {
        throw new IllegalArgumentException("option `ack_response_timeout` must be more than 0 and at most 7d, got "
            + ackResponseTimeout);
      }
      if (reconnectWaitIncrRate < 1.0) {
        throw new IllegalArgumentException("option `reconnect_wait_incr_rate` must be at least 1.0");
      }
      if ((username != null) != (password != null)) {
        throw new IllegalArgumentException("give both `username` and `password`, or neither");
      }
      if (username != null && (sharedKey == null || sharedKey.isEmpty())) {
        throw new IllegalArgumentException("`username`/`password` need `shared_key`: users log in during the "
            + "shared-key handshake");
      }
      if ((certFile == null) != (keyFile == null)) {
        throw new IllegalArgumentException("give both `cert_file` and `key_file`, or neither");
      }
      if (!tls && (caFile != null || certFile != null || tlsInsecure)) {
        throw new IllegalArgumentException("`ca_file`, `cert_file`, `key_file` and `tls_insecure` need `tls: true`");
      }
      if (json && compress == Compress.GZIP) {
        throw new IllegalArgumentException("`json: true` sends text; it cannot be combined with `compress: gzip`");
      }
      if (messageKey == null || messageKey.isEmpty()) {
        throw new IllegalArgumentException("option `message_key` must not be empty");
      }
    }
  }

  public FluentdPlugin() {
    super("out.Fluentd", "Sends events to Fluentd, Fluent Bit or Swak in_forward servers (Forward protocol: "
        + "PackedForward, gzip, acks, shared_key/users, TLS, weighted servers with standby, heartbeats).",
        Options.class, FluentdOutput::new, "out.forward");
  }
}
