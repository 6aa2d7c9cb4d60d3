package io.swak.plugins.tcp;

import io.swak.api.DataSize;
import io.swak.api.Option;
import io.swak.api.Plugin;
import io.swak.parsers.LineRecords;
import io.swak.parsers.ParserOptions;
import java.util.List;

/** {@code in.Udp}: datagrams of JSON (Logstash's udp input), lines or msgpack. */
public final class UdpInputPlugin extends Plugin<UdpInputPlugin.Options> {

  /** How a datagram becomes events: the own formats, or lines parsed by a parser (PARSED). */
  public enum Format { JSON_LINES, LINES, MSGPACK, PARSED }

  private static final List<String> OWN = List.of("json_lines", "lines", "msgpack");

  /** Options of in.Udp. */
  public record Options(
      @Option(value = "Address to listen on.", defaultValue = "127.0.0.1") String bind,
      @Option(value = "UDP port. 0 = any free port.", defaultValue = "5170") int port,
      @Option(value = "json_lines: a JSON object per datagram (python-logstash-async's UDP handler; several lines "
          + "in one datagram are several events); lines: each line is {message: line}; msgpack: entries or records; "
          + "or a parser of the parse step (" + ParserOptions.FORMATS + "): each line is parsed once into its "
          + "fields, one that does not parse gets the on_error outcome (keep: {message: line}), counted as "
          + "parse_errors.", defaultValue = "json_lines")
      String format,
      @Option(value = "Tag of the events.", defaultValue = "udp") String tag,
      @Option(value = "Field of the line in records made from text.", defaultValue = "message") String messageKey,
      @Option(value = "When set, each record gets the sender's IP address under this key.") String sourceKey,
      @Option(value = "Largest datagram; a longer one is dropped and counted (oversized_datagrams).",
          defaultValue = "64KiB") DataSize maxMessageSize,
      @Option(value = "Socket receive buffer asked of the kernel (capped by net.core.rmem_max): what arrives "
          + "while the task is full waits there, and the kernel drops what does not fit (kernel_drops).",
          defaultValue = "4MiB") DataSize receiveBufferSize,
      @Option(value = "Bytes of received batches waiting for the task; when full, the socket is not read.",
          defaultValue = "16MiB") DataSize queueLimit,
      @Option(value = "the parser's options and time_key, time_keep, on_error, into, keep_original", inline = true)
      ParserOptions parsing) {

    public Options {
      if (port < 0 || port > 65535) {
        throw new IllegalArgumentException("option `port`: " + port + " is not a port (0..65535)");
      }
      if (maxMessageSize != null && (maxMessageSize.bytes() < 16 || maxMessageSize.bytes() > 65536)) {
        throw new IllegalArgumentException("option `max_message_size` must be between 16B and 64KiB (a datagram)");
      }
      if (tag != null && tag.isBlank()) {
        throw new IllegalArgumentException("option `tag` must not be empty");
      }
      if (parsing == null) {
        parsing = ParserOptions.NONE;
      }
      format = ParsedLines.format(format, OWN, parsing);
    }

    /** How a datagram becomes events. */
    public Format framing() {
      return OWN.contains(format) ? Format.valueOf(format.toUpperCase(java.util.Locale.ROOT)) : Format.PARSED;
    }

    /** The time field of JSON lines. */
    String jsonTimeKey() {
      return parsing.timeKey() == null ? "@timestamp" : parsing.timeKey();
    }

    /** format is a parser: one for the socket's handler. */
    ParsedLines parsedLines() {
      return new ParsedLines(new LineRecords(format, parsing, messageKey), sourceKey, messageKey);
    }
  }

  public UdpInputPlugin() {
    super("in.Udp", "Receives datagrams: a JSON object each as Logstash's udp input does (python-logstash-async), "
        + "lines or msgpack; counts what it cannot read and what the kernel dropped.", Options.class, UdpInput::new);
  }
}
