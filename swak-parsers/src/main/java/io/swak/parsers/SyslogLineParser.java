package io.swak.parsers;

import java.nio.charset.StandardCharsets;

/**
 * Format {@code syslog}: RFC 5424 and RFC 3164 (BSD) messages, told apart per message by the version
 * digit after the PRI. Fields: {@code pri} (int), {@code facility} and {@code severity} (names:
 * {@code user}, {@code notice}), {@code facility_code} and {@code severity_code} (ints), {@code time},
 * {@code host}, {@code ident} (APP-NAME or the 3164 tag), {@code pid} (string: a 5424 PROCID need not be a
 * number), {@code msgid}, {@code structured_data} (a msgpack map of SD-ID to a map of params) and
 * {@code message}. Fields the message does not have, and 5424's {@code -}, are absent. Bytes are kept as
 * they are (non-UTF-8 included); the BOM that may start a 5424 message is dropped.
 *
 * <p>The time is read as RFC 3339 when it looks like one and as {@code %b %e %H:%M:%S(.frac)} otherwise
 * (in {@code time_zone}, the year guessed from the clock: this year, or last year for a date more than
 * a week ahead), unless {@code time_format} says. What rsyslog and {@code logger} send is tolerated: no
 * PRI (a line of /var/log/syslog), no hostname ({@code logger} to /dev/log: {@code <13>Oct 11 22:14:15
 * app[1]: msg}), RFC 3339 times in 3164, fractional BSD seconds, runs of spaces, and a 5424 message
 * without its STRUCTURED-DATA.
 */
public final class SyslogLineParser implements LineParser {

  static final ParseResult EMPTY = ParseResult.noMatch("empty line");
  static final ParseResult NOT_SYSLOG = ParseResult.noMatch("neither a PRI nor a timestamp");
  static final ParseResult BAD_PRI = ParseResult.malformed("PRI is not <0> to <191>");
  static final ParseResult SHORT_HEADER = ParseResult.malformed("RFC 5424 header cut short");

  private static final byte[] PRI = ascii("pri");
  private static final byte[] FACILITY = ascii("facility");
  private static final byte[] SEVERITY = ascii("severity");
  private static final byte[] FACILITY_CODE = ascii("facility_code");
  private static final byte[] SEVERITY_CODE = ascii("severity_code");
  private static final byte[] TIME = ascii("time");
  private static final byte[] HOST = ascii("host");
  private static final byte[] IDENT = ascii("ident");
  private static final byte[] PID = ascii("pid");
  private static final byte[] MSGID = ascii("msgid");
  private static final byte[] STRUCTURED_DATA = ascii("structured_data");
  private static final byte[] MESSAGE = ascii("message");
  private static final byte[][] HEADER_5424 = {TIME, HOST, IDENT, PID, MSGID};

  private final FieldConversions conversions;
  /** the time_format the options gave, else null: then one of the two below per message */
  private final TimeParser configuredTime;
  private final TimeParser rfc3339Time;
  private final TimeParser bsdTime;
  private final StructuredData structuredData = new StructuredData();

  SyslogLineParser(FieldConversions conversions, TimeParser configuredTime, TimeParser rfc3339Time,
      TimeParser bsdTime) {
    this.conversions = conversions;
    this.configuredTime = configuredTime;
    this.rfc3339Time = rfc3339Time;
    this.bsdTime = bsdTime;
  }

  @Override
  public ParseResult parse(byte[] b, int off, int len, FieldSink sink) {
    int end = off + len;
    while (end > off && (b[end - 1] == '\n' || b[end - 1] == '\r')) {
      end--;
    }
    if (end == off) {
      return EMPTY;
    }
    conversions.startLine();
    int i = off;
    boolean hasPri = b[i] == '<';
    if (hasPri) {
      int pri = 0;
      int digits = 0;
      i++;
      while (i < end && NumberText.isDigit(b[i]) && digits < 4) {
        pri = pri * 10 + (b[i++] - '0');
        digits++;
      }
      if (digits == 0 || digits > 3 || i == end || b[i] != '>' || pri > 191) {
        return BAD_PRI;
      }
      i++;
      pri(sink, pri);
      if (isVersion(b, i, end)) {
        return rfc5424(b, i, end, sink);
      }
    }
    return rfc3164(b, i, end, sink, hasPri);
  }

