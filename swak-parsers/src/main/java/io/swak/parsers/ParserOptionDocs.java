package io.swak.parsers;

/**
 * The descriptions of the parser options, one text for every plugin that takes them (the parse step, and
 * in.FileTail, in.Tcp and in.Udp with {@code format:}), so the README reference says the same everywhere.
 */
public final class ParserOptionDocs {

  private ParserOptionDocs() {}

  public static final String FORMATS = "json, regex, logfmt, ltsv, csv, apache, nginx, syslog (RFC 3164 and 5424), "
      + "cri or docker";
  public static final String REGEX = "format regex: the pattern, with Java named groups (?<name>...) that become "
      + "the fields; it is searched in the line (anchor it with ^ and $ to match the whole line).";
  public static final String TYPES = "Types of fields, e.g. {status: int, took: float}: int, float, bool or string "
      + "(default string). A value that does not convert stays a string; empty or - becomes null.";
  public static final String COLUMNS = "format csv: the names of the columns, in order.";
  public static final String DELIMITER = "format csv: the character between values (\\t for a tab).";
  public static final String TIME_KEY = "Field of the parsed line that holds the event time; it is taken out of the "
      + "record unless time_keep. apache and nginx read `time`, syslog, cri and docker their own; \"\" keeps the "
      + "event's time.";
  public static final String TIME_FORMAT = "How time_key is written: iso8601/rfc3339, epoch, a strftime format "
      + "(%d/%b/%Y:%H:%M:%S %z, %L for fractions) or a Java DateTimeFormatter pattern.";
  public static final String TIME_ZONE = "Zone of a time written without an offset, e.g. Asia/Seoul (default UTC).";
  public static final String TIME_KEEP = "Keep the time field in the record as well.";
}
