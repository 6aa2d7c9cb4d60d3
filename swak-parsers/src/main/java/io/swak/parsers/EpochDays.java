package io.swak.parsers;

/** Calendar arithmetic on plain ints, so no java.time object is made per timestamp. */
final class EpochDays {

  private EpochDays() {}

  /** Days since 1970-01-01 of a proleptic Gregorian date (H. Hinnant's days_from_civil). */
  static long of(int year, int month, int day) {
    int y = month <= 2 ? year - 1 : year;
    int era = (y >= 0 ? y : y - 399) / 400;
    int yoe = y - era * 400;
    int doy = (153 * (month + (month > 2 ? -3 : 9)) + 2) / 5 + day - 1;
    int doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    return (long) era * 146097 + doe - 719468;
  }

  static boolean valid(int year, int month, int day) {
    return month >= 1 && month <= 12 && day >= 1 && day <= lengthOfMonth(year, month);
  }

  static int lengthOfMonth(int year, int month) {
    return switch (month) {
      case 2 -> leap(year) ? 29 : 28;
      case 4, 6, 9, 11 -> 30;
      default -> 31;
    };
  }

  static boolean leap(int year) {
    return (year & 3) == 0 && (year % 100 != 0 || year % 400 == 0);
  }

  /** The year of a day count (H. Hinnant's civil_from_days, year part). */
  static int yearOf(long epochDay) {
    long z = epochDay + 719468;
    long era = (z >= 0 ? z : z - 146096) / 146097;
    long doe = z - era * 146097;
    long yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
    long doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    long mp = (5 * doy + 2) / 153;
    long month = mp < 10 ? mp + 3 : mp - 9;
    return (int) (yoe + era * 400 + (month <= 2 ? 1 : 0));
  }
}
