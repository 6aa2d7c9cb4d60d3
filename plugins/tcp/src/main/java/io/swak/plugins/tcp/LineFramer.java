package io.swak.plugins.tcp;

import io.swak.support.Swar;
import java.io.IOException;

/**
 * Newline-terminated lines ({@code \r\n} too). A line longer than the limit is cut at the limit (at a
 * character boundary) or skipped, counted either way, and the rest of it up to its newline is dropped as
 * it comes, so it never fills memory; the lines around it are not touched. Empty lines are skipped.
 */
final class LineFramer extends Framer {

  /** What becomes of each line. */
  interface Lines {
    void line(byte[] b, int off, int end);
  }

  private static final long NEWLINES = Swar.every('\n');

  private final Lines lines;
  private final boolean skipLong;
  /** Bytes of the unfinished line looked at already (no newline among them). */
  private int scanned;
  /** In the middle of a line over the limit: its rest, up to the newline, is dropped. */
  private boolean discarding;
  long longLines;

  LineFramer(Sink sink, int maxLine, boolean skipLong, Lines lines) {
    super(sink, maxLine);
    this.lines = lines;
    this.skipLong = skipLong;
  }

  @Override
  int units(byte[] b, int p, int e) {
    int from = p + scanned;
    while (true) {
      int nl = newline(b, from, e);
      if (nl < 0) {
        if (discarding) {
          scanned = 0;
          return e;
        }
        if (e - p > maxUnit) {
          tooLong(b, p);
          discarding = true;
          scanned = 0;
          return e;
        }
        scanned = e - p;
        return p;
      }
      scanned = 0;
      if (discarding) {
        discarding = false;
      } else if (nl - p > maxUnit) {
        tooLong(b, p);
      } else {
        int end = nl > p && b[nl - 1] == '\r' ? nl - 1 : nl;
        if (end > p) {
          lines.line(b, p, end);
        }
      }
      p = nl + 1;
      from = p;
      if (!sink.flushIfFull()) {
        stopped = true;
        return p;
      }
    }
  }

  @Override
  int completes(byte[] b, int p, int e) {
    int nl = newline(b, p, e);
    return nl < 0 ? -1 : nl - p + 1;
  }

  private void tooLong(byte[] b, int p) {
    longLines++;
    if (!skipLong) {
      int n = utf8Prefix(b, p, maxUnit);
      lines.line(b, p, p + n);
    }
  }

  @Override
  void end() throws IOException {
    if (own != null && !discarding && end > start) {
      int e = end;
      if (b(e - 1) == '\r') {
        e--;
      }
      if (e > start) {
        lines.line(own, start, e);
      }
    }
    super.end();
  }

  private byte b(int i) {
    return own[i];
  }

  /** Index of the first newline in {@code b[p, e)}, or -1; eight bytes at a time. */
  static int newline(byte[] b, int p, int e) {
    while (p + 8 <= e) {
      long marks = Swar.zeroBytes(Swar.word(b, p) ^ NEWLINES);
      if (marks != 0) {
        return p + Swar.first(marks);
      }
      p += 8;
    }
    for (; p < e; p++) {
      if (b[p] == '\n') {
        return p;
      }
    }
    return -1;
  }

  /** The longest prefix of at most {@code max} bytes that does not cut a UTF-8 character. */
  static int utf8Prefix(byte[] b, int off, int max) {
    int n = max;
    while (n > 0 && (b[off + n] & 0xC0) == 0x80) {
      n--;
    }
    return n;
  }
}
