package io.swak.parsers;

import java.time.Clock;
import java.time.DateTimeException;
import java.time.ZoneId;
import java.time.ZoneOffset;

/**
 * Builds the {@link TimeParser} for a {@code time_format}: {@code iso8601} / {@code rfc3339} (the fast
 * path), {@code epoch} (same as {@code %s}), a strftime format (anything with a {@code %}), or else a
 * DateTimeFormatter pattern. {@code time_zone} (an id such as {@code Europe/Paris} or {@code +02:00},
 * UTC by default) applies to timestamps that carry no offset.
 */
public final class TimeFormats {

  private TimeFormats() {}

  public static Setup<TimeParser> compile(String format, String timeZone) {
    return compile(format, timeZone, Clock.systemUTC());
  }

  /** With the clock that decides the year of timestamps without one (for tests). */
  public static Setup<TimeParser> compile(String format, String timeZone, Clock clock) {
    ZoneId zone;
    try {
      zone = timeZone == null || timeZone.isEmpty() ? ZoneOffset.UTC : ZoneId.of(timeZone);
    } catch (DateTimeException e) {
      return new Setup.Rejected<>("time_zone is not a zone id: " + timeZone);
    }
    LocalTimeZone local = new LocalTimeZone(zone, clock);
    if (format == null || format.isEmpty()) {
      return new Setup.Rejected<>("time_format is empty");
    }
    return switch (format.toLowerCase(java.util.Locale.ROOT)) {
      case "iso8601", "rfc3339" -> new Setup.Ready<>(new Rfc3339Time(local));
      case "epoch" -> StrftimeTime.compile("%s", local);
      default -> format.indexOf('%') >= 0
          ? StrftimeTime.compile(format, local)
          : JavaPatternTime.compile(format, zone);
    };
  }

  /** Whether a format reads epoch seconds, so a JSON number in the time field can be taken as is. */
  static boolean isEpochSeconds(String format) {
    return "epoch".equalsIgnoreCase(format) || "%s".equals(format);
  }
}
