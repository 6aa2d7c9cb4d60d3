package io.swak.support;

import java.nio.ByteBuffer;
import java.nio.CharBuffer;
import java.nio.charset.CharsetDecoder;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Joins the lines of one stream into events, the one implementation behind in.FileTail's {@code multiline} and
 * the {@code multiline} step. A line matching {@code start} begins an event; the lines after it are appended with
 * a newline between them — all of them, or with a {@code continuation} pattern only those matching it (a line
 * matching neither ends the event and is an event of its own). The event being joined is held until the next
 * start line, until {@link #flush} (the flush timeout, see {@link #due}), or until it would grow past its bounds.
 * Lines before the first start line are events of their own.
 *
 * <p>Bounds, by {@link Overflow}: {@code TRUNCATE} keeps the first {@code maxBytes} of an event and drops the
 * rest of it (in.FileTail, whose events are bounded by {@code max_line_size}), counted in {@link #truncated};
 * {@code SPLIT} emits the event when the next line would take it past {@code maxBytes} or {@code maxLines}, and
 * that line begins the next one — nothing is lost — counted in {@link #split}. Not thread-safe.
 */
public final class Multiline {

  /** The descriptions of the options that choose the lines, one text for in.FileTail's multiline and the step. */
  public static final String DOC_START = "Regex that matches the first line of an event (found anywhere in the line; "
      + "use ^ to anchor).";
  public static final String DOC_CONTINUATION = "Regex of the lines that continue an event; a line matching neither "
      + "start nor this is an event of its own. Without it every line that is not a start line continues the event.";
  public static final String DOC_PRESET = "Instead of start: java (stack traces with Caused by: and ... N more), "
      + "python (Traceback) or go (panic and goroutine dumps), joined to the log line that reported them.";

  /** Receives the held event when it is complete (UTF-8, lines joined by {@code \n}). */
  @FunctionalInterface
  public interface Events {
    void event(byte[] b, int off, int len);
  }

  /** What to do with an event that reaches its bounds. */
  public enum Overflow { TRUNCATE, SPLIT }

  /** What {@link #line} did with a line. */
  public enum Took {
    /** It begins the event now held (the one held before, if any, was emitted first). */
    STARTED,
    /** It was appended to the held event. */
    APPENDED,
    /** It is an event of its own, for the caller to pass on as it is (a held event was emitted first). */
    ALONE
  }

  private final int maxBytes;
  private final int maxLines;
  private final Overflow overflow;
  private byte[] held = new byte[256];
  private int heldLen;
  private int heldLines;
  private boolean holding;
  private boolean full;
  private long heldMark;
  /** The line as characters for the regexes, decoded into one reused buffer: no String per line. */
  private final Matcher start;
  private final Matcher continuation;
  private final CharsetDecoder utf8 = StandardCharsets.UTF_8.newDecoder()
      .onMalformedInput(CodingErrorAction.REPLACE).onUnmappableCharacter(CodingErrorAction.REPLACE);
  private CharBuffer chars = CharBuffer.allocate(256);
  private long lastLineNanos;
  private long truncated;
  private long split;

  /** Lines after a start line are appended up to {@code maxBytes}, the rest of an event cut off. */
  public Multiline(Pattern start, int maxBytes) {
    this(start, null, maxBytes, Integer.MAX_VALUE, Overflow.TRUNCATE);
  }

  public Multiline(Pattern start, Pattern continuation, int maxBytes, int maxLines, Overflow overflow) {
    if (maxBytes < 1 || maxLines < 1) {
      throw new IllegalArgumentException("maxBytes and maxLines must be at least 1");
    }
    this.start = start.matcher("");
    this.continuation = continuation == null ? null : continuation.matcher("");
    this.maxBytes = maxBytes;
    this.maxLines = maxLines;
    this.overflow = overflow;
  }

  /**
   * The start pattern of a configuration that gives {@code start} or a {@code preset} (not both), with or without
   * a {@code continuation}; throws IllegalArgumentException saying what is missing.
   */
  public static Pattern startPattern(Pattern start, MultilinePreset preset, String where) {
    if (start != null && preset != null) {
      throw new IllegalArgumentException(where + " takes `start` or `preset`, not both");
    }
    if (start == null && preset == null) {
      throw new IllegalArgumentException(where + " needs `start` (a regex of an event's first line) or `preset` "
          + "(java, python or go)");
    }
    return start != null ? start : preset.start();
  }

  /**
   * A complete line in UTF-8; {@code mark} is remembered when it begins an event ({@link #heldMark}: in.FileTail
   * gives the line's file offset). Emits through {@code out} the held event it completes, if any.
   */
  public Took line(byte[] b, int off, int len, long mark, long nowNanos, Events out) {
    lastLineNanos = nowNanos;
    CharBuffer text = decode(b, off, len);
    if (start.reset(text).find()) {
      flush(out);
      return begin(b, off, len, mark, out);
    }
    if (holding && (continuation == null || continuation.reset(text).find())) {
      if (overflow == Overflow.SPLIT && (heldLines >= maxLines || heldLen + 1L + len > maxBytes)) {
        split++;
        flush(out);
        return begin(b, off, len, mark, out);
      }
      append(NEWLINE, 0, 1);
      append(b, off, len);
      heldLines++;
      return Took.APPENDED;
    }
    flush(out);
    return Took.ALONE;
  }

  private Took begin(byte[] b, int off, int len, long mark, Events out) {
    if (overflow == Overflow.SPLIT && len > maxBytes) {
      split++; // a line longer than an event may be: on its own, whole
      return Took.ALONE;
    }
    holding = true;
    heldMark = mark;
    heldLen = 0;
    heldLines = 1;
    full = false;
    append(b, off, len);
    return Took.STARTED;
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
  public void flush(Events out) {
    if (holding) {
      holding = false; // first: out may look at holding()
      out.event(held, 0, heldLen);
      heldLen = 0;
      heldLines = 0;
      full = false;
      if (held.length > (1 << 16)) {
        held = new byte[256];
      }
      if (chars.capacity() > (1 << 16)) {
        chars = CharBuffer.allocate(256);
      }
    }
  }

  public boolean holding() {
    return holding;
  }

  /** The {@code mark} of the held event's first line (in.FileTail: nothing from that offset on is delivered). */
  public long heldMark() {
    return heldMark;
  }

  /** Bytes of the held event. */
  public int heldBytes() {
    return holding ? heldLen : 0;
  }

  /** True when an event is held and no line came for {@code timeoutNanos}. */
  public boolean due(long nowNanos, long timeoutNanos) {
    return holding && nowNanos - lastLineNanos >= timeoutNanos;
  }

  /** Drops the held event (a truncated file is read again from its start). */
  public void reset() {
    holding = false;
    heldLen = 0;
    heldLines = 0;
    full = false;
  }

  /** Events cut at maxBytes since the last call ({@code TRUNCATE}); the count starts again from 0. */
  public long takeTruncated() {
    long n = truncated;
    truncated = 0;
    return n;
  }

  /** Events emitted early because of their bounds since the last call ({@code SPLIT}); starts again from 0. */
  public long takeSplit() {
    long n = split;
    split = 0;
    return n;
  }

  private static final byte[] NEWLINE = {'\n'};

  private void append(byte[] b, int off, int len) {
    if (full) {
      return;
    }
    int take = len;
    if (heldLen + len > maxBytes) {
      full = true;
      truncated++;
      take = utf8Prefix(b, off, len, maxBytes - heldLen);
    }
    if (take <= 0) {
      return;
    }
    if (held.length < heldLen + take) {
      held = Arrays.copyOf(held, Math.max(heldLen + take, (int) Math.min(maxBytes, held.length * 2L)));
    }
    System.arraycopy(b, off, held, heldLen, take);
    heldLen += take;
  }

  /** The longest prefix of at most {@code max} bytes that does not cut a UTF-8 character. */
  public static int utf8Prefix(byte[] b, int off, int len, int max) {
    if (len <= max) {
      return len;
    }
    int n = max;
    // step back over continuation bytes (10xxxxxx) so the cut falls before a character's first byte
    while (n > 0 && (b[off + n] & 0xC0) == 0x80) {
      n--;
    }
    return n;
  }
}
