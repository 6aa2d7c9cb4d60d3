package io.swak.plugins.tcp;

/**
 * Times as text, read and written without java.time on the per-line path: RFC 3339 / ISO 8601 as
 * Logstash clients send {@code @timestamp} (python-logstash-async: {@code 2026-11-21T10:00:00.123Z};
 * logstash-logback-encoder: {@code 2026-11-21T11:00:00.123456+01:00}), and as Swak writes it
 * ({@code 2026-11-21T10:00:00.123456789Z}).
 */
final class Rfc3339 {

  /** What {@link #parse} returns for text that is not such a time. */
  static final long INVALID = Long.MIN_VALUE;

  private Rfc3339() { }

  /**
   * Nanoseconds since the epoch of {@code YYYY-MM-DD[T| ]hh:mm:ss[.fraction][Z|±hh:mm|±hhmm|±hh]}; a time
   * without a zone is UTC, a fraction of more than 9 digits is cut at nanoseconds, {@code ,} is accepted
   * before the fraction (Python's logging writes it). {@link #INVALID} for anything else.
   */
  static long parse(byte[] b, int off, int len) {
    if (len < 19) {
      return INVALID;
    }
    int y = digits(b, off, 4);
    int mo = digits(b, off + 5, 2);
    int d = digits(b, off + 8, 2);
    int h = digits(b, off + 11, 2);
    int mi = digits(b, off + 14, 2);
    int s = digits(b, off + 17, 2);
    byte t = b[off + 10];
    if ((y | mo | d | h | mi | s) < 0 || b[off + 4] != '-' || b[off + 7] != '-' || b[off + 13] != ':'
        || b[off + 16] != ':' || (t != 'T' && t != 't' && t != ' ')) {
      return INVALID;
    }
    if (mo < 1 || mo > 12 || d < 1 || d > daysIn(y, mo) || h > 23 || mi > 59 || s > 60) {
      return INVALID;
    }
    if (s == 60) {
      s = 59; // a leap second: the last second of the minute, as java.time reads it
    }
    int p = off + 19;
    int end = off + len;
    long nanos = 0;
    if (p < end && (b[p] == '.' || b[p] == ',')) {
      p++;
      int start = p;
      long scale = 100_000_000L;
      while (p < end && b[p] >= '0' && b[p] <= '9') {
        nanos += (b[p] - '0') * scale;
        scale /= 10;
        p++;
      }
      if (p == start) {
        return INVALID;
      }
    }
    int offsetSeconds = 0;
    if (p < end) {
      byte z = b[p];
      if ((z == 'Z' || z == 'z') && p + 1 == end) {
        p++;
      } else if (z == '+' || z == '-') {
        int oh = digits(b, p + 1, Math.min(2, end - p - 1));
        int om = 0;
        int rest = end - p - 3;
        if (rest == 3 && b[p + 3] == ':') {
          om = digits(b, p + 4, 2);
        } else if (rest == 2) {
          om = digits(b, p + 3, 2);
        } else if (rest != 0) {
          return INVALID;
        }
        if (end - p < 3 || oh < 0 || om < 0 || oh > 23 || om > 59) {
          return INVALID;
        }
        offsetSeconds = (oh * 3600 + om * 60) * (z == '-' ? -1 : 1);
        p = end;
      } else {
        return INVALID;
      }
    }
    long secs = epochDay(y, mo, d) * 86_400L + h * 3600L + mi * 60L + s - offsetSeconds;
    return secs * 1_000_000_000L + nanos;
  }

  /** The number of {@code n} decimal digits at {@code p}, or -1. */
  private static int digits(byte[] b, int p, int n) {
    int v = 0;
    for (int i = 0; i < n; i++) {
      int c = b[p + i] - '0';
      if (c < 0 || c > 9) {
        return -1;
      }
      v = v * 10 + c;
    }
    return n == 0 ? -1 : v;
  }

  private static int daysIn(int y, int m) {
    return switch (m) {
      case 2 -> (y % 4 == 0 && (y % 100 != 0 || y % 400 == 0)) ? 29 : 28;
      case 4, 6, 9, 11 -> 30;
      default -> 31;
    };
  }

  /** Days since 1970-01-01 of a proleptic Gregorian date (Howard Hinnant's days_from_civil). */
  static long epochDay(int y, int m, int d) {
    y -= m <= 2 ? 1 : 0;
    int era = Math.floorDiv(y, 400);
    int yoe = y - era * 400;
    int doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
    int doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    return era * 146_097L + doe - 719_468L;
  }

  /**
   * Writes {@code 2026-11-21T10:00:00.123456789Z} (30 bytes) at {@code p}; returns the position after it.
   * The date and time up to the second are kept from the last call: lines of one batch mostly share it.
   */
  static final class Writer {
    private long second = Long.MIN_VALUE;
    private final byte[] head = new byte[20];

    int write(byte[] out, int p, long nanos) {
      long sec = Math.floorDiv(nanos, 1_000_000_000L);
      int ns = (int) Math.floorMod(nanos, 1_000_000_000L);
      if (sec != second) {
        second = sec;
        long day = Math.floorDiv(sec, 86_400L);
        int secOfDay = (int) Math.floorMod(sec, 86_400L);
        civil(day, head);
        head[10] = 'T';
        two(head, 11, secOfDay / 3600);
        head[13] = ':';
        two(head, 14, secOfDay / 60 % 60);
        head[16] = ':';
        two(head, 17, secOfDay % 60);
        head[19] = '.';
      }
      System.arraycopy(head, 0, out, p, 20);
      p += 20;
      for (int i = 8; i >= 0; i--) {
        out[p + i] = (byte) ('0' + ns % 10);
        ns /= 10;
      }
      out[p + 9] = 'Z';
      return p + 10;
    }

    /** YYYY-MM-DD of an epoch day into {@code out[0..10)} (civil_from_days); years 0 to 9999. */
    private static void civil(long z, byte[] out) {
      z += 719_468;
      long era = Math.floorDiv(z, 146_097);
      int doe = (int) (z - era * 146_097);
      int yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
      long y = yoe + era * 400;
      int doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
      int mp = (5 * doy + 2) / 153;
      int d = doy - (153 * mp + 2) / 5 + 1;
      int m = mp < 10 ? mp + 3 : mp - 9;
      y += m <= 2 ? 1 : 0;
      int year = (int) Math.max(0, Math.min(9999, y));
      out[0] = (byte) ('0' + year / 1000);
      out[1] = (byte) ('0' + year / 100 % 10);
      out[2] = (byte) ('0' + year / 10 % 10);
      out[3] = (byte) ('0' + year % 10);
      out[4] = '-';
      two(out, 5, m);
      out[7] = '-';
      two(out, 8, d);
    }

    private static void two(byte[] out, int p, int v) {
      out[p] = (byte) ('0' + v / 10);
      out[p + 1] = (byte) ('0' + v % 10);
    }
  }
}
