package io.swak.plugins.syslog;

import java.nio.charset.StandardCharsets;
import java.time.ZoneId;
import java.time.ZonedDateTime;

/**
 * Turns one syslog message into a record, RFC 5424 or RFC 3164 told apart per message by the VERSION digit
 * after the PRI. Fields: {@code pri}, {@code facility} and {@code severity} (names, as Fluentd spells them),
 * {@code host}, {@code ident} (APP-NAME or the 3164 tag), {@code pid} (PROCID), {@code msgid},
 * {@code structured_data} (SD-ID → map of params) and {@code message}; absent when the message has none (5424's
 * {@code -}). The event time is the message's timestamp (a 3164 one read in {@code zone}, the year guessed: this
 * year, or last year for a date more than a week ahead), else the time received. Bytes are kept as they are,
 * non-UTF-8 included; the BOM that may start a 5424 MSG is dropped. A message that is not syslog at all is kept
 * whole as {@code message}.
 *
 * <p>Tolerated, as rsyslog, syslog-ng and logger send them: no hostname (logger to a local socket), RFC 3339
 * times in 3164, fractional BSD seconds, runs of spaces, a 5424 message without STRUCTURED-DATA. Not
 * thread-safe: one per network thread.
 */
final class SyslogParser {

  /** What a message turned out to be. */
  enum Kind { RFC5424, RFC3164, UNPARSED }

  /** Which formats to try. */
  enum Format { AUTO, RFC3164, RFC5424 }

  static final byte[] PRI = EntryBuffer.key("pri");
  static final byte[] FACILITY = EntryBuffer.key("facility");
  static final byte[] SEVERITY = EntryBuffer.key("severity");
  static final byte[] HOST = EntryBuffer.key("host");
  static final byte[] IDENT = EntryBuffer.key("ident");
  static final byte[] PID = EntryBuffer.key("pid");
  static final byte[] MSGID = EntryBuffer.key("msgid");
  static final byte[] STRUCTURED_DATA = EntryBuffer.key("structured_data");

  static final String[] FACILITY_NAMES = {"kern", "user", "mail", "daemon", "auth", "syslog", "lpr", "news",
      "uucp", "cron", "authpriv", "ftp", "ntp", "audit", "alert", "at", "local0", "local1", "local2", "local3",
      "local4", "local5", "local6", "local7"};
  static final String[] SEVERITY_NAMES = {"emerg", "alert", "crit", "err", "warn", "notice", "info", "debug"};
  private static final byte[][] FACILITY_VALUES = values(FACILITY_NAMES);
  private static final byte[][] SEVERITY_VALUES = values(SEVERITY_NAMES);
  private static final String MONTHS = "janfebmaraprmayjunjulaugsepoctnovdec";

  private final Format format;
  private final ZoneId zone;
  private final byte[] messageKey;
  private final byte[] sourceKey;

  // 3164 times: the start of the hour of the last "Mmm dd hh" seen, so most messages only add minutes and seconds
  private final byte[] bsdHourKey = new byte[9];
  private long bsdHourSeconds = Long.MIN_VALUE;
  private long bsdHourFor = Long.MIN_VALUE;

  SyslogParser(Format format, ZoneId zone, String messageKey, String sourceKey) {
    this.format = format;
    this.zone = zone;
    this.messageKey = EntryBuffer.key(messageKey);
    this.sourceKey = sourceKey == null || sourceKey.isEmpty() ? null : EntryBuffer.key(sourceKey);
  }

  /**
   * Appends the record of the message {@code b[off, off + n)} (trailing CR/LF ignored) to {@code out};
   * {@code source} is the sender's address as a msgpack string, written when a key was configured.
   */
  Kind parse(byte[] b, int off, int n, long receivedNanos, byte[] source, EntryBuffer out) {
    int end = off + n;
    while (end > off && (b[end - 1] == '\n' || b[end - 1] == '\r' || b[end - 1] == 0)) {
      end--;
    }
    int mark = out.len;
    out.beginRecord(receivedNanos);
    int timeAt = out.len - 11; // the EventTime written by beginRecord (after the array header), patched later
    Kind k = header(b, off, end, out, receivedNanos, timeAt);
    if (k == Kind.UNPARSED) {
      out.dropRecord(mark);
      out.beginRecord(receivedNanos);
      out.string(messageKey, b, off, end - off);
    }
    if (source != null && sourceKey != null) {
      out.packed(sourceKey, source);
    }
    out.endRecord();
    return k;
  }

