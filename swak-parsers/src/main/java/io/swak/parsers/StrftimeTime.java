package io.swak.parsers;

import java.nio.charset.StandardCharsets;
import java.util.Arrays;

/**
 * A strftime-style format ({@code %d/%b/%Y:%H:%M:%S %z}) compiled to a list of byte-level steps, so
 * reading a timestamp makes no objects. Spaces in the format match any run of spaces or tabs (syslog pads
 * days with one); {@code .%L} also matches a timestamp without a fraction. Everything up to the seconds
 * is cached by the bytes it read: access logs repeat the same second, so most lines only compare bytes.
 *
 * <p>Directives: %Y %y %m %d %e %j %b %h %B %a %A %H %k %I %l %p %M %S %L %N %f (fraction, any number
 * of digits, ns kept) %z (Z, ±hh, ±hhmm, ±hh:mm) %Z (UTC/GMT/Z; other names mean the default zone)
 * %s (epoch seconds, with an optional fraction) %T %F %D %R %r %n %t %%.
 */
final class StrftimeTime implements TimeParser {

  private static final int LITERAL = 1;
  private static final int SPACE = 2;
  private static final int YEAR = 3;
  private static final int YEAR2 = 4;
  private static final int MONTH = 5;
  private static final int MONTH_NAME = 6;
  private static final int DAY = 7;
  private static final int DAY_OF_YEAR = 8;
  private static final int WEEKDAY_NAME = 9;
  private static final int HOUR = 10;
  private static final int HOUR12 = 11;
  private static final int AM_PM = 12;
  private static final int MINUTE = 13;
  private static final int SECOND = 14;
  private static final int FRACTION = 15;
  /** a {@code .} or {@code ,} and a fraction, or nothing at all */
  private static final int OPTIONAL_FRACTION = 16;
  private static final int OFFSET = 17;
  private static final int ZONE_NAME = 18;
  private static final int EPOCH = 19;
  private static final int DIGITS = 20;

  private static final byte[][] MONTHS = names("january", "february", "march", "april", "may", "june",
      "july", "august", "september", "october", "november", "december");
  private static final byte[][] WEEKDAYS = names("monday", "tuesday", "wednesday", "thursday", "friday",
      "saturday", "sunday");
  private static final int NO_OFFSET = Integer.MIN_VALUE;

  private final int[] ops;
  private final byte[] literals;
  private final LocalTimeZone zone;
  /** index of the step after the single %S, where a cached prefix resumes; -1: no caching */
  private final int resumeAt;

  // the fields read so far; instance state because one parser serves one thread
  private int year;
  private int month;
  private int day;
  private int dayOfYear;
  private int hour;
  private int minute;
  private int second;
  private int pm;
  private long nanos;
  private int offset;
  private long epoch;
  private boolean hasEpoch;
  private int pos;
  private int secondDigits;

  private final byte[] cachedPrefix = new byte[64];
  private int cachedPrefixLen = -1;
  private final int[] cachedFields = new int[9];

  private StrftimeTime(int[] ops, byte[] literals, LocalTimeZone zone) {
    this.ops = ops;
    this.literals = literals;
    this.zone = zone;
    int seconds = 0;
    int at = -1;
    boolean epochOp = false;
    for (int i = 0; i < ops.length; i++) {
      if (ops[i] == SECOND) {
        seconds++;
        at = i + 1;
      }
      epochOp |= ops[i] == EPOCH;
    }
    this.resumeAt = seconds == 1 && !epochOp ? at : -1;
  }

