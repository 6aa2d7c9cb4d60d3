package io.swak.plugins.parse.step;

import io.swak.api.Option;
import io.swak.api.Plugin;
import io.swak.parsers.LineParser;
import io.swak.parsers.ParserOptions;
import io.swak.support.FieldPath;

/**
 * {@code parse}: turns the text of one field (a log line) into fields, by a format: json, regex, logfmt, ltsv, csv,
 * apache, nginx, syslog, cri or docker. Works on the entry bytes and writes each new entry once.
 */
public final class ParsePlugin extends Plugin<ParsePlugin.Options> {

  /** Options of parse: the field and the format; the parser's options and on_error are every parser's. */
  public record Options(
      @Option(value = "Field holding the text to parse: a field path such as message, log or record[\"a.b\"].",
          defaultValue = "message")
      String key,
      @Option(value = ParserOptions.FORMATS + ".", required = true)
      String format,
      @Option(value = "the parser's options, on_error, into, keep_original", inline = true)
      ParserOptions parsing) {

    public Options {
      FieldPath.parse(key); // a bad path is a config error here, with its explanation
      if (parsing == null) {
        parsing = ParserOptions.NONE;
      }
      String rejected = parsing.check(format);
      if (rejected != null) {
        throw new IllegalArgumentException("parse: " + rejected);
      }
    }

    /** A new parser for these options (they were checked when the configuration loaded). */
    LineParser parser() {
      return parsing.parser(format);
    }
  }

  public ParsePlugin() {
    super("parse", "Parses a field (by default message) into fields: json, regex, logfmt, ltsv, csv, apache, "
        + "nginx, syslog, cri or docker; optionally sets the event time from the line.", Options.class,
        ParseStep::new, "filter.parser", "parser");
  }
}
