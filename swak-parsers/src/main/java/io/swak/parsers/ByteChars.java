package io.swak.parsers;

/**
 * A CharSequence over a byte range that reads each byte as the char of the same value (ISO-8859-1), so
 * java.util.regex and java.time run on the line without decoding or copying it, and char offsets are byte
 * offsets. UTF-8 text then looks like Latin-1 mojibake to the regex: see {@link RegexPattern} for what
 * that means for patterns. A step budget bounds the work a pathological regex can do on one line.
 */
final class ByteChars implements CharSequence {

  /** Thrown from charAt when a line used up its step budget; caught by the regex parser. */
  static final class BudgetExceeded extends RuntimeException {
    private static final long serialVersionUID = 1L;

    BudgetExceeded() {
      super("regex step budget exceeded", null, false, false);
    }
  }

  private static final BudgetExceeded BUDGET_EXCEEDED = new BudgetExceeded();

  private byte[] b;
  private int off;
  private int len;
  private long steps;

  ByteChars reset(byte[] bytes, int offset, int length, long budget) {
    this.b = bytes;
    this.off = offset;
    this.len = length;
    this.steps = budget;
    return this;
  }

  ByteChars reset(byte[] bytes, int offset, int length) {
    return reset(bytes, offset, length, Long.MAX_VALUE);
  }

  @Override
  public int length() {
    return len;
  }

  @Override
  public char charAt(int index) {
    if (--steps < 0) {
      throw BUDGET_EXCEEDED;
    }
    return (char) (b[off + index] & 0xFF);
  }

  @Override
  public CharSequence subSequence(int start, int end) {
    // rare (group text is read by offsets, not through here): a copy keeps the contract simple
    return new String(b, off + start, end - start, java.nio.charset.StandardCharsets.ISO_8859_1);
  }

  @Override
  public String toString() {
    return new String(b, off, len, java.nio.charset.StandardCharsets.ISO_8859_1);
  }
}
