package io.swak.parsers;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.nio.ByteOrder;

/**
 * The fast path for {@code iso8601} / {@code rfc3339}: {@code YYYY-MM-DD(T|t| )hh:mm:ss(.frac)?(Z|±hh:mm|
 * ±hhmm|±hh)?}, fractions to the ns (digits past nine are dropped), no offset meaning the default zone.
 * The first 16 bytes (date, hour, minute) are compared as two longs with the last line's: logs repeat the
 * same minute, so most lines only read their seconds, fraction and offset.
 */
final class Rfc3339Time implements TimeParser {

  private static final VarHandle LONGS =
      MethodHandles.byteArrayViewVarHandle(long[].class, ByteOrder.LITTLE_ENDIAN);

  private final LocalTimeZone zone;
  private long cachedHead0 = -1;
  private long cachedHead1 = -1;
  private long cachedMinuteSeconds;
  private boolean cached;

  Rfc3339Time(LocalTimeZone zone) {
    this.zone = zone;
  }

  @Override
  public long parse(byte[] b, int off, int len) {
    if (len < 19) {
      return FAILED;
    }
    long head0 = (long) LONGS.get(b, off);
    long head1 = (long) LONGS.get(b, off + 8);
    long minuteSeconds;
    if (cached && head0 == cachedHead0 && head1 == cachedHead1) {
      minuteSeconds = cachedMinuteSeconds;
    } else {
      minuteSeconds = readMinute(b, off);
      if (minuteSeconds == FAILED) {
        return FAILED;
      }
      cachedHead0 = head0;
      cachedHead1 = head1;
      cachedMinuteSeconds = minuteSeconds;
      cached = true;
    }
    int end = off + len;
    int sec = two(b, off + 17);
    if (b[off + 16] != ':' || sec < 0 || sec > 60) {
      return FAILED;
    }
    int i = off + 19;
    long nanos = 0;
    if (i < end && (b[i] == '.' || b[i] == ',')) {
      i++;
      int start = i;
      long scale = 100_000_000L;
      while (i < end && NumberText.isDigit(b[i])) {
        nanos += (b[i] - '0') * scale;
        scale /= 10;
        i++;
      }
      if (i == start) {
        return FAILED;
      }
    }
    long local = minuteSeconds + sec;
    long epochSecond;
    if (i == end) {
      epochSecond = zone.toEpochSecond(local);
    } else {
      int offset = readOffset(b, i, end);
      if (offset == Integer.MIN_VALUE) {
        return FAILED;
      }
      epochSecond = local - offset;
    }
    return epochSecond * 1_000_000_000L + nanos;
  }

  /** Local seconds at the start of the minute in {@code YYYY-MM-DDThh:mm}, or FAILED. */
  private static long readMinute(byte[] b, int off) {
    int year = four(b, off);
    int month = two(b, off + 5);
    int day = two(b, off + 8);
    int hour = two(b, off + 11);
    int minute = two(b, off + 14);
    byte t = b[off + 10];
    if (year < 0 || month < 0 || day < 0 || hour < 0 || minute < 0
        || b[off + 4] != '-' || b[off + 7] != '-' || b[off + 13] != ':'
        || (t != 'T' && t != 't' && t != ' ')
        || !EpochDays.valid(year, month, day) || hour > 23 || minute > 59) {
      return FAILED;
    }
    return EpochDays.of(year, month, day) * 86400 + hour * 3600 + minute * 60;
  }

  /** Seconds east of UTC of {@code Z}, {@code ±hh}, {@code ±hhmm} or {@code ±hh:mm}; MIN_VALUE if none. */
  static int readOffset(byte[] b, int i, int end) {
    byte c = b[i];
    if (c == 'Z' || c == 'z') {
      return i + 1 == end ? 0 : Integer.MIN_VALUE;
    }
    if ((c != '+' && c != '-') || i + 3 > end) {
      return Integer.MIN_VALUE;
    }
    int hours = two(b, i + 1);
    int j = i + 3;
    int minutes = 0;
    if (j < end) {
      if (b[j] == ':') {
        j++;
      }
      minutes = j + 2 <= end ? two(b, j) : -1;
      j += 2;
    }
    if (hours < 0 || hours > 18 || minutes < 0 || minutes > 59 || j < end) {
      return Integer.MIN_VALUE;
    }
    int seconds = hours * 3600 + minutes * 60;
    return c == '-' ? -seconds : seconds;
  }

  static int two(byte[] b, int i) {
    int d1 = b[i] - '0';
    int d2 = b[i + 1] - '0';
    return (d1 | d2) >= 0 && d1 <= 9 && d2 <= 9 ? d1 * 10 + d2 : -1;
  }

  private static int four(byte[] b, int i) {
    int hi = two(b, i);
    int lo = two(b, i + 2);
    return (hi | lo) >= 0 ? hi * 100 + lo : -1;
  }
}
