package io.swak.plugins.filetail;

import io.swak.support.Multiline;
import io.swak.support.Swar;
import java.util.Arrays;

/**
 * Cuts the bytes of one file into lines. Works on blocks read into a byte array: the newline scan runs
 * over the array and each complete line is handed on as a slice of it, so no String or copy is made
 * per line. A line without its newline yet is not handed on; its start is where the next read begins.
 *
 * <p>A line longer than the read block is collected in a side buffer that never grows past
 * {@code maxLineSize}; the excess is dropped (truncate) or the whole line is dropped (skip). Either
 * way the position moves past the line, so a long line never stops the file. A line's start is reported
 * as its file offset.
 */
final class LineSplitter {

  /** Receives complete lines. */
  interface Sink {
    /** A line's bytes (without its newline) and the file offset where it starts. */
    void line(byte[] b, int off, int len, long start);
  }

  private final byte[] newline;
  private final byte[] cr;
  private final int unit;
  private final int maxLineSize;
  private final boolean truncate;
  private final boolean utf8;

  private long lineStart;
  private long readPos;
  private boolean longLine;
  private byte[] collected = new byte[0];
  private int collectedLen;
  private boolean overLimit;

  long truncatedLines;
  long skippedLines;
  long lastLongLineAt = -1;

  LineSplitter(byte[] newline, byte[] cr, int maxLineSize, boolean truncate, boolean utf8) {
    this.newline = newline;
    this.cr = cr;
    this.unit = newline.length;
    this.maxLineSize = maxLineSize;
    this.truncate = truncate;
    this.utf8 = utf8;
  }

  /** Offset of the first byte not yet handed on as part of a line. */
  long lineStart() {
    return lineStart;
  }

  /** Offset where the next block should be read. */
  long readPosition() {
    return readPos;
  }

  /** Starts over at {@code position} (a checkpoint, or 0 after a truncation). */
  void reset(long position) {
    lineStart = position;
    readPos = position;
    endLongLine();
  }

  /** Feeds {@code n} bytes that were read at {@link #readPosition()} into a block of all of {@code buf}. */
  void feed(byte[] buf, int n, Sink sink) {
    feed(buf, n, buf.length, sink);
  }

  /** Feeds {@code n} bytes read at {@link #readPosition()} by a read of at most {@code block} bytes. */
  void feed(byte[] buf, int n, int block, Sink sink) {
    if (n <= 0) {
      return;
    }
    if (longLine) {
      feedLong(buf, n, sink);
      return;
    }
    int s = 0;
    if (unit == 1) {
      s = scanBytes(buf, n, sink);
    } else {
      for (int i = 0; i + unit <= n; i += unit) {
        if (isNewline(buf, i)) {
          emit(buf, s, i, sink);
          s = i + unit;
        }
      }
    }
    lineStart += s;
    readPos = lineStart;
    if (s == 0 && n == block) {
      // a whole block without a newline: the line is longer than the block
      longLine = true;
      collectedLen = 0;
      overLimit = false;
      collect(buf, 0, n);
      readPos = lineStart + n;
    }
  }

  /**
   * The one-byte newline scan, eight bytes at a time ({@link Swar}): XOR with the newline in every byte
   * turns newlines into zero bytes, and the lowest marked zero byte is the next newline.
   */
  private int scanBytes(byte[] buf, int n, Sink sink) {
    byte nl = newline[0];
    long pattern = Swar.every(nl);
    int s = 0;
    int i = 0;
    while (i <= n - 8) {
      long marks = Swar.zeroBytes(Swar.word(buf, i) ^ pattern);
      if (marks == 0) {
        i += 8;
      } else {
        int at = i + Swar.first(marks);
        emit(buf, s, at, sink);
        s = at + 1;
        i = s;
      }
    }
    for (; i < n; i++) {
      if (buf[i] == nl) {
        emit(buf, s, i, sink);
        s = i + 1;
      }
    }
    return s;
  }

  private void feedLong(byte[] buf, int n, Sink sink) {
    int misaligned = (int) ((readPos - lineStart) % unit);
    int first = misaligned == 0 ? 0 : unit - misaligned;
    for (int i = first; i + unit <= n; i += unit) {
      if (isNewline(buf, i)) {
        collect(buf, 0, i);
        long start = lineStart;
        long end = readPos + i + unit;
        int len = collectedLen;
        if (!overLimit && endsWithCr(collected, 0, len)) {
          len -= unit;
        }
        if (overLimit) {
          countLong(start);
          if (truncate) {
            int cut = utf8 ? Multiline.utf8Prefix(collected, 0, len, maxLineSize) : Math.min(len, maxLineSize);
            sink.line(collected, 0, cut, start);
          }
        } else {
          sink.line(collected, 0, len, start);
        }
        lineStart = end;
        readPos = end;
        endLongLine();
        return; // the rest of this block is read again from the new line start
      }
    }
    collect(buf, 0, n);
    readPos += n;
  }

  private void emit(byte[] buf, int s, int e, Sink sink) {
    long start = lineStart + s;
    int len = e - s;
    if (endsWithCr(buf, s, len)) {
      len -= unit;
    }
    if (len > maxLineSize) {
      countLong(start);
      if (!truncate) {
        return;
      }
      len = utf8 ? Multiline.utf8Prefix(buf, s, len, maxLineSize) : maxLineSize;
    }
    sink.line(buf, s, len, start);
  }

  private void countLong(long start) {
    if (truncate) {
      truncatedLines++;
    } else {
      skippedLines++;
    }
    lastLongLineAt = start;
  }

  private void collect(byte[] buf, int off, int len) {
    int room = maxLineSize + unit - collectedLen; // one unit more, so "exactly max + CR" is not over
    int take = Math.min(len, Math.max(0, room));
    if (take < len) {
      overLimit = true;
    }
    if (take > 0) {
      if (collected.length < collectedLen + take) {
        int cap = (int) Math.min((long) maxLineSize + unit, Math.max(collectedLen + (long) take, collected.length * 2L));
        collected = Arrays.copyOf(collected, cap);
      }
      System.arraycopy(buf, off, collected, collectedLen, take);
      collectedLen += take;
    }
    if (collectedLen > maxLineSize && !endsWithCr(collected, 0, collectedLen)) {
      overLimit = true;
    }
  }

  private void endLongLine() {
    longLine = false;
    collectedLen = 0;
    overLimit = false;
    if (collected.length > (1 << 16)) {
      collected = new byte[0]; // give a huge line's memory back
    }
  }

  private boolean isNewline(byte[] b, int i) {
    for (int k = 0; k < unit; k++) {
      if (b[i + k] != newline[k]) {
        return false;
      }
    }
    return true;
  }

  private boolean endsWithCr(byte[] b, int off, int len) {
    if (len < unit) {
      return false;
    }
    for (int k = 0; k < unit; k++) {
      if (b[off + len - unit + k] != cr[k]) {
        return false;
      }
    }
    return true;
  }
}
