package io.swak.plugins.parse.format;

import java.nio.charset.StandardCharsets;
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
  private final Matcher matcher;
  private final ByteChars chars = new ByteChars();

  private ByteRegex(String source, byte[] literal, Matcher matcher) {
    this.source = source;
    this.literal = literal;
    this.matcher = matcher;
  }

  public static Setup<ByteRegex> compile(String source) {
    if (source == null || source.isEmpty()) {
      return new Setup.Rejected<>("the regex is empty");
    }
    Setup<RegexPattern> p = RegexPattern.compile(source, false);
    if (p instanceof Setup.Rejected<RegexPattern> r) {
      return new Setup.Rejected<>(r.reason());
    }
    byte[] literal = source.chars().allMatch(c -> c < 0x80 && "\\^$.|?*+()[]{}".indexOf(c) < 0)
        ? source.getBytes(StandardCharsets.US_ASCII) : null;
    return new Setup.Ready<>(new ByteRegex(source, literal, ((Setup.Ready<RegexPattern>) p).value().pattern.matcher("")));
  }

  /** A copy for another thread. */
  public ByteRegex copy() {
    return new ByteRegex(source, literal, matcher.pattern().matcher(""));
  }

  /** Whether the pattern is found in {@code b[off, off+len)}: FOUND, NOT_FOUND or GAVE_UP. */
  public int find(byte[] b, int off, int len) {
    if (literal != null) {
      return indexOf(b, off, len, literal) ? FOUND : NOT_FOUND;
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
