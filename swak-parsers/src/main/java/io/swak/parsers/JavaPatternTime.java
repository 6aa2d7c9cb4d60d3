package io.swak.parsers;

import java.time.DateTimeException;
import java.time.ZoneId;
import java.time.format.DateTimeFormatter;
import java.time.temporal.ChronoField;
import java.time.temporal.TemporalAccessor;
import java.util.Locale;

/**
 * A java.time DateTimeFormatter pattern ({@code yyyy-MM-dd HH:mm:ss.SSS}), read through a byte view.
 * The slow, general path: it makes java.time objects per timestamp, so the common formats have their own
 * parsers ({@link Rfc3339Time}, {@link StrftimeTime}). A timestamp without an offset is in the default
 * zone; a pattern without a year does not resolve (use strftime's %b %e for that).
 */
final class JavaPatternTime implements TimeParser {

  private final DateTimeFormatter formatter;
  private final ByteChars chars = new ByteChars();

  private JavaPatternTime(DateTimeFormatter formatter) {
    this.formatter = formatter;
  }

  static Setup<TimeParser> compile(String pattern, ZoneId zone) {
    try {
      return new Setup.Ready<>(
          new JavaPatternTime(DateTimeFormatter.ofPattern(pattern, Locale.ENGLISH).withZone(zone)));
    } catch (IllegalArgumentException e) {
      return new Setup.Rejected<>("time_format is not a DateTimeFormatter pattern: " + e.getMessage());
    }
  }

  @Override
  public long parse(byte[] b, int off, int len) {
    try {
      TemporalAccessor t = formatter.parse(chars.reset(b, off, len));
      if (!t.isSupported(ChronoField.INSTANT_SECONDS)) {
        return FAILED;
      }
      long nanos = t.isSupported(ChronoField.NANO_OF_SECOND) ? t.getLong(ChronoField.NANO_OF_SECOND) : 0;
      return t.getLong(ChronoField.INSTANT_SECONDS) * 1_000_000_000L + nanos;
    } catch (DateTimeException | ArithmeticException e) {
      return FAILED; // DateTimeParseException, and resolution errors for fields that do not fit together
    }
  }
}