  private static void pri(FieldSink sink, int pri) {
    int facility = pri >> 3;
    int severity = pri & 7;
    sink.integer(PRI, 0, PRI.length, pri);
    sink.string(FACILITY, 0, FACILITY.length, SyslogNames.FACILITIES[facility], 0,
        SyslogNames.FACILITIES[facility].length);
    sink.string(SEVERITY, 0, SEVERITY.length, SyslogNames.SEVERITIES[severity], 0,
        SyslogNames.SEVERITIES[severity].length);
    sink.integer(FACILITY_CODE, 0, FACILITY_CODE.length, facility);
    sink.integer(SEVERITY_CODE, 0, SEVERITY_CODE.length, severity);
  }

  /** A 5424 VERSION: one to three digits, not 0, then a space (a 3164 RFC 3339 time has a '-' there). */
  private static boolean isVersion(byte[] b, int i, int end) {
    int start = i;
    while (i < end && NumberText.isDigit(b[i]) && i - start < 3) {
      i++;
    }
    return i > start && b[start] != '0' && i < end && b[i] == ' ';
  }

  // ---- RFC 5424: <PRI>VERSION TIMESTAMP HOSTNAME APP-NAME PROCID MSGID SD [MSG]

  private ParseResult rfc5424(byte[] b, int i, int end, FieldSink sink) {
    i = skipWord(b, i, end); // the version
    for (byte[] key : HEADER_5424) {
      i = skipSpaces(b, i, end);
      if (i == end) {
        return SHORT_HEADER;
      }
      int s = i;
      i = skipWord(b, i, end);
      if (i - s == 1 && b[s] == '-') {
        continue;
      }
      if (key == TIME) {
        time(sink, configuredTime != null ? configuredTime : rfc3339Time, b, s, i - s);
      } else {
        sink.string(key, 0, key.length, b, s, i - s);
      }
    }
    if (i < end) {
      i++; // the space after MSGID
    }
    if (i < end && b[i] == '-' && (i + 1 == end || b[i + 1] == ' ')) {
      i++;
    } else if (i < end && b[i] == '[' && structuredData.read(b, i, end)) {
      MsgpackWriter sd = structuredData.encoded();
      sink.msgpack(STRUCTURED_DATA, 0, STRUCTURED_DATA.length, sd.bytes(), 0, sd.length());
      i = structuredData.end;
    } // else: no STRUCTURED-DATA at all, the message follows MSGID (seen from some senders)
    if (i < end && b[i] == ' ') {
      i++;
    }
    if (i + 3 <= end && b[i] == (byte) 0xEF && b[i + 1] == (byte) 0xBB && b[i + 2] == (byte) 0xBF) {
      i += 3;
    }
    if (i < end) {
      sink.string(MESSAGE, 0, MESSAGE.length, b, i, end - i);
    }
    return conversions.finish();
  }

  // ---- RFC 3164: [<PRI>]TIMESTAMP [HOST] TAG[PID]: MSG, as loosely as senders write it

