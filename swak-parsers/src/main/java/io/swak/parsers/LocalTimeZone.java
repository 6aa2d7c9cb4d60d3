package io.swak.parsers;

import java.time.Clock;
import java.time.LocalDateTime;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.time.zone.ZoneRules;

/**
 * The zone (option {@code time_zone}, UTC by default) that timestamps without an offset are read in,
 * and the year of timestamps without one (RFC 3164 syslog). A region zone's offset is looked up once
 * per local minute: offsets only change on minute boundaries, and logs repeat the same minute.
 */
final class LocalTimeZone {

  private static final long NO_MINUTE = Long.MIN_VALUE;

  private final ZoneRules rules;
  private final boolean fixed;
  private final int fixedOffset;
  private final Clock clock;
  private long cachedMinute = NO_MINUTE;
  private int cachedOffset;
  private long cachedNowDay = NO_MINUTE;
  private int cachedYear;

  LocalTimeZone(ZoneId zone, Clock clock) {
    this.rules = zone.getRules();
    this.fixed = rules.isFixedOffset();
    this.fixedOffset = fixed ? rules.getOffset(java.time.Instant.EPOCH).getTotalSeconds() : 0;
    this.clock = clock;
  }

  static LocalTimeZone utc() {
    return new LocalTimeZone(ZoneOffset.UTC, Clock.systemUTC());
  }

  /** Epoch seconds of a local date-time given as seconds since 1970-01-01T00:00 local. */
  long toEpochSecond(long localSeconds) {
    if (fixed) {
      return localSeconds - fixedOffset;
    }
    long minute = Math.floorDiv(localSeconds, 60);
    if (minute != cachedMinute) {
      // a gap (spring forward) takes the offset before it, an overlap the earlier one: java.time's rule
      cachedOffset = rules.getOffset(LocalDateTime.ofEpochSecond(minute * 60, 0, ZoneOffset.UTC))
          .getTotalSeconds();
      cachedMinute = minute;
    }
    return localSeconds - cachedOffset;
  }

  /**
   * The year of a date logged without one: this year, or last year when that would put the date more
   * than a week ahead of now (a December line read in January).
   */
  int yearFor(int month, int day) {
    long nowSeconds = Math.floorDiv(clock.millis(), 1000);
    long nowLocal = nowSeconds + offsetAt(nowSeconds);
    long nowDay = Math.floorDiv(nowLocal, 86400);
    if (nowDay != cachedNowDay) {
      cachedYear = EpochDays.yearOf(nowDay);
      cachedNowDay = nowDay;
    }
    int year = cachedYear;
    int safeDay = Math.min(day, EpochDays.lengthOfMonth(year, month));
    if (EpochDays.of(year, month, safeDay) > nowDay + 7) {
      year--;
    }
    return year;
  }

  private int offsetAt(long epochSecond) {
    return fixed ? fixedOffset
        : rules.getOffset(java.time.Instant.ofEpochSecond(epochSecond)).getTotalSeconds();
  }
}
