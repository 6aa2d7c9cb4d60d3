package io.swak.parsers;

import java.nio.charset.StandardCharsets;

/**
 * Formats {@code apache} and {@code nginx}: the combined log format
 * {@code remote - user [time] "method path protocol" status size "referer" "agent"}, and the common one
 * (which ends after the size). A hand-written scanner, several times faster than the equivalent regex
 * (JMH AccessLogBench).
 *
 * <p>Fields as Fluent Bit's parsers.conf names them. {@code nginx}: remote, host (the second column, the
 * identd name, nearly always {@code -}), user, time, method, path, code, size, referer, agent.
 * {@code apache}: host, user, time, method, path, code, size, referer, agent (the identd column is
 * dropped). The protocol is dropped as in those regexes. {@code code} and {@code size} are integers;
 * {@code -} in user, host, size, referer and agent is nil (the field is there, its value is not), as in
 * Fluentd's apache2 parser. {@code time} is read with {@code %d/%b/%Y:%H:%M:%S %z} unless the options
 * say otherwise. Quoted fields may hold {@code \"}, taken as is (no unescaping, like the regexes); text
 * after the agent (custom formats that append fields) is ignored.
 */
public final class AccessLogLineParser implements LineParser {

  public enum Layout {
    /** first column "host", identd dropped */
    APACHE,
    /** first column "remote", identd as "host" */
    NGINX
  }

  static final String DEFAULT_TIME_FORMAT = "%d/%b/%Y:%H:%M:%S %z";

  static final ParseResult EMPTY = ParseResult.noMatch("empty line");
  static final ParseResult NO_SPACE = ParseResult.noMatch("expected a space between columns");
  static final ParseResult NO_TIME = ParseResult.noMatch("expected [time]");
  static final ParseResult NO_REQUEST = ParseResult.noMatch("expected a quoted request");
  static final ParseResult NO_QUOTE = ParseResult.noMatch("expected a quoted referer and agent");
  static final ParseResult CUT = ParseResult.malformed("line ends inside a field");

  private static final byte[] REMOTE = bytes("remote");
  private static final byte[] HOST = bytes("host");
  private static final byte[] USER = bytes("user");
  private static final byte[] TIME = bytes("time");
  private static final byte[] METHOD = bytes("method");
  private static final byte[] PATH = bytes("path");
  private static final byte[] CODE = bytes("code");
  private static final byte[] SIZE = bytes("size");
  private static final byte[] REFERER = bytes("referer");
  private static final byte[] AGENT = bytes("agent");

  private final Layout layout;
  private final FieldConversions conversions;
  private final int timeRole;
  private final NumberText numbers = new NumberText();

  AccessLogLineParser(Layout layout, FieldConversions conversions) {
    this.layout = layout;
    this.conversions = conversions;
    this.timeRole = conversions.roleOf("time");
  }