  private Kind header(byte[] b, int i, int end, EntryBuffer out, long now, int timeAt) {
    if (i >= end || b[i] != '<') {
      return format == Format.RFC5424 ? Kind.UNPARSED : rfc3164(b, i, end, out, now, timeAt, false);
    }
    int pri = 0;
    int p = i + 1;
    while (p < end && p - i <= 3 && digit(b[p])) {
      pri = pri * 10 + (b[p++] - '0');
    }
    if (p == i + 1 || p >= end || b[p] != '>' || pri > 191) {
      return Kind.UNPARSED;
    }
    p++;
    out.integer(PRI, pri);
    out.packed(FACILITY, FACILITY_VALUES[pri >> 3]);
    out.packed(SEVERITY, SEVERITY_VALUES[pri & 7]);
    if (format != Format.RFC3164 && isVersion(b, p, end)) {
      return rfc5424(b, p, end, out, timeAt);
    }
    if (format == Format.RFC5424) {
      return Kind.UNPARSED;
    }
    return rfc3164(b, p, end, out, now, timeAt, true);
  }

  /** A 5424 VERSION: 1 to 3 digits, not starting with 0, then a space (a 3164 RFC 3339 time has '-' there). */
  private static boolean isVersion(byte[] b, int i, int end) {
    int s = i;
    while (i < end && digit(b[i]) && i - s < 3) {
      i++;
    }
    return i > s && b[s] != '0' && i < end && b[i] == ' ';
  }

  // ---- RFC 5424: <PRI>VERSION SP TIMESTAMP SP HOSTNAME SP APP-NAME SP PROCID SP MSGID SP SD [SP MSG]

  private Kind rfc5424(byte[] b, int i, int end, EntryBuffer out, int timeAt) {
    i = word(b, i, end); // the version
    for (int field = 0; field < 5; field++) {
      i = spaces(b, i, end);
      if (i >= end) {
        return field == 0 ? Kind.UNPARSED : Kind.RFC5424;
      }
      int s = i;
      i = word(b, i, end);
      if (i - s == 1 && b[s] == '-') {
        continue;
      }
      switch (field) {
        case 0 -> {
          long t = rfc3339(b, s, i);
          if (t != Long.MIN_VALUE) {
            putTime(out, timeAt, t);
          }
        }
        case 1 -> out.string(HOST, b, s, i - s);
        case 2 -> out.string(IDENT, b, s, i - s);
        case 3 -> out.string(PID, b, s, i - s);
        default -> out.string(MSGID, b, s, i - s);
      }
    }
    if (i < end) {
      i++; // the space after MSGID
    }
    if (i < end && b[i] == '-' && (i + 1 == end || b[i + 1] == ' ')) {
      i++;
    } else if (i < end && b[i] == '[') {
      int mark = out.len;
      out.rawKey(STRUCTURED_DATA);
      int after = structuredData(b, i, end, out);
      if (after < 0) {
        out.unField(mark); // not well-formed: it stays in the message, where nothing of it is lost
      } else {
        i = after;
      }
    } // else: no STRUCTURED-DATA at all, the message follows MSGID (some senders)
    if (i < end && b[i] == ' ') {
      i++;
    }
    if (i + 3 <= end && b[i] == (byte) 0xEF && b[i + 1] == (byte) 0xBB && b[i + 2] == (byte) 0xBF) {
      i += 3;
    }
    if (i < end) {
      out.string(messageKey, b, i, end - i);
    }
    return Kind.RFC5424;
  }

  /**
   * {@code [id p="v" ...][id2 ...]} at {@code i} as a map of maps (map16 headers, patched with their counts);
   * returns the position after it, or -1 when it is not well-formed (the caller takes back what was written).
   */
  private static int structuredData(byte[] b, int i, int end, EntryBuffer out) {
    out.ensure(3);
    int outer = out.len;
    out.len += 3;
    int elements = 0;
    while (i < end && b[i] == '[') {
      int s = ++i;
      while (i < end && b[i] != ' ' && b[i] != ']' && b[i] != '=' && b[i] != '"') {
        i++;
      }
      if (i == s || i >= end || (b[i] != ' ' && b[i] != ']')) {
        return -1;
      }
      str(out, b, s, i - s);
      out.ensure(3);
      int inner = out.len;
      out.len += 3;
      int params = 0;
      while (i < end && b[i] == ' ') {
        i++;
        int ns = i;
        while (i < end && b[i] != '=' && b[i] != ' ' && b[i] != ']' && b[i] != '"') {
          i++;
        }
        if (i == ns || i + 1 >= end || b[i] != '=' || b[i + 1] != '"') {
          return -1;
        }
        str(out, b, ns, i - ns);
        i += 2;
        int vs = i;
        boolean escaped = false;
        while (i < end && b[i] != '"') {
          if (b[i] == '\\' && i + 1 < end) {
            escaped = true;
            i++;
          }
          i++;
        }
        if (i >= end) {
          return -1;
        }
        if (escaped) {
          unescaped(out, b, vs, i);
        } else {
          str(out, b, vs, i - vs);
        }
        i++; // the closing quote
        params++;
      }
      if (i >= end || b[i] != ']' || params > 65535) {
        return -1;
      }
      i++;
      map16(out.buf, inner, params);
      elements++;
    }
    if (elements > 65535) {
      return -1;
    }
    map16(out.buf, outer, elements);
    return i;
  }

