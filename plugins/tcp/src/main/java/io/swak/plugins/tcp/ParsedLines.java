package io.swak.plugins.tcp;

import io.swak.api.StepMetrics;
import io.swak.parsers.LineRecords;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * in.Tcp's and in.Udp's {@code format:} with a parser of the parse step (nginx, regex, …): each line is parsed once
 * from the bytes received into a whole entry; a line that does not parse is kept as {@code {message: line}} and
 * counted. One per connection (in.Tcp) or socket handler (in.Udp): a parser serves one thread.
 */
final class ParsedLines {

  private final LineRecords records;
  private final byte[] sourceKey;

  ParsedLines(LineRecords records, String sourceKey) {
    this.records = records;
    this.sourceKey = sourceKey == null || sourceKey.isEmpty() ? null : sourceKey.getBytes(StandardCharsets.UTF_8);
  }

  /**
   * The options' format in lower case, checked: one of the input's own ({@code own}) or a parser of the library with
   * its options. Throws IllegalArgumentException with what is wrong.
   */
  static String format(String format, List<String> own, Map<String, Object> parserOptions, boolean parserOptionsGiven) {
    String f = format == null ? own.get(0) : format.trim().toLowerCase(Locale.ROOT);
    if (own.contains(f)) {
      if (parserOptionsGiven) {
        throw new IllegalArgumentException("regex, types, columns, delimiter, time_format and time_zone are options "
            + "of a parser format (e.g. format: regex), not of format " + f);
      }
      return f;
    }
    if (!LineRecords.isFormat(f)) {
      throw new IllegalArgumentException("option `format`: " + f + " is neither " + String.join(", ", own)
          + " nor a parser (json, regex, logfmt, ltsv, csv, apache, nginx, syslog, cri, docker)");
    }
    String rejected = LineRecords.check(f, parserOptions);
    if (rejected != null) {
      throw new IllegalArgumentException("format: " + rejected);
    }
    return f;
  }

  /** True when any parser option is given (binding leaves an absent list or map empty). */
  static boolean given(String regex, Map<String, String> types, List<String> columns, String delimiter,
      String timeFormat, String timeZone) {
    return regex != null || types != null && !types.isEmpty() || columns != null && !columns.isEmpty()
        || delimiter != null || timeFormat != null || timeZone != null;
  }

  /** Appends the entry of the line {@code b[off, end)}: parsed, or {@code {message: line}} when it does not parse. */
  void line(byte[] b, int off, int end, long now, byte[] source, JsonRecords json, EntryBuffer out) {
    if (records.parse(b, off, end - off, now, source == null ? null : sourceKey, source)) {
      out.entries(records.entry(), 0, records.entryLength(), 1);
    } else {
      json.message(b, off, end, now, source, out);
    }
  }

  /** Counts what did not parse since the last report; true when something did not. */
  boolean report(StepMetrics metrics) {
    long noMatch = records.takeNoMatch();
    long malformed = records.takeMalformed();
    long time = records.takeTimeUnparsed();
    if (time > 0) {
      metrics.count("time_unparsed", time);
    }
    if (noMatch + malformed == 0) {
      return false;
    }
    metrics.count("parse_errors", noMatch + malformed);
    if (noMatch > 0) {
      metrics.count("no_match", noMatch);
    }
    if (malformed > 0) {
      metrics.count("malformed", malformed);
    }
    return true;
  }

  String formatName() {
    return records.format();
  }
}