  /** The compiled format, or a Rejected naming the directive it does not know. */
  static Setup<TimeParser> compile(String format, LocalTimeZone zone) {
    int[] ops = new int[format.length() * 4 + 4];
    byte[] lits = new byte[ops.length];
    int n = 0;
    String expanded = expand(format);
    byte[] f = expanded.getBytes(StandardCharsets.UTF_8);
    for (int i = 0; i < f.length; i++) {
      byte c = f[i];
      if (c == ' ' || c == '\t') {
        if (n == 0 || ops[n - 1] != SPACE) {
          ops[n++] = SPACE;
        }
        continue;
      }
      if (c != '%') {
        lits[n] = c;
        ops[n++] = LITERAL;
        continue;
      }
      if (++i == f.length) {
        return new Setup.Rejected<>("time_format ends with a lone %");
      }
      int op = switch (f[i]) {
        case 'Y' -> YEAR;
        case 'y' -> YEAR2;
        case 'm' -> MONTH;
        case 'd', 'e' -> DAY;
        case 'j' -> DAY_OF_YEAR;
        case 'b', 'h', 'B' -> MONTH_NAME;
        case 'a', 'A' -> WEEKDAY_NAME;
        case 'H', 'k' -> HOUR;
        case 'I', 'l' -> HOUR12;
        case 'p', 'P' -> AM_PM;
        case 'M' -> MINUTE;
        case 'S' -> SECOND;
        case 'L', 'N', 'f' -> FRACTION;
        case 'z' -> OFFSET;
        case 'Z' -> ZONE_NAME;
        case 's' -> EPOCH;
        case 'u', 'w' -> DIGITS;
        case 'n', 't' -> SPACE;
        case '%' -> LITERAL;
        default -> 0;
      };
      if (op == 0) {
        return new Setup.Rejected<>("time_format has an unknown directive %" + (char) f[i]);
      }
      if (op == FRACTION && n > 0 && ops[n - 1] == LITERAL && (lits[n - 1] == '.' || lits[n - 1] == ',')) {
        ops[n - 1] = OPTIONAL_FRACTION;
        continue;
      }
      if (op == LITERAL) {
        lits[n] = '%';
      }
      ops[n++] = op;
    }
    return new Setup.Ready<>(new StrftimeTime(Arrays.copyOf(ops, n), Arrays.copyOf(lits, n), zone));
  }

  /** The composite directives, spelled out. */
  private static String expand(String format) {
    return format.replace("%T", "%H:%M:%S").replace("%F", "%Y-%m-%d").replace("%D", "%m/%d/%y")
        .replace("%R", "%H:%M").replace("%r", "%I:%M:%S %p");
  }

  @Override
  public long parse(byte[] b, int off, int len) {
    int end = off + len;
    int step = 0;
    int pl = cachedPrefixLen;
    boolean resumed = pl >= 0 && pl <= len && Arrays.equals(b, off, off + pl, cachedPrefix, 0, pl);
    if (resumed) {
      restore();
      pos = off + pl;
      step = resumeAt;
    } else {
      clear();
      pos = off;
    }
    for (; step < ops.length; step++) {
      if (step == resumeAt && !resumed) {
        remember(b, off);
      }
      if (!run(step, b, end)) {
        return FAILED;
      }
    }
    if (resumeAt == ops.length && !resumed) {
      remember(b, off);
    }
    return pos == end ? result() : FAILED;
  }