  /** A PARAM-VALUE with its escapes {@code \" \\ \]} undone (a backslash before anything else stays). */
  private static void unescaped(EntryBuffer out, byte[] b, int s, int e) {
    out.ensure(5 + e - s);
    int head = out.len;
    int p = head + 5;
    byte[] o = out.buf;
    for (int i = s; i < e; i++) {
      byte c = b[i];
      if (c == '\\' && i + 1 < e && (b[i + 1] == '"' || b[i + 1] == '\\' || b[i + 1] == ']')) {
        c = b[++i];
      }
      o[p++] = c;
    }
    int n = p - head - 5;
    o[head] = (byte) 0xdb; // str32: the length is known only now
    o[head + 1] = (byte) (n >>> 24);
    o[head + 2] = (byte) (n >>> 16);
    o[head + 3] = (byte) (n >>> 8);
    o[head + 4] = (byte) n;
    out.len = p;
  }

  private static void str(EntryBuffer out, byte[] b, int off, int n) {
    out.ensure(5 + n);
    int p = io.swak.api.MsgpackHeaders.str(out.buf, out.len, n);
    System.arraycopy(b, off, out.buf, p, n);
    out.len = p + n;
  }

  private static void map16(byte[] o, int at, int n) {
    o[at] = (byte) 0xde;
    o[at + 1] = (byte) (n >>> 8);
    o[at + 2] = (byte) n;
  }

  // ---- RFC 3164: [<PRI>]TIMESTAMP [HOST] TAG[PID]: MSG, as loosely as senders write it

  private Kind rfc3164(byte[] b, int i, int end, EntryBuffer out, long now, int timeAt, boolean hasPri) {
    long t = Long.MIN_VALUE;
    int timeEnd = bsdTimeEnd(b, i, end);
    if (timeEnd >= 0) {
      t = bsdTime(b, i, end, now);
    } else if ((timeEnd = rfc3339End(b, i, end)) >= 0) {
      t = rfc3339(b, i, timeEnd);
    } else {
      if (!hasPri) {
        return Kind.UNPARSED;
      }
      if (i < end) {
        out.string(messageKey, b, i, end - i); // RFC 3164 4.3.3: without a timestamp all of it is MSG
      }
      return Kind.RFC3164;
    }
    if (t != Long.MIN_VALUE) {
      putTime(out, timeAt, t);
    }
    if (timeEnd < end && b[timeEnd] == ':') {
      timeEnd++; // Cisco: "Oct 11 22:14:15.123: %SYS-5-CONFIG_I: ..."
    }
    i = spaces(b, timeEnd, end);
    if (i >= end) {
      return Kind.RFC3164;
    }
    int wordEnd = word(b, i, end);
    if (!looksLikeTag(b, i, wordEnd)) {
      out.string(HOST, b, i, wordEnd - i);
      i = spaces(b, wordEnd, end);
    }
    i = tag(b, i, end, out);
    if (i < end) {
      out.string(messageKey, b, i, end - i);
    }
    return Kind.RFC3164;
  }

  /** A word that ends with ':' or holds '[' is the tag: the sender left the hostname out. */
  private static boolean looksLikeTag(byte[] b, int s, int e) {
    if (b[e - 1] == ':') {
      return true;
    }
    for (int i = s; i < e; i++) {
      if (b[i] == '[') {
        return true;
      }
    }
    return false;
  }

