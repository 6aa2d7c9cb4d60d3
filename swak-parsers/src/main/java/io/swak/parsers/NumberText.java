package io.swak.parsers;

import java.nio.charset.StandardCharsets;

/**
 * Reads a decimal number from bytes without building a String in the common cases. A reader holds the
 * last value it read, so one instance serves one parser.
 */
final class NumberText {

  static final int NOT_A_NUMBER = 0;
  static final int INTEGER = 1;
  static final int REAL = 2;
  /** an integer that does not fit a long: the parsers report its digits as a string, exactly */
  static final int BIG_INTEGER = 3;

  private static final double[] POW10 = new double[23];

  static {
    double p = 1;
    for (int i = 0; i < POW10.length; i++) {
      POW10[i] = p;
      p *= 10;
    }
  }

  long integer;
  double real;

  /**
   * JSON number syntax: {@code -?digits(.digits)?([eE][+-]?digits)?}; with {@code lenient} (values
   * converted by {@code types}) a leading {@code +} is allowed as well.
   */
  int read(byte[] b, int off, int len, boolean lenient) {
    int end = off + len;
    int i = off;
    if (i == end) {
      return NOT_A_NUMBER;
    }
    boolean negative = b[i] == '-';
    if (negative || lenient && b[i] == '+') {
      i++;
    }
    int intStart = i;
    long mantissa = 0;
    int digits = 0; // significant digits folded into mantissa
    boolean overflow = false;
    while (i < end && isDigit(b[i])) {
      int d = b[i] - '0';
      if (digits < 18) {
        mantissa = mantissa * 10 + d;
        if (mantissa != 0) {
          digits++;
        }
      } else {
        overflow = true;
      }
      i++;
    }
    int intDigits = i - intStart;
    if (intDigits == 0) {
      return NOT_A_NUMBER;
    }
    if (i == end) {
      return integerOf(b, off, len, intStart, end, negative, mantissa, overflow);
    }
    int exp10 = 0; // only used while the digits fit the mantissa; past that, Double.parseDouble
    if (b[i] == '.') {
      i++;
      int fracStart = i;
      while (i < end && isDigit(b[i])) {
        if (digits < 18) {
          mantissa = mantissa * 10 + (b[i] - '0');
          if (mantissa != 0) {
            digits++;
          }
          exp10--;
        } else {
          overflow = true;
        }
        i++;
      }
      if (i == fracStart) {
        return NOT_A_NUMBER;
      }
    }
    if (i < end && (b[i] | 0x20) == 'e') {
      i++;
      boolean expNegative = false;
      if (i < end && (b[i] == '+' || b[i] == '-')) {
        expNegative = b[i] == '-';
        i++;
      }
      int expStart = i;
      int e = 0;
      while (i < end && isDigit(b[i])) {
        if (e < 100_000) {
          e = e * 10 + (b[i] - '0');
        }
        i++;
      }
      if (i == expStart) {
        return NOT_A_NUMBER;
      }
      exp10 += expNegative ? -e : e;
    }
    if (i != end) {
      return NOT_A_NUMBER;
    }
    // exact when both the mantissa and the power of ten are exact doubles: one correctly rounded op
    if (!overflow && mantissa < (1L << 53) && exp10 >= -22 && exp10 <= 22) {
      double v = exp10 < 0 ? mantissa / POW10[-exp10] : mantissa * POW10[exp10];
      real = negative ? -v : v;
    } else {
      real = Double.parseDouble(new String(b, off, len, StandardCharsets.ISO_8859_1));
    }
    return REAL;
  }

  private int integerOf(byte[] b, int off, int len, int digitsStart, int end, boolean negative,
      long mantissa, boolean overflow) {
    if (!overflow) {
      integer = negative ? -mantissa : mantissa;
      return INTEGER;
    }
    // 19 digits and more: exact parse with overflow checks, only for these rare values
    long v = 0;
    for (int i = digitsStart; i < end; i++) {
      int d = b[i] - '0';
      if (v < (Long.MIN_VALUE + d) / 10) {
        return BIG_INTEGER;
      }
      v = v * 10 - d; // accumulate negatively: Long.MIN_VALUE has no positive twin
    }
    if (!negative) {
      if (v == Long.MIN_VALUE) {
        return BIG_INTEGER;
      }
      v = -v;
    }
    integer = v;
    return INTEGER;
  }

  static boolean isDigit(byte c) {
    return c >= '0' && c <= '9';
  }
}
