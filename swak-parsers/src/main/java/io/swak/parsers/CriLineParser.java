package io.swak.parsers;

import java.nio.charset.StandardCharsets;

/**
 * Format {@code cri}: the container runtime log line of containerd and CRI-O,
 * {@code 2016-10-06T00:17:09.669794202Z stdout F message}. Fields as Fluent Bit's cri parser: {@code time}
 * (RFC 3339, ns kept; reported as the event time and, by default, kept as a field too), {@code stream}
 * ({@code stdout} or {@code stderr}, else NO_MATCH), {@code logtag} ({@code F} for a full line, {@code P}
 * for a part that the next lines continue; joining parts is the caller's job) and {@code message}.
 */
public final class CriLineParser implements LineParser {

  static final ParseResult NOT_CRI = ParseResult.noMatch("not TIME STREAM TAG MESSAGE");
  static final ParseResult BAD_STREAM = ParseResult.noMatch("stream is neither stdout nor stderr");

  private static final byte[] TIME = ascii("time");
  private static final byte[] STREAM = ascii("stream");
  private static final byte[] LOGTAG = ascii("logtag");
  private static final byte[] MESSAGE = ascii("message");

  private final FieldConversions conversions;
  private final int timeRole;

  CriLineParser(FieldConversions conversions) {
    this.conversions = conversions;
    this.timeRole = conversions.roleOf("time");
  }

  @Override
  public ParseResult parse(byte[] b, int off, int len, FieldSink sink) {
    int end = off + len;
    int t = space(b, off, end);
    if (t <= off || t == end) {
      return NOT_CRI;
    }
    int s = t + 1;
    int streamEnd = space(b, s, end);
    if (streamEnd == end) {
      return NOT_CRI;
    }
    if (!stream(b, s, streamEnd - s)) {
      return BAD_STREAM;
    }
    int tag = streamEnd + 1;
    int tagEnd = space(b, tag, end);
    conversions.startLine();
    conversions.deliver(sink, timeRole, TIME, 0, TIME.length, b, off, t - off);
    sink.string(STREAM, 0, STREAM.length, b, s, streamEnd - s);
    sink.string(LOGTAG, 0, LOGTAG.length, b, tag, tagEnd - tag);
    int m = Math.min(tagEnd + 1, end);
    sink.string(MESSAGE, 0, MESSAGE.length, b, m, end - m);
    return conversions.finish();
  }

  private static boolean stream(byte[] b, int s, int n) {
    return n == 6 && b[s] == 's' && b[s + 1] == 't' && b[s + 2] == 'd'
        && (b[s + 3] == 'o' && b[s + 4] == 'u' && b[s + 5] == 't'
            || b[s + 3] == 'e' && b[s + 4] == 'r' && b[s + 5] == 'r');
  }

  private static int space(byte[] b, int i, int end) {
    while (i < end && b[i] != ' ') {
      i++;
    }
    return i;
  }

  private static byte[] ascii(String s) {
    return s.getBytes(StandardCharsets.US_ASCII);
  }
}
