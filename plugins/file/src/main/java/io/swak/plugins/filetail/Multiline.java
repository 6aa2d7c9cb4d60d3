package io.swak.plugins.filetail;

import java.nio.ByteBuffer;
import java.nio.CharBuffer;
import java.nio.charset.CharsetDecoder;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Joins lines into events: a line matching {@code start} begins an event, the lines after it are
 * appended with a newline between them. The event being joined is held until the next start line, or
 * until {@link #flush} after the flush timeout. Lines before the first start line are events of their
 * own. The file position of a held event's first line is what the checkpoint may reach at most, so a
 * restart reads the held event again instead of losing it.
 */
final class Multiline {

  /** Receives whole events (UTF-8). */
  interface Events {
    void event(byte[] b, int off, int len);
  }

  private final int maxSize;
  private byte[] held = new byte[256];
  private int heldLen;
  private boolean holding;
  private boolean full;
  private long heldStart;
  /** The line as characters for the regex, decoded into one reused buffer: no String per line. */
  private final Matcher matcher;
  private final CharsetDecoder utf8 = StandardCharsets.UTF_8.newDecoder()
      .onMalformedInput(CodingErrorAction.REPLACE).onUnmappableCharacter(CodingErrorAction.REPLACE);
  private CharBuffer chars = CharBuffer.allocate(256);
  private long lastLineNanos;
  long truncatedEvents;

  Multiline(Pattern start, int maxSize) {
    this.maxSize = maxSize;
    this.matcher = start.matcher("");
  }

  /** A complete line in UTF-8 that starts at {@code lineStart} in the file. */
  void line(byte[] b, int off, int len, long lineStart, long nowNanos, Events out) {
    lastLineNanos = nowNanos;
    boolean first = matcher.reset(decode(b, off, len)).find();
    if (first) {
      flush(out);
      holding = true;
      heldStart = lineStart;
      heldLen = 0;
      full = false;
      append(b, off, len);
    } else if (holding) {
      append(NEWLINE, 0, 1);
      append(b, off, len);
    } else {
      out.event(b, off, len);
    }
  }

  private CharBuffer decode(byte[] b, int off, int len) {
    if (chars.capacity() < len) {
      chars = CharBuffer.allocate(Math.max(len, chars.capacity() * 2)); // UTF-8: never more chars than bytes
    }
    chars.clear();
    utf8.reset();
    utf8.decode(ByteBuffer.wrap(b, off, len), chars, true);
    utf8.flush(chars);
    return chars.flip();
  }

  /** Emits the held event, if any. */
  void flush(Events out) {
    if (holding) {
      out.event(held, 0, heldLen);
      holding = false;
      heldLen = 0;
      full = false;
      if (held.length > (1 << 16)) {
        held = new byte[256];
      }
    }
  }

  boolean holding() {
    return holding;
  }

  /** File offset of the held event's first line: nothing from there on is delivered yet. */
  long heldStart() {
    return heldStart;
  }

  /** True when an event is held and no line came for {@code timeoutNanos}. */
  boolean due(long nowNanos, long timeoutNanos) {
    return holding && nowNanos - lastLineNanos >= timeoutNanos;
  }

  /** Drops the held event (the file was truncated: it is read again from the start). */
  void reset() {
    holding = false;
    heldLen = 0;
    full = false;
  }

  private static final byte[] NEWLINE = {'\n'};

  private void append(byte[] b, int off, int len) {
    if (full) {
      return;
    }
    int take = len;
    if (heldLen + len > maxSize) {
      full = true;
      truncatedEvents++;
      take = LineEncoder.utf8Prefix(b, off, len, maxSize - heldLen);
    }
    if (take <= 0) {
      return;
    }
    if (held.length < heldLen + take) {
      held = Arrays.copyOf(held, Math.max(heldLen + take, Math.min(maxSize, held.length * 2)));
    }
    System.arraycopy(b, off, held, heldLen, take);
    heldLen += take;
  }
}
