package io.swak.plugins.parse.step;

import io.swak.api.Option;
import io.swak.api.Plugin;
import io.swak.parsers.LineParser;
import io.swak.parsers.ParserFactory;
import io.swak.parsers.Setup;
import io.swak.support.FieldPath;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * {@code parse}: turns the text of one field (a log line) into fields, by a format: json, regex, logfmt, ltsv, csv,
 * apache, nginx, syslog, cri or docker. Works on the entry bytes and writes each new entry once.
 */
public final class ParsePlugin extends Plugin<ParsePlugin.Options> {

  /** What becomes of an event whose field does not parse. */
  public enum OnError { KEEP, DROP, DEAD_LETTER }

  /** Options of parse. */
  public record Options(
      @Option(value = "Field holding the text to parse: a field path such as message, log or record[\"a.b\"].",
          defaultValue = "message")
      String key,
      @Option(value = "json, regex, logfmt, ltsv, csv, apache, nginx, syslog (RFC 3164 and 5424), cri or docker.",
          required = true)
      String format,
      @Option(value = "format regex: the pattern, with Java named groups (?<name>...) that become the fields; "
          + "it is searched in the line (anchor it with ^ and $ to match the whole line).",
          aliases = {"pattern"})
      String regex,
      @Option("Types of fields, e.g. {status: int, took: float}: int, float, bool or string (default string). "
          + "A value that does not convert stays a string; empty or - becomes null.")
      Map<String, String> types,
      @Option("format csv: the names of the columns, in order.")
      List<String> columns,
      @Option(value = "format csv: the character between values (\\t for a tab).", defaultValue = ",")
      String delimiter,
      @Option("Field of the parsed line that holds the event time; it is taken out of the record unless time_keep. "
          + "apache and nginx read `time`, syslog, cri and docker their own; \"\" keeps the event's time.")
      String timeKey,
      @Option("How time_key is written: iso8601/rfc3339, epoch, a strftime format (%d/%b/%Y:%H:%M:%S %z, "
          + "%L for fractions) or a Java DateTimeFormatter pattern.")
      String timeFormat,
      @Option("Zone of a time written without an offset, e.g. Asia/Seoul (default UTC).")
      String timeZone,
      @Option(value = "Keep the time field in the record as well.", defaultValue = "false")
      boolean timeKeep,
      @Option(value = "Keep the parsed field (key) in the record next to the fields found in it.",
          defaultValue = "false", aliases = {"reserve_data_key"})
      boolean keepOriginal,
      @Option(value = "keep: pass an event that does not parse unchanged; drop: drop it; dead_letter: write it to "
          + "the task's dead-letter file with the reason. Each is counted by reason (no_match, malformed, "
          + "no_field, not_text).", defaultValue = "keep")
      OnError onError,
      @Option("Put the parsed fields in a map under this top-level field instead of merging them into the record.")
      String into) {

    public Options {
      FieldPath.parse(key); // a bad path is a config error here, with its explanation
      if (into != null && into.isBlank()) {
        throw new IllegalArgumentException("option `into` is empty: name the field for the parsed map, or leave it out");
      }
      Setup<LineParser> s = ParserFactory.create(format, parserOptions(regex, types, columns, delimiter, timeKey,
          timeFormat, timeZone, timeKeep));
      if (s instanceof Setup.Rejected<LineParser> r) {
        throw new IllegalArgumentException("parse: " + r.reason());
      }
    }

    /** A new parser for these options (they were checked when the configuration loaded). */
    LineParser parser() {
      return ParserFactory.create(format, parserOptions(regex, types, columns, delimiter, timeKey, timeFormat,
          timeZone, timeKeep)).orElseThrow();
    }

    /** Only the options given, so each format's own defaults apply and an option it does not take is refused. */
    private static Map<String, Object> parserOptions(String regex, Map<String, String> types, List<String> columns,
        String delimiter, String timeKey, String timeFormat, String timeZone, boolean timeKeep) {
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
  }

  public ParsePlugin() {
    super("parse", "Parses a field (by default message) into fields: json, regex, logfmt, ltsv, csv, apache, "
        + "nginx, syslog, cri or docker; optionally sets the event time from the line.", Options.class,
        ParseStep::new, "filter.parser", "parser");
  }
}