  private boolean run(int step, byte[] b, int end) {
    switch (ops[step]) {
      case LITERAL:
        return pos < end && b[pos++] == literals[step];
      case SPACE:
        while (pos < end && (b[pos] == ' ' || b[pos] == '\t')) {
          pos++;
        }
        return true;
      case YEAR:
        year = number(b, end, 4);
        return year >= 0;
      case YEAR2:
        int y = number(b, end, 2);
        year = y < 69 ? 2000 + y : 1900 + y;
        return y >= 0;
      case MONTH:
        month = number(b, end, 2);
        return month >= 1 && month <= 12;
      case MONTH_NAME:
        month = name(b, end, MONTHS) + 1;
        return month >= 1;
      case DAY:
        if (pos < end && b[pos] == ' ') {
          pos++;
        }
        day = number(b, end, 2);
        return day >= 1 && day <= 31;
      case DAY_OF_YEAR:
        dayOfYear = number(b, end, 3);
        return dayOfYear >= 1 && dayOfYear <= 366;
      case WEEKDAY_NAME:
        return name(b, end, WEEKDAYS) >= 0;
      case HOUR:
        if (pos < end && b[pos] == ' ') {
          pos++;
        }
        hour = number(b, end, 2);
        return hour >= 0 && hour <= 23;
      case HOUR12:
        if (pos < end && b[pos] == ' ') {
          pos++;
        }
        hour = number(b, end, 2);
        pm = pm < 0 ? 0 : pm; // remembers that a 12-hour clock was read
        return hour >= 1 && hour <= 12;
      case AM_PM:
        return amPm(b, end);
      case MINUTE:
        minute = number(b, end, 2);
        return minute >= 0 && minute <= 59;
      case SECOND:
        int start = pos;
        second = number(b, end, 2);
        secondDigits = pos - start;
        return second >= 0 && second <= 60;
      case FRACTION:
        return fraction(b, end);
      case OPTIONAL_FRACTION:
        if (pos < end && (b[pos] == '.' || b[pos] == ',')) {
          pos++;
          return fraction(b, end);
        }
        return true;
      case OFFSET:
        return offset(b, end);
      case ZONE_NAME:
        return zoneName(b, end);
      case EPOCH:
        return epoch(b, end);
      case DIGITS:
        return number(b, end, 1) >= 0;
      default:
        return false;
    }
  }

  private long result() {
    if (hasEpoch) {
      return Math.multiplyExact(epoch, 1_000_000_000L) + (epoch < 0 ? -nanos : nanos);
    }
    if (year < 0) {
      year = zone.yearFor(month, day);
    }
    if (dayOfYear > 0) {
      if (dayOfYear > (EpochDays.leap(year) ? 366 : 365)) {
        return FAILED;
      }
      month = 1;
      day = 1;
    } else if (!EpochDays.valid(year, month, day)) {
      return FAILED;
    }
    int h = hour;
    if (pm >= 0) {
      h = hour % 12 + (pm == 1 ? 12 : 0);
    }
    long days = EpochDays.of(year, month, day) + (dayOfYear > 0 ? dayOfYear - 1 : 0);
    long local = days * 86400 + h * 3600L + minute * 60L + second;
    long epochSecond = offset != NO_OFFSET ? local - offset : zone.toEpochSecond(local);
    return epochSecond * 1_000_000_000L + nanos;
  }

  /** Up to {@code max} digits (at least one); -1 when there is none. */
  private int number(byte[] b, int end, int max) {
    int v = 0;
    int start = pos;
    while (pos < end && pos - start < max && NumberText.isDigit(b[pos])) {
      v = v * 10 + (b[pos++] - '0');
    }
    return pos > start ? v : -1;
  }

  private boolean fraction(byte[] b, int end) {
    int start = pos;
    long scale = 100_000_000L;
    long v = 0;
    while (pos < end && NumberText.isDigit(b[pos])) {
      v += (b[pos++] - '0') * scale;
      scale /= 10;
    }
    nanos = v;
    return pos > start;
  }

  /** An English month or weekday name, abbreviated or full, any case; its index or -1. */
  private int name(byte[] b, int end, byte[][] names) {
    if (pos + 3 > end) {
      return -1;
    }
    for (int i = 0; i < names.length; i++) {
      byte[] n = names[i];
      if ((b[pos] | 0x20) == n[0] && (b[pos + 1] | 0x20) == n[1] && (b[pos + 2] | 0x20) == n[2]) {
        int k = 3;
        while (k < n.length && pos + k < end && (b[pos + k] | 0x20) == n[k]) {
          k++;
        }
        pos += k == n.length ? k : 3;
        return i;
      }
    }
    return -1;
  }

  private boolean amPm(byte[] b, int end) {
    if (pos + 2 > end || (b[pos + 1] | 0x20) != 'm') {
      return false;
    }
    int c = b[pos] | 0x20;
    if (c != 'a' && c != 'p') {
      return false;
    }
    pm = c == 'p' ? 1 : 0;
    pos += 2;
    return true;
  }