  private ParseResult rfc3164(byte[] b, int i, int end, FieldSink sink, boolean hasPri) {
    int timeEnd = bsdTimestampEnd(b, i, end);
    if (timeEnd < 0) {
      timeEnd = rfc3339End(b, i, end);
    }
    if (timeEnd < 0) {
      if (!hasPri) {
        return NOT_SYSLOG;
      }
      sink.string(MESSAGE, 0, MESSAGE.length, b, i, end - i); // RFC 3164 4.3.3: all of it is MSG
      return conversions.finish();
    }
    boolean bsd = !NumberText.isDigit(b[i]);
    time(sink, configuredTime != null ? configuredTime : bsd ? bsdTime : rfc3339Time, b, i, timeEnd - i);
    if (timeEnd < end && b[timeEnd] == ':') {
      timeEnd++; // Cisco: "Oct 11 22:14:15.123: %SYS-5-CONFIG_I: ..."
    }
    i = skipSpaces(b, timeEnd, end);
    if (i == end) {
      return conversions.finish();
    }
    int wordEnd = skipWord(b, i, end);
    if (!looksLikeTag(b, i, wordEnd)) {
      sink.string(HOST, 0, HOST.length, b, i, wordEnd - i);
      i = skipSpaces(b, wordEnd, end);
    }
    i = tag(b, i, end, sink);
    if (i < end) {
      sink.string(MESSAGE, 0, MESSAGE.length, b, i, end - i);
    }
    return conversions.finish();
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
  private static int tag(byte[] b, int i, int end, FieldSink sink) {
    int s = i;
    while (i < end && b[i] != ' ' && b[i] != '[' && b[i] != ':') {
      i++;
    }
    int identEnd = i;
    int pidStart = -1;
    int pidEnd = -1;
    if (i < end && b[i] == '[') {
      pidStart = i + 1;
      int close = pidStart;
      while (close < end && b[close] != ']' && b[close] != ' ') {
        close++;
      }
      if (close < end && b[close] == ']') {
        pidEnd = close;
        i = close + 1;
      } else {
        pidStart = -1;
      }
    }
    boolean colon = i < end && b[i] == ':';
    if (!colon && pidEnd < 0) {
      return s; // no tag: the word belongs to the message
    }
    if (identEnd > s) {
      sink.string(IDENT, 0, IDENT.length, b, s, identEnd - s);
    }
    if (pidEnd >= 0) {
      sink.string(PID, 0, PID.length, b, pidStart, pidEnd - pidStart);
    }
    if (colon) {
      i++;
    }
    if (i < end && b[i] == ' ') {
      i++;
    }
    return i;
  }

  /** The end of {@code Mmm dd hh:mm:ss} (day space-padded or not, optional fraction), or -1. */
  private static int bsdTimestampEnd(byte[] b, int i, int end) {
    if (i + 15 > end || !letter(b[i]) || !letter(b[i + 1]) || !letter(b[i + 2]) || b[i + 3] != ' ') {
      return -1;
    }
    int j = i + 4;
    if (b[j] == ' ') {
      j++;
    }
    int dayStart = j;
    while (j < end && NumberText.isDigit(b[j]) && j - dayStart < 2) {
      j++;
    }
    if (j == dayStart || j + 9 > end || b[j] != ' ') {
      return -1;
    }
    j++;
    if (Rfc3339Time.two(b, j) < 0 || b[j + 2] != ':' || Rfc3339Time.two(b, j + 3) < 0 || b[j + 5] != ':'
        || Rfc3339Time.two(b, j + 6) < 0) {
      return -1;
    }
    j += 8;
    if (j + 1 < end && (b[j] == '.' || b[j] == ',') && NumberText.isDigit(b[j + 1])) {
      j++;
      while (j < end && NumberText.isDigit(b[j])) {
        j++;
      }
    }
    return j == end || b[j] == ' ' || b[j] == ':' ? j : -1;
  }

  /** The end of an RFC 3339 word ({@code 2003-10-11T22:14:15.003Z}), or -1. */
  private static int rfc3339End(byte[] b, int i, int end) {
    if (i + 19 > end || !NumberText.isDigit(b[i]) || b[i + 4] != '-' || b[i + 7] != '-'
        || (b[i + 10] != 'T' && b[i + 10] != 't')) {
      return -1;
    }
    return skipWord(b, i, end);
  }

  private void time(FieldSink sink, TimeParser parser, byte[] b, int s, int n) {
    if (conversions.hasTime()) {
      conversions.time(sink, parser, TIME, 0, TIME.length, b, s, n);
    } else {
      sink.string(TIME, 0, TIME.length, b, s, n);
    }
  }

  private static boolean letter(byte c) {
    int l = c | 0x20;
    return l >= 'a' && l <= 'z';
  }

  private static int skipWord(byte[] b, int i, int end) {
    while (i < end && b[i] != ' ') {
      i++;
    }
    return i;
  }

  private static int skipSpaces(byte[] b, int i, int end) {
    while (i < end && b[i] == ' ') {
      i++;
    }
    return i;
  }

  private static byte[] ascii(String s) {
    return s.getBytes(StandardCharsets.US_ASCII);
  }
}