  /** {@code ident[pid]:} or {@code ident:} at i; returns where the message starts. */
  private static int tag(byte[] b, int i, int end, EntryBuffer out) {
    int s = i;
    while (i < end && b[i] != ' ' && b[i] != '[' && b[i] != ':') {
      i++;
    }
    int identEnd = i;
    int pidStart = -1;
    int pidEnd = -1;
    if (i < end && b[i] == '[') {
      int close = i + 1;
      while (close < end && b[close] != ']' && b[close] != ' ') {
        close++;
      }
      if (close < end && b[close] == ']') {
        pidStart = i + 1;
        pidEnd = close;
        i = close + 1;
      }
    }
    boolean colon = i < end && b[i] == ':';
    if (!colon && pidEnd < 0) {
      return s; // no tag: the word belongs to the message
    }
    if (identEnd > s) {
      out.string(IDENT, b, s, identEnd - s);
    }
    if (pidEnd > pidStart) {
      out.string(PID, b, pidStart, pidEnd - pidStart);
    }
    if (colon) {
      i++;
    }
    if (i < end && b[i] == ' ') {
      i++;
    }
    return i;
  }

  // ---- times

  private static void putTime(EntryBuffer out, int at, long nanos) {
    io.swak.api.MsgpackHeaders.eventTime(out.buf, at, nanos);
  }

  /** End of {@code Mmm dd hh:mm:ss} (day space-padded or not, optional fraction), or -1. */
  private static int bsdTimeEnd(byte[] b, int i, int end) {
    if (i + 15 > end || !letter(b[i]) || !letter(b[i + 1]) || !letter(b[i + 2]) || b[i + 3] != ' ') {
      return -1;
    }
    int j = i + 4;
    if (b[j] == ' ') {
      j++;
    }
    int ds = j;
    while (j < end && digit(b[j]) && j - ds < 2) {
      j++;
    }
    if (j == ds || j + 9 > end || b[j] != ' ') {
      return -1;
    }
    j++;
    if (two(b, j) < 0 || b[j + 2] != ':' || two(b, j + 3) < 0 || b[j + 5] != ':' || two(b, j + 6) < 0) {
      return -1;
    }
    j += 8;
    if (j + 1 < end && (b[j] == '.' || b[j] == ',') && digit(b[j + 1])) {
      j++;
      while (j < end && digit(b[j])) {
        j++;
      }
    }
    return j == end || b[j] == ' ' || b[j] == ':' ? j : -1;
  }

  /** Nanoseconds of a BSD time at {@code i} (already checked by {@link #bsdTimeEnd}), or MIN_VALUE. */
  private long bsdTime(byte[] b, int i, int end, long nowNanos) {
    int month = month(b[i], b[i + 1], b[i + 2]);
    if (month < 0) {
      return Long.MIN_VALUE;
    }
    int j = i + 4;
    if (b[j] == ' ') {
      j++;
    }
    int day = b[j++] - '0';
    if (digit(b[j])) {
      day = day * 10 + (b[j++] - '0');
    }
    j++;
    int hour = two(b, j);
    int min = two(b, j + 3);
    int sec = two(b, j + 6);
    if (day < 1 || day > 31 || hour > 23 || min > 59 || sec > 60) {
      return Long.MIN_VALUE;
    }
    long frac = fraction(b, j + 8, end);
    long nowHour = Math.floorDiv(nowNanos, 3_600_000_000_000L);
    boolean same = bsdHourFor == nowHour && bsdHourKey[0] == month && bsdHourKey[1] == day && bsdHourKey[2] == hour;
    if (!same) {
      try {
        long nowSec = Math.floorDiv(nowNanos, 1_000_000_000L);
        int year = ZonedDateTime.ofInstant(java.time.Instant.ofEpochSecond(nowSec), zone).getYear();
        long s = ZonedDateTime.of(year, month + 1, day, hour, 0, 0, 0, zone).toEpochSecond();
        if (s > nowSec + 7 * 86400L) {
          s = ZonedDateTime.of(year - 1, month + 1, day, hour, 0, 0, 0, zone).toEpochSecond();
        }
        bsdHourSeconds = s;
      } catch (java.time.DateTimeException e) {
        return Long.MIN_VALUE; // Feb 30
      }
      bsdHourKey[0] = (byte) month;
      bsdHourKey[1] = (byte) day;
      bsdHourKey[2] = (byte) hour;
      bsdHourFor = nowHour;
    }
    return (bsdHourSeconds + min * 60L + sec) * 1_000_000_000L + frac;
  }

  /** End of an RFC 3339 word ({@code 2003-10-11T22:14:15.003Z}) in a 3164 message, or -1. */
  private static int rfc3339End(byte[] b, int i, int end) {
    if (i + 19 > end || !digit(b[i]) || b[i + 4] != '-' || b[i + 7] != '-' || (b[i + 10] | 0x20) != 't') {
      return -1;
    }
    return word(b, i, end);
  }