  private boolean offset(byte[] b, int end) {
    if (pos >= end) {
      return false;
    }
    byte c = b[pos];
    if (c == 'Z' || c == 'z') {
      pos++;
      offset = 0;
      return true;
    }
    if (c != '+' && c != '-') {
      return false;
    }
    pos++;
    int start = pos;
    int h = number(b, end, 2);
    if (h < 0 || pos - start != 2 || h > 18) {
      return false;
    }
    int m = 0;
    if (pos < end && b[pos] == ':') {
      pos++;
    }
    if (pos < end && NumberText.isDigit(b[pos])) {
      int mStart = pos;
      m = number(b, end, 2);
      if (pos - mStart != 2 || m > 59) {
        return false;
      }
    }
    int seconds = h * 3600 + m * 60;
    offset = c == '-' ? -seconds : seconds;
    return true;
  }

  private boolean zoneName(byte[] b, int end) {
    int start = pos;
    while (pos < end && ((b[pos] | 0x20) >= 'a' && (b[pos] | 0x20) <= 'z' || b[pos] == '/' || b[pos] == '_')) {
      pos++;
    }
    int n = pos - start;
    if (n == 0) {
      return false;
    }
    boolean utc = n == 1 && (b[start] | 0x20) == 'z'
        || n == 3 && ascii(b, start, "utc") || n == 3 && ascii(b, start, "gmt")
        || n == 2 && ascii(b, start, "ut");
    if (utc) {
      offset = 0;
    }
    return true;
  }

  private static boolean ascii(byte[] b, int start, String lower) {
    for (int i = 0; i < lower.length(); i++) {
      if ((b[start + i] | 0x20) != lower.charAt(i)) {
        return false;
      }
    }
    return true;
  }

  private boolean epoch(byte[] b, int end) {
    boolean negative = pos < end && b[pos] == '-';
    if (negative) {
      pos++;
    }
    int start = pos;
    long v = 0;
    while (pos < end && NumberText.isDigit(b[pos]) && pos - start < 18) {
      v = v * 10 + (b[pos++] - '0');
    }
    if (pos == start) {
      return false;
    }
    epoch = negative ? -v : v;
    hasEpoch = true;
    if (pos < end && b[pos] == '.') {
      pos++;
      return fraction(b, end);
    }
    return true;
  }

  private void clear() {
    year = -1;
    month = 1;
    day = 1;
    dayOfYear = 0;
    hour = 0;
    minute = 0;
    second = 0;
    pm = -1;
    nanos = 0;
    offset = NO_OFFSET;
    hasEpoch = false;
  }

  /** Caches the bytes read so far and the fields they gave, when the seconds took their two digits. */
  private void remember(byte[] b, int off) {
    int n = pos - off;
    // one digit of seconds may have stopped before a digit that a longer line has: not a safe prefix
    if (n > cachedPrefix.length || secondDigits != 2) {
      cachedPrefixLen = -1;
      return;
    }
    System.arraycopy(b, off, cachedPrefix, 0, n);
    cachedPrefixLen = n;
    int[] f = cachedFields;
    f[0] = year;
    f[1] = month;
    f[2] = day;
    f[3] = dayOfYear;
    f[4] = hour;
    f[5] = minute;
    f[6] = second;
    f[7] = pm;
    f[8] = offset;
  }

  private void restore() {
    int[] f = cachedFields;
    year = f[0];
    month = f[1];
    day = f[2];
    dayOfYear = f[3];
    hour = f[4];
    minute = f[5];
    second = f[6];
    pm = f[7];
    offset = f[8];
    nanos = 0;
    hasEpoch = false;
  }

  private static byte[][] names(String... names) {
    byte[][] out = new byte[names.length][];
    for (int i = 0; i < names.length; i++) {
      out[i] = names[i].getBytes(StandardCharsets.US_ASCII);
    }
    return out;
  }
}