  @Override
  public ParseResult parse(byte[] b, int off, int len, FieldSink sink) {
    int end = off + len;
    if (len == 0) {
      return EMPTY;
    }
    conversions.startLine();
    int i = off;
    int s = i;
    i = word(b, i, end);
    if (i == end) {
      return CUT;
    }
    if (i == s || b[i] != ' ') {
      return NO_SPACE;
    }
    byte[] firstKey = layout == Layout.NGINX ? REMOTE : HOST;
    sink.string(firstKey, 0, firstKey.length, b, s, i - s);
    s = ++i;
    i = word(b, i, end);
    if (i == end) {
      return CUT;
    }
    if (layout == Layout.NGINX) {
      dashIsNil(sink, HOST, b, s, i - s);
    }
    s = ++i;
    i = word(b, i, end);
    if (i == end) {
      return CUT;
    }
    dashIsNil(sink, USER, b, s, i - s);
    if (++i >= end || b[i] != '[') {
      return i >= end ? CUT : NO_TIME;
    }
    s = ++i;
    while (i < end && b[i] != ']') {
      i++;
    }
    if (i == end) {
      return CUT;
    }
    conversions.deliver(sink, timeRole, TIME, 0, TIME.length, b, s, i - s);
    i++;
    if (i + 1 >= end) {
      return CUT;
    }
    if (b[i] != ' ' || b[i + 1] != '"') {
      return NO_REQUEST;
    }
    s = i + 2;
    i = quoted(b, s, end);
    if (i == end) {
      return CUT;
    }
    request(sink, b, s, i);
    i++;
    if (i >= end || b[i] != ' ') {
      return i >= end ? CUT : NO_SPACE;
    }
    s = ++i;
    i = word(b, i, end);
    if (i == end) {
      return CUT;
    }
    number(sink, CODE, b, s, i - s);
    s = ++i;
    i = word(b, i, end);
    if (i == s) {
      return i == end ? CUT : NO_SPACE;
    }
    number(sink, SIZE, b, s, i - s);
    if (i == end) {
      return conversions.finish(); // common log format
    }
    if (i + 1 >= end || b[i + 1] != '"') {
      return NO_QUOTE;
    }
    s = i + 2;
    i = quoted(b, s, end);
    if (i == end) {
      return CUT;
    }
    dashIsNil(sink, REFERER, b, s, i - s);
    i++;
    if (i + 1 >= end || b[i] != ' ' || b[i + 1] != '"') {
      return i + 1 >= end ? CUT : NO_QUOTE;
    }
    s = i + 2;
    i = quoted(b, s, end);
    if (i == end) {
      return CUT;
    }
    dashIsNil(sink, AGENT, b, s, i - s);
    return conversions.finish();
  }

  /** The method and the path of {@code METHOD PATH PROTOCOL}; the path keeps inner spaces. */
  private static void request(FieldSink sink, byte[] b, int s, int e) {
    int i = s;
    while (i < e && b[i] != ' ') {
      i++;
    }
    if (i == s) {
      return;
    }
    sink.string(METHOD, 0, METHOD.length, b, s, i - s);
    while (i < e && b[i] == ' ') {
      i++;
    }
    if (i == e) {
      return;
    }
    int pathStart = i;
    int last = e;
    while (last > pathStart && b[last - 1] == ' ') {
      last--;
    }
    int space = last - 1;
    while (space > pathStart && b[space] != ' ') {
      space--;
    }
    int pathEnd = last;
    if (space > pathStart) {
      pathEnd = space;
      while (pathEnd > pathStart && b[pathEnd - 1] == ' ') {
        pathEnd--;
      }
    }
    sink.string(PATH, 0, PATH.length, b, pathStart, pathEnd - pathStart);
  }

  private void number(FieldSink sink, byte[] key, byte[] b, int s, int n) {
    if (n == 1 && b[s] == '-') {
      sink.nil(key, 0, key.length);
    } else if (numbers.read(b, s, n, false) == NumberText.INTEGER) {
      sink.integer(key, 0, key.length, numbers.integer);
    } else {
      sink.string(key, 0, key.length, b, s, n);
    }
  }

  private static void dashIsNil(FieldSink sink, byte[] key, byte[] b, int s, int n) {
    if (n == 1 && b[s] == '-') {
      sink.nil(key, 0, key.length);
    } else {
      sink.string(key, 0, key.length, b, s, n);
    }
  }

  /** The end of the word at i: the next space, or end. */
  private static int word(byte[] b, int i, int end) {
    while (i < end && b[i] != ' ') {
      i++;
    }
    return i;
  }

  /** The closing quote of a quoted field starting at i (after its opening quote), or end. */
  private static int quoted(byte[] b, int i, int end) {
    while (i < end) {
      byte c = b[i];
      if (c == '"') {
        return i;
      }
      i += c == '\\' ? 2 : 1;
    }
    return end;
  }

  private static byte[] bytes(String s) {
    return s.getBytes(StandardCharsets.US_ASCII);
  }
}
