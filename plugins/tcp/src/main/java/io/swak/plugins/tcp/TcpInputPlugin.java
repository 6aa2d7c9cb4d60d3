package io.swak.plugins.tcp;

import io.swak.api.DataSize;
import io.swak.api.Option;
import io.swak.api.Plugin;
import io.swak.parsers.LineRecords;
import io.swak.parsers.ParserOptions;
import java.nio.file.Path;
import java.util.List;

/** {@code in.Tcp}: a TCP server for JSON lines (Logstash's tcp input), plain lines, msgpack and Forward messages. */
public final class TcpInputPlugin extends Plugin<TcpInputPlugin.Options> {

  /** How the bytes of a connection become events: the own formats, or lines parsed by a parser (PARSED). */
  public enum Format { JSON_LINES, LINES, MSGPACK, FORWARD, PARSED }

  private static final List<String> OWN = List.of("json_lines", "lines", "msgpack", "forward");

  /** What the clients' stream is compressed with. */
  public enum Compress { AUTO, NONE, GZIP, ZSTD }

  /** What becomes of a line longer than max_line_size. */
  public enum LongLines { TRUNCATE, SKIP }

  /** Options of in.Tcp. */
  public record Options(
      @Option(value = "Address to listen on. Listening beyond loopback exposes the port: use tls.",
          defaultValue = "127.0.0.1") String bind,
      @Option(value = "TCP port. 0 = any free port.", defaultValue = "5170") int port,
      @Option(value = "json_lines: one JSON object per line (python-logstash-async, logstash-logback-encoder, "
          + "out.Tcp); lines: each line is {message: line}; msgpack: [time, record] entries or records one after "
          + "another; forward: Forward-protocol messages, tag included (out.Tcp format forward, Fluentd clients); "
          + "or a parser of the parse step (" + ParserOptions.FORMATS + "): each line is parsed once, from the "
          + "bytes received, into its fields; a line that does not parse gets the on_error outcome (keep: "
          + "{message: line}), counted as parse_errors.", defaultValue = "json_lines") String format,
      @Option(value = "Tag of the events (format forward takes the tag each message carries).", defaultValue = "tcp")
      String tag,
      @Option(value = "Field of the line in records made from text (format lines, and JSON lines that are not "
          + "JSON).", defaultValue = "message") String messageKey,
      @Option(value = "When set, each record of a text format gets the sender's IP address under this key.")
      String sourceKey,
      @Option(value = "Longest line (or msgpack record) kept; see long_lines.", defaultValue = "1MiB")
      DataSize maxLineSize,
      @Option(value = "Lines longer than max_line_size: truncate (keep the first max_line_size bytes as a message) "
          + "or skip. Both are counted (long_lines) and the lines around them are kept.", defaultValue = "truncate")
      LongLines longLines,
      @Option(value = "Largest Forward message (format forward); a bigger one closes its connection.",
          defaultValue = "16MiB") DataSize maxMessageSize,
      @Option(value = "Largest size a gzip-compressed Forward message may decompress to (zip bomb guard).",
          defaultValue = "64MiB") DataSize decompressedSizeLimit,
      @Option(value = "Compression of the clients' streams: auto (gzip and zstd recognised by their first bytes, "
          + "plain otherwise), none, gzip or zstd.", defaultValue = "auto") Compress compress,
      @Option(value = "Connections open at once; more are refused (counted).", defaultValue = "1000")
      int maxConnections,
      @Option(value = "Bytes of received batches waiting for the task; when full, sockets are not read "
          + "(backpressure: senders wait).", defaultValue = "16MiB") DataSize queueLimit,
      @Option(value = "Bytes the unfinished lines and messages of all connections may hold together; a connection "
          + "whose message would pass it is closed (counted as memory_refusals). One connection alone may pass it. "
          + "Default: max_message_size + 8 MiB.") DataSize assemblyLimit,
      @Option(value = "Network threads (each connection is read by one).", defaultValue = "1") int threads,
      @Option(value = "Accept TLS connections only (cert_file and key_file required).", defaultValue = "false")
      boolean tls,
      @Option(value = "Server certificate chain, PEM.") Path certFile,
      @Option(value = "Server private key, PEM (PKCS#8).") Path keyFile,
      @Option(value = "With tls: require client certificates signed by these CAs (PEM).") Path caFile,
      @Option(value = "the parser's options and time_key, time_keep, on_error, into, keep_original", inline = true)
      ParserOptions parsing) {

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
      if (maxLineSize != null && (maxLineSize.bytes() < 16 || maxLineSize.bytes() > Integer.MAX_VALUE / 2)) {
        throw new IllegalArgumentException("option `max_line_size` must be between 16B and 1GiB");
      }
      if (maxMessageSize != null && (maxMessageSize.bytes() < 1024 || maxMessageSize.bytes() > Integer.MAX_VALUE / 2)) {
        throw new IllegalArgumentException("option `max_message_size` must be between 1KiB and 1GiB");
      }
      if (tag != null && tag.isBlank()) {
        throw new IllegalArgumentException("option `tag` must not be empty");
      }
      if (messageKey != null && messageKey.isEmpty()) {
        throw new IllegalArgumentException("option `message_key` must not be empty");
      }
      if (tls && (certFile == null || keyFile == null)) {
        throw new IllegalArgumentException("option `tls: true` needs `cert_file` and `key_file` (PEM)");
      }
      if (!tls && (certFile != null || keyFile != null || caFile != null)) {
        throw new IllegalArgumentException("`cert_file`, `key_file` and `ca_file` need `tls: true`");
      }
      if (parsing == null) {
        parsing = ParserOptions.NONE;
      }
      format = ParsedLines.format(format, OWN, parsing);
    }

    /** How the bytes become events. */
    public Format framing() {
      return OWN.contains(format) ? Format.valueOf(format.toUpperCase(java.util.Locale.ROOT)) : Format.PARSED;
    }

    /** The time field of JSON lines. */
    String jsonTimeKey() {
      return parsing.timeKey() == null ? "@timestamp" : parsing.timeKey();
    }

    /** format is a parser: one for a connection. */
    ParsedLines parsedLines() {
      return new ParsedLines(new LineRecords(format, parsing, messageKey), sourceKey, messageKey);
    }
  }

  public TcpInputPlugin() {
    super("in.Tcp", "Receives events over TCP: JSON lines as Logstash's tcp input does (python-logstash-async, "
        + "logstash-logback-encoder), plain lines, msgpack or Forward messages (relay from out.Tcp); gzip/zstd "
        + "streams, TLS, bounded memory with backpressure.", Options.class, TcpInput::new);
  }
}
