package io.swak.plugins.parse.step;

import io.swak.api.Option;
import io.swak.api.Plugin;
import io.swak.parsers.LineParser;
import io.swak.parsers.LineRecords;
import io.swak.parsers.ParserFactory;
import io.swak.parsers.ParserOptionDocs;
import io.swak.support.FieldPath;
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
      @Option(value = ParserOptionDocs.FORMATS + ".", required = true)
      String format,
      @Option(value = ParserOptionDocs.REGEX, aliases = {"pattern"})
      String regex,
      @Option(ParserOptionDocs.TYPES)
      Map<String, String> types,
      @Option(ParserOptionDocs.COLUMNS)
      List<String> columns,
      @Option(value = ParserOptionDocs.DELIMITER, defaultValue = ",")
      String delimiter,
      @Option(ParserOptionDocs.TIME_KEY)
      String timeKey,
      @Option(ParserOptionDocs.TIME_FORMAT)
      String timeFormat,
      @Option(ParserOptionDocs.TIME_ZONE)
      String timeZone,
      @Option(value = ParserOptionDocs.TIME_KEEP, defaultValue = "false")
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
      if (into != null) {
        ModifyPlugin.Options.topLevel("into", into); // one top-level field: parsed, or record["a.b"]
      }
      String rejected = LineRecords.check(format, LineRecords.options(regex, types, columns, delimiter, timeKey,
          timeFormat, timeZone, timeKeep));
      if (rejected != null) {
        throw new IllegalArgumentException("parse: " + rejected);
      }
    }

    /** A new parser for these options (they were checked when the configuration loaded). */
    LineParser parser() {
      return ParserFactory.create(format, LineRecords.options(regex, types, columns, delimiter, timeKey, timeFormat,
          timeZone, timeKeep)).orElseThrow();
    }
  }

  public ParsePlugin() {
    super("parse", "Parses a field (by default message) into fields: json, regex, logfmt, ltsv, csv, apache, "
        + "nginx, syslog, cri or docker; optionally sets the event time from the line.", Options.class,
        ParseStep::new, "filter.parser", "parser");
  }
}
