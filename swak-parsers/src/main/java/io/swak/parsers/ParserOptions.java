package io.swak.parsers;

import io.swak.api.Option;
import io.swak.support.FieldPath;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The options of a parser and of what becomes of a line, declared once for every plugin that parses: the parse
 * step and the inputs that take {@code format:} (in.FileTail, in.Tcp, in.Udp) hold it as an
 * {@link Option#inline} component, so the keys are written next to {@code format} and mean the same everywhere,
 * and the README reference says the same everywhere. The format itself is each plugin's (its doc differs).
 */
public record ParserOptions(
    @Option(value = ParserOptions.REGEX, aliases = {"pattern"})
    String regex,
    @Option("Types of fields, e.g. {status: int, took: float}: int, float, bool or string (default string). A value "
        + "that does not convert stays a string; empty or - becomes null.")
    Map<String, String> types,
    @Option("format csv: the names of the columns, in order.")
    List<String> columns,
    @Option("format csv: the character between values (default `,`; \\t for a tab).")
    String delimiter,
    @Option("Field of the parsed line that holds the event time; it is taken out of the record unless time_keep. "
        + "apache and nginx read `time`, syslog, cri and docker their own; in.Tcp's and in.Udp's json_lines "
        + "read @timestamp (RFC 3339 or seconds since the epoch); \"\" keeps the event's time.")
    String timeKey,
    @Option("How time_key is written: iso8601/rfc3339, epoch, a strftime format (%d/%b/%Y:%H:%M:%S %z, %L for "
        + "fractions) or a Java DateTimeFormatter pattern.")
    String timeFormat,
    @Option("Zone of a time written without an offset, e.g. Asia/Seoul (default UTC).")
    String timeZone,
    @Option(value = "Keep the time field in the record as well.", defaultValue = "false",
        aliases = {"keep_time_key"})
    boolean timeKeep,
    @Option(value = "Keep the parsed text in the record (under the parse step's key, an input's message_key) next to "
        + "the fields found in it.", defaultValue = "false", aliases = {"reserve_data_key"})
    boolean keepOriginal,
    @Option(value = "What becomes of a line that does not parse: keep: the event as it would be without parsing "
        + "(the parse step passes it unchanged, an input makes it {message_key: line}); drop: dropped (counted as "
        + "dropped); dead_letter: written to the task's dead-letter file with the reason. Each is counted as "
        + "parse_errors and by reason (no_match, malformed; the parse step also no_field, not_text).",
        defaultValue = "keep")
    OnError onError,
    @Option("Put the parsed fields in a map under this top-level field instead of merging them into the record.")
    String into) {

  /** What becomes of a line (an event) that does not parse. */
  public enum OnError { KEEP, DROP, DEAD_LETTER }

  /** The formats, for the docs of each plugin's {@code format} option. */
  public static final String FORMATS = "json, regex, logfmt, ltsv, csv, apache, nginx, syslog (RFC 3164 and 5424), "
      + "cri or docker";
  static final String REGEX = "format regex: the pattern, with Java named groups (?<name>...) that become "
      + "the fields; it is searched in the line (anchor it with ^ and $ to match the whole line).";

  /** Nothing given: each format's defaults, and a line that does not parse is kept. */
  public static final ParserOptions NONE = new ParserOptions(null, null, null, null, null, null, null, false, false,
      OnError.KEEP, null);

  public ParserOptions {
    if (onError == null) {
      onError = OnError.KEEP;
    }
    if (into != null) {
      intoKey(into); // a bad or nested name is a config error here, with its explanation
    }
  }

  /** The parser options alone ({@code format:} without regex: …), for tests and defaults. */
  public static ParserOptions of(String regex, Map<String, String> types, List<String> columns, String delimiter,
      String timeKey, String timeFormat, String timeZone, boolean timeKeep) {
    return new ParserOptions(regex, types, columns, delimiter, timeKey, timeFormat, timeZone, timeKeep, false,
        OnError.KEEP, null);
  }

  /** The same with what becomes of the line: keep_original, on_error, into. */
  public ParserOptions withOutcome(boolean keepOriginal, OnError onError, String into) {
    return new ParserOptions(regex, types, columns, delimiter, timeKey, timeFormat, timeZone, timeKeep, keepOriginal,
        onError, into);
  }

  /** {@code into} as the key it writes, UTF-8; null without into. */
  public byte[] intoKey() {
    return into == null ? null : intoKey(into);
  }

  private static byte[] intoKey(String into) {
    if (into.isBlank()) {
      throw new IllegalArgumentException("option `into` is empty: name the field for the parsed map, or leave it out");
    }
    return FieldPath.topLevel("into", into);
  }

  /**
   * True when an option that only a parser format takes is given (binding leaves an absent list or map empty): an
   * input refuses them with a format of its own (json_lines, lines …) or none. time_key and time_keep are not among
   * them: in.Tcp's and in.Udp's json_lines read them too.
   */
  public boolean parserOnlyGiven() {
    return regex != null || types != null && !types.isEmpty() || columns != null && !columns.isEmpty()
        || delimiter != null || timeFormat != null || timeZone != null || keepOriginal || onError != OnError.KEEP
        || into != null;
  }

  /** Every option given, time_key and time_keep too (for an input without any format, in.FileTail's plain lines). */
  public boolean anyGiven() {
    return parserOnlyGiven() || timeKey != null || timeKeep;
  }

  /**
   * The parser options as the factory takes them, only those given, so each format's own defaults apply and an
   * option it does not take is refused.
   */
  Map<String, Object> factoryOptions() {
    Map<String, Object> m = new LinkedHashMap<>();
    if (regex != null) {
      m.put("regex", regex);
    }
    if (types != null && !types.isEmpty()) {
      m.put("types", types);
    }
    if (columns != null && !columns.isEmpty()) {
      m.put("columns", columns);
      m.put("delimiter", delimiter == null ? "," : delimiter);
    }
    if (timeKey != null) {
      m.put("time_key", timeKey);
    }
    if (timeFormat != null) {
      m.put("time_format", timeFormat);
    }
    if (timeZone != null) {
      m.put("time_zone", timeZone);
    }
    if (timeKeep) {
      m.put("time_keep", true);
    }
    return m;
  }

  /** The reason {@code format} cannot be set up with these options, or null when it can. */
  public String check(String format) {
    return ParserFactory.create(format, factoryOptions()) instanceof Setup.Rejected<LineParser> r ? r.reason() : null;
  }

  /** A new parser of {@code format} (checked when the configuration loaded); one per thread. */
  public LineParser parser(String format) {
    return ParserFactory.create(format, factoryOptions()).orElseThrow();
  }
}
