package io.swak.plugins.syslog;

import io.swak.api.DataSize;
import io.swak.api.Option;
import io.swak.api.Plugin;
import java.nio.file.Path;
import java.time.DateTimeException;
import java.time.Duration;
import java.time.ZoneId;

/** {@code out.Syslog}: sends events as syslog messages over UDP, TCP or TLS. */
public final class SyslogOutputPlugin extends Plugin<SyslogOutputPlugin.Options> {

  /** The message format. */
  public enum Format { RFC5424, RFC3164 }

  /** How messages are delimited on a TCP or TLS stream (RFC 6587). */
  public enum Framing { OCTET_COUNTING, NEWLINE }

  /** Options of out.Syslog. */
  public record Options(
      @Option(value = "Host name or address of the syslog server.", defaultValue = "127.0.0.1") String host,
      @Option(value = "Port of the syslog server.", defaultValue = "514") int port,
      @Option(value = "udp (one datagram per message), tcp or tls.", defaultValue = "udp", aliases = {"mode"})
      SyslogInputPlugin.Protocol protocol,
      @Option(value = "rfc5424 or rfc3164 (BSD).", defaultValue = "rfc5424", aliases = {"syslog_format"})
      Format format,
      @Option(value = "TCP framing: octet_counting (RFC 6587, what rsyslog and syslog-ng read by default) or "
          + "newline (a newline inside a message is then sent as a space).", defaultValue = "octet_counting")
      Framing framing,
      @Option(value = "Longest message sent; longer ones are cut (counted as truncated_messages). UDP sends at "
          + "most 65507 bytes.", defaultValue = "64KiB", aliases = {"syslog_maxsize"}) DataSize maxMessageSize,
      @Option(value = "Field with the message text; without it, the record as JSON is the message.",
          defaultValue = "message", aliases = {"syslog_message_key"}) String messageKey,
      @Option(value = "Field with the severity: a name (err, warning, info…) or a number 0-7.",
          defaultValue = "severity", aliases = {"syslog_severity_key"}) String severityKey,
      @Option(value = "Severity of events without one.", defaultValue = "info", aliases = {"syslog_severity_preset"})
      String severity,
      @Option(value = "Field with the facility: a name (user, daemon, local0…) or a number 0-23.",
          defaultValue = "facility", aliases = {"syslog_facility_key"}) String facilityKey,
      @Option(value = "Facility of events without one.", defaultValue = "user", aliases = {"syslog_facility_preset"})
      String facility,
      @Option(value = "Field with the HOSTNAME.", defaultValue = "host", aliases = {"syslog_hostname_key"})
      String hostnameKey,
      @Option(value = "HOSTNAME of events without one; default: this machine's name.",
          aliases = {"syslog_hostname_preset"}) String hostname,
      @Option(value = "Field with the APP-NAME (the 3164 tag).", defaultValue = "ident",
          aliases = {"syslog_appname_key"}) String appnameKey,
      @Option(value = "APP-NAME of events without one; none (`-`) when empty.", defaultValue = "",
          aliases = {"syslog_appname_preset"}) String appname,
      @Option(value = "Field with the PROCID.", defaultValue = "pid", aliases = {"syslog_procid_key"})
      String procidKey,
      @Option(value = "PROCID of events without one; none when empty.", defaultValue = "",
          aliases = {"syslog_procid_preset"}) String procid,
      @Option(value = "Field with the MSGID (RFC 5424).", defaultValue = "msgid", aliases = {"syslog_msgid_key"})
      String msgidKey,
      @Option(value = "MSGID of events without one; none when empty.", defaultValue = "",
          aliases = {"syslog_msgid_preset"}) String msgid,
      @Option(value = "Field with STRUCTURED-DATA (RFC 5424): a map of SD-ID to a map of params.",
          defaultValue = "structured_data", aliases = {"syslog_sd_key"}) String sdKey,
      @Option(value = "Time zone of RFC 3164 timestamps; default: this machine's.") String timeZone,
      @Option(value = "Time allowed to connect (and finish TLS).", defaultValue = "10s") Duration connectTimeout,
      @Option(value = "Time allowed to write one batch; past it the connection is closed and the batch retried.",
          defaultValue = "60s") Duration sendTimeout,
      @Option(value = "CA certificates (PEM) to trust for tls; default: the JVM's trust store.") Path caFile,
      @Option(value = "Client certificate chain (PEM) for servers that require one.") Path certFile,
      @Option(value = "Client private key (PEM, PKCS#8) of cert_file.") Path keyFile,
      @Option(value = "Check that the server's certificate names `host`.", defaultValue = "true")
      boolean tlsVerifyHostname,
      @Option(value = "Trust any certificate. For tests only: it removes TLS's protection.", defaultValue = "false")
      boolean tlsInsecure) {

    public Options {
      if (host == null || host.isBlank()) {
        throw new IllegalArgumentException("option `host` must not be empty");
      }
      if (port < 1 || port > 65535) {
        throw new IllegalArgumentException("option `port`: " + port + " is not a port (1..65535)");
      }
      if (maxMessageSize != null && maxMessageSize.bytes() < 64) {
        throw new IllegalArgumentException("option `max_message_size` must be at least 64B");
      }
      if (severity != null && SyslogMessages.severityCode(severity) < 0) {
        throw new IllegalArgumentException("option `severity`: '" + severity + "' is not a severity (emerg, alert, "
            + "crit, err, warning, notice, info, debug or 0-7)");
      }
      if (facility != null && SyslogMessages.facilityCode(facility) < 0) {
        throw new IllegalArgumentException("option `facility`: '" + facility + "' is not a facility (kern, user, "
            + "mail, daemon, auth, syslog, lpr, news, uucp, cron, authpriv, ftp, ntp, audit, alert, at, local0-local7 "
            + "or 0-23)");
      }
      if (protocol != SyslogInputPlugin.Protocol.TLS && (caFile != null || certFile != null || tlsInsecure)) {
        throw new IllegalArgumentException("`ca_file`, `cert_file`, `key_file` and `tls_insecure` need "
            + "`protocol: tls`");
      }
      if ((certFile == null) != (keyFile == null)) {
        throw new IllegalArgumentException("give both `cert_file` and `key_file`, or neither");
      }
      if (timeZone != null && !timeZone.isEmpty()) {
        try {
          ZoneId.of(timeZone);
        } catch (DateTimeException e) {
          throw new IllegalArgumentException("option `time_zone`: '" + timeZone + "' is not a time zone");
        }
      }
    }

    ZoneId zone() {
      return timeZone == null || timeZone.isEmpty() ? ZoneId.systemDefault() : ZoneId.of(timeZone);
    }
  }

  public SyslogOutputPlugin() {
    super("out.Syslog", "Sends events as syslog messages (RFC 5424 or RFC 3164) over UDP, TCP (octet counting or "
        + "newline framing) or TLS, to rsyslog, syslog-ng or any syslog server; fields of the record map to the "
        + "header.", Options.class, SyslogOutput::new);
  }
}