  /** Nanoseconds of the RFC 3339 time {@code b[s, e)}, or MIN_VALUE when it is not one. */
  static long rfc3339(byte[] b, int s, int e) {
    if (e - s < 20 || b[s + 4] != '-' || b[s + 7] != '-' || (b[s + 10] | 0x20) != 't' || b[s + 13] != ':'
        || b[s + 16] != ':') {
      return Long.MIN_VALUE;
    }
    int y1 = two(b, s);
    int y2 = two(b, s + 2);
    int mo = two(b, s + 5);
    int d = two(b, s + 8);
    int h = two(b, s + 11);
    int mi = two(b, s + 14);
    int se = two(b, s + 17);
    if (y1 < 0 || y2 < 0 || mo < 1 || mo > 12 || d < 1 || d > 31 || h < 0 || h > 23 || mi < 0 || mi > 59 || se < 0
        || se > 60) {
      return Long.MIN_VALUE;
    }
    int p = s + 19;
    long frac = 0;
    if (p < e && b[p] == '.') {
      frac = fraction(b, p, e);
      p++;
      while (p < e && digit(b[p])) {
        p++;
      }
    }
    if (p >= e) {
      return Long.MIN_VALUE;
    }
    long offset;
    if ((b[p] | 0x20) == 'z' && p + 1 == e) {
      offset = 0;
    } else if ((b[p] == '+' || b[p] == '-') && p + 6 == e && b[p + 3] == ':') {
      int oh = two(b, p + 1);
      int om = two(b, p + 4);
      if (oh < 0 || om < 0) {
        return Long.MIN_VALUE;
      }
      offset = (oh * 3600L + om * 60L) * (b[p] == '-' ? -1 : 1);
    } else {
      return Long.MIN_VALUE;
    }
    long days = daysFromCivil(y1 * 100 + y2, mo, d);
    long secs = days * 86400L + h * 3600L + mi * 60L + se - offset;
    return secs * 1_000_000_000L + frac;
  }

  /** {@code .ddd} at p as nanoseconds (digits past the ninth ignored); 0 when there is none. */
  private static long fraction(byte[] b, int p, int e) {
    if (p >= e || (b[p] != '.' && b[p] != ',') || p + 1 >= e || !digit(b[p + 1])) {
      return 0;
    }
    long v = 0;
    int n = 0;
    for (int i = p + 1; i < e && digit(b[i]); i++) {
      if (n < 9) {
        v = v * 10 + (b[i] - '0');
        n++;
      }
    }
    for (; n < 9; n++) {
      v *= 10;
    }
    return v;
  }

  /** Days since 1970-01-01 of a proleptic Gregorian date (Howard Hinnant's days_from_civil). */
  static long daysFromCivil(int y, int m, int d) {
    y -= m <= 2 ? 1 : 0;
    int era = Math.floorDiv(y, 400);
    int yoe = y - era * 400;
    int doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
    int doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    return era * 146097L + doe - 719468;
  }

  private static int month(byte a, byte b, byte c) {
    int x = a | 0x20;
    int y = b | 0x20;
    int z = c | 0x20;
    for (int m = 0; m < 12; m++) {
      if (MONTHS.charAt(3 * m) == x && MONTHS.charAt(3 * m + 1) == y && MONTHS.charAt(3 * m + 2) == z) {
        return m;
      }
    }
    return -1;
  }

  private static int two(byte[] b, int i) {
    int a = b[i] - '0';
    int c = b[i + 1] - '0';
    return a >= 0 && a <= 9 && c >= 0 && c <= 9 ? a * 10 + c : -1;
  }

  private static boolean digit(byte c) {
    return c >= '0' && c <= '9';
  }

  private static boolean letter(byte c) {
    int l = c | 0x20;
    return l >= 'a' && l <= 'z';
  }

  private static int word(byte[] b, int i, int end) {
    while (i < end && b[i] != ' ') {
      i++;
    }
    return i;
  }

  private static int spaces(byte[] b, int i, int end) {
    while (i < end && b[i] == ' ') {
      i++;
    }
    return i;
  }

  private static byte[][] values(String[] names) {
    byte[][] out = new byte[names.length][];
    for (int i = 0; i < names.length; i++) {
      out[i] = EntryBuffer.key(names[i]);
    }
    return out;
  }

  static byte[] ascii(String s) {
    return s.getBytes(StandardCharsets.US_ASCII);
  }
}
