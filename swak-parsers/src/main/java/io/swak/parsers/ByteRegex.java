package io.swak.parsers;

import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.regex.Matcher;

/**
 * A regex searched in a byte range without decoding it (the rules of {@link RegexPattern}), for steps that only
 * ask whether a field matches (grep). A pattern without regex syntax is searched as plain bytes. One instance per
 * thread: it keeps its matcher.
 */
public final class ByteRegex {

  /** {@link #find}: the pattern is in the text. */
  public static final int FOUND = 1;
  /** {@link #find}: it is not. */
  public static final int NOT_FOUND = 0;
  /** {@link #find}: the regex backtracked past its budget (or the stack) on this text: no answer. */
  public static final int GAVE_UP = -1;

  private static final long STEPS_PER_BYTE = 1000;
  private static final long STEPS_FLOOR = 1_000_000;
  private static final byte[] NOTHING = new byte[0];

  private final String source;
  /** The pattern's bytes when it is a plain literal, else null. */
  private final byte[] literal;
  /** For {@code ^(a|b|c)$} of plain literals: the alternatives, compared whole; else null. */
  private final byte[][] exact;
  private final Matcher matcher;
  private final ByteChars chars = new ByteChars();

  private ByteRegex(String source, byte[] literal, byte[][] exact, Matcher matcher) {
    this.source = source;
    this.literal = literal;
    this.exact = exact;
    this.matcher = matcher;
  }

  private static final java.util.regex.Pattern ANCHORED_ALTERNATIVES =
      java.util.regex.Pattern.compile("\\^(?:\\((?:\\?:)?([^()]*)\\)|([^()|]*))\\$");

  /** The alternatives of a whole-value match of plain literals ({@code ^(ERROR|WARN)$}), or null. */
  private static byte[][] exactAlternatives(String source) {
    Matcher m = ANCHORED_ALTERNATIVES.matcher(source);
    if (!m.matches()) {
      return null;
    }
    String body = m.group(1) != null ? m.group(1) : m.group(2);
    String[] alts = body.split("\\|", -1);
    byte[][] out = new byte[alts.length][];
    for (int i = 0; i < alts.length; i++) {
      if (!plain(alts[i])) {
        return null;
      }
      out[i] = alts[i].getBytes(StandardCharsets.US_ASCII);
    }
    return out;
  }

  private static boolean plain(String s) {
    return s.chars().allMatch(c -> c < 0x80 && "\\^$.|?*+()[]{}".indexOf(c) < 0);
  }

  public static Setup<ByteRegex> compile(String source) {
    if (source == null || source.isEmpty()) {
      return new Setup.Rejected<>("the regex is empty");
    }
    Setup<RegexPattern> p = RegexPattern.compile(source, false);
    if (p instanceof Setup.Rejected<RegexPattern> r) {
      return new Setup.Rejected<>(r.reason());
    }
    byte[] literal = plain(source) ? source.getBytes(StandardCharsets.US_ASCII) : null;
    return new Setup.Ready<>(new ByteRegex(source, literal, exactAlternatives(source),
        ((Setup.Ready<RegexPattern>) p).value().pattern.matcher("")));
  }

  /** A copy for another thread. */
  public ByteRegex copy() {
    return new ByteRegex(source, literal, exact, matcher.pattern().matcher(""));
  }

  /** Whether the pattern is found in {@code b[off, off+len)}: FOUND, NOT_FOUND or GAVE_UP. */
  public int find(byte[] b, int off, int len) {
    if (literal != null) {
      return indexOf(b, off, len, literal) ? FOUND : NOT_FOUND;
    }
    if (exact != null) {
      return exactMatch(b, off, len) ? FOUND : NOT_FOUND;
    }
    try {
      matcher.reset(chars.reset(b, off, len, STEPS_FLOOR + STEPS_PER_BYTE * len));
      return matcher.find() ? FOUND : NOT_FOUND;
    } catch (ByteChars.BudgetExceeded | StackOverflowError e) {
      return GAVE_UP;
    } finally {
      chars.reset(NOTHING, 0, 0);
    }
  }

  /** As java.util.regex's {@code $}: the value, or the value and one line terminator (a byte view: 0x85 too). */
  private boolean exactMatch(byte[] b, int off, int len) {
    int end = off + len;
    int bare = len;
    if (len > 0) {
      byte last = b[end - 1];
      if (last == '\n') {
        bare = len >= 2 && b[end - 2] == '\r' ? len - 2 : len - 1;
      } else if (last == '\r' || last == (byte) 0x85) {
        bare = len - 1;
      }
    }
    for (byte[] alt : exact) {
      if ((alt.length == len || alt.length == bare) && Arrays.equals(b, off, off + alt.length, alt, 0, alt.length)) {
        return true;
      }
    }
    return false;
  }

  private static boolean indexOf(byte[] b, int off, int len, byte[] lit) {
    int n = lit.length;
    if (n == 0) {
      return true;
    }
    byte first = lit[0];
    int last = off + len - n;
    outer:
    for (int i = off; i <= last; i++) {
      if (b[i] != first) {
        continue;
      }
      for (int j = 1; j < n; j++) {
        if (b[i + j] != lit[j]) {
          continue outer;
        }
      }
      return true;
    }
    return false;
  }

  @Override
  public String toString() {
    return source;
  }
}
