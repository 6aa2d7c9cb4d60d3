package io.swak.plugins.syslog;

import io.swak.api.DataSize;
import io.swak.api.Option;
import io.swak.api.Plugin;
import java.nio.file.Path;
import java.time.DateTimeException;
import java.time.ZoneId;

/** {@code in.Syslog}: receives syslog messages over UDP, TCP or TLS and parses them into records. */
public final class SyslogInputPlugin extends Plugin<SyslogInputPlugin.Options> {

  /** The transport. */
  public enum Protocol { UDP, TCP, TLS }

  /** How messages are delimited on a TCP or TLS stream (RFC 6587). */
  public enum Framing { AUTO, OCTET_COUNTING, NEWLINE }

  /** Options of in.Syslog. */
  public record Options(
      @Option(value = "udp (one message per datagram), tcp or tls (a stream of framed messages).",
          defaultValue = "udp", aliases = {"mode"}) Protocol protocol,
      @Option(value = "Address to listen on. Listening beyond loopback exposes the port to the network.",
          defaultValue = "127.0.0.1", aliases = {"listen"}) String bind,
      @Option(value = "Port to listen on (0 = any free port).", defaultValue = "5140") int port,
      @Option(value = "Tag of the events.", defaultValue = "syslog") String tag,
      @Option(value = "auto (RFC 5424 or RFC 3164, told apart per message), rfc5424 or rfc3164; a message that is "
          + "not in the format is kept whole in the message field.", defaultValue = "auto")
      SyslogParser.Format format,
      @Option(value = "TCP framing: auto (octet counting when a frame starts with a digit and a space, else "
          + "newline), octet_counting or newline.", defaultValue = "auto") Framing framing,
      @Option(value = "Longest message kept; a longer one is cut to this size (counted as truncated_messages) and "
          + "its framing kept.", defaultValue = "64KiB", aliases = {"buffer_chunk_size"}) DataSize maxMessageSize,
      @Option(value = "TCP/TLS connections open at once; more are refused (counted as refused_connections).",
          defaultValue = "1024") int maxConnections,
      @Option(value = "Bytes of received messages waiting for the task; when full, TCP connections are not read "
          + "(backpressure) and UDP datagrams are dropped, counted.", defaultValue = "32MiB") DataSize queueLimit,
      @Option(value = "Field of the message text.", defaultValue = "message") String messageKey,
      @Option(value = "Field for the sender's IP address; none when empty.", defaultValue = "")
      String sourceAddressKey,
      @Option(value = "Time zone of RFC 3164 timestamps, which carry none (e.g. UTC, Europe/Paris); default: this "
          + "machine's.") String timeZone,
      @Option(value = "Network threads.", defaultValue = "1") int threads,
      @Option(value = "Receive buffer of the UDP socket (SO_RCVBUF): how much a burst can queue in the kernel.",
          defaultValue = "4MiB") DataSize receiveBufferSize,
      @Option(value = "Server certificate chain (PEM), for protocol tls.") Path certFile,
      @Option(value = "Server private key (PEM, PKCS#8), for protocol tls.") Path keyFile,
      @Option(value = "With tls: require client certificates signed by these CAs (PEM).") Path caFile) {

    public Options {
      if (port < 0 || port > 65535) {
        throw new IllegalArgumentException("option `port`: " + port + " is not a port (0..65535)");
      }
      if (maxConnections < 1) {
        throw new IllegalArgumentException("option `max_connections` must be at least 1");
      }
      if (threads < 1) {
        throw new IllegalArgumentException("option `threads` must be at least 1");
      }
      if (maxMessageSize != null && (maxMessageSize.bytes() < 64 || maxMessageSize.bytes() > (64 << 20))) {
        throw new IllegalArgumentException("option `max_message_size` must be between 64B and 64MiB");
      }
      if (tag == null || tag.isEmpty()) {
        throw new IllegalArgumentException("option `tag` must not be empty");
      }
      if (messageKey == null || messageKey.isEmpty()) {
        throw new IllegalArgumentException("option `message_key` must not be empty");
      }
      if (protocol == Protocol.TLS && (certFile == null || keyFile == null)) {
        throw new IllegalArgumentException("`protocol: tls` needs `cert_file` and `key_file` (PEM)");
      }
      if (protocol != Protocol.TLS && (certFile != null || keyFile != null || caFile != null)) {
        throw new IllegalArgumentException("`cert_file`, `key_file` and `ca_file` need `protocol: tls`");
      }
      if (timeZone != null && !timeZone.isEmpty()) {
        try {
          ZoneId.of(timeZone);
        } catch (DateTimeException e) {
          throw new IllegalArgumentException("option `time_zone`: '" + timeZone + "' is not a time zone (write e.g. "
              + "UTC, +02:00 or Europe/Paris)");
        }
      }
    }

    ZoneId zone() {
      return timeZone == null || timeZone.isEmpty() ? ZoneId.systemDefault() : ZoneId.of(timeZone);
    }
  }

  public SyslogInputPlugin() {
    super("in.Syslog", "Receives syslog messages (RFC 5424 and RFC 3164) over UDP, TCP (octet counting or newline "
        + "framing) or TLS from rsyslog, syslog-ng, logger and network devices; fields: pri, facility, severity, "
        + "host, ident, pid, msgid, structured_data, message.", Options.class, SyslogInput::new);
  }
}
