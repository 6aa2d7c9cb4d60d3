package io.swak.parsers;

/**
 * Decodes JSON-style backslash escapes ({@code \" \\ \/ \b \f \n \r \t \}{@code uXXXX}) into scratch
 * bytes; shared by JSON and logfmt's quoted values. Bytes other than escapes are copied as they are, so
 * invalid UTF-8 in the line passes through. A lone surrogate escape (which has no UTF-8 form) becomes
 * U+FFFD rather than bytes no decoder accepts.
 */
final class BackslashEscapes {

  private BackslashEscapes() {}

  /**
   * Decodes {@code b[start, end)} into {@code out} (reset first). With {@code strict} (JSON) an unknown
   * escape fails the value; without (logfmt) the backslash and the byte after it are kept.
   */
  static boolean decode(byte[] b, int start, int end, ScratchBytes out, boolean strict) {
    out.reset();
    out.ensure(end - start);
    int i = start;
    while (i < end) {
      int plain = i;
      while (i < end && b[i] != '\\') {
        i++;
      }
      if (i > plain) {
        out.put(b, plain, i - plain);
      }
      if (i == end) {
        break;
      }
      if (i + 1 == end) {
        if (strict) {
          return false;
        }
        out.put((byte) '\\');
        break;
      }
      byte e = b[i + 1];
      switch (e) {
        case '"', '\\', '/' -> out.put(e);
        case 'n' -> out.put((byte) '\n');
        case 't' -> out.put((byte) '\t');
        case 'r' -> out.put((byte) '\r');
        case 'b' -> out.put((byte) '\b');
        case 'f' -> out.put((byte) '\f');
        case 'u' -> {
          int consumed = unicode(b, i, end, out);
          if (consumed < 0) {
            if (strict) {
              return false;
            }
            out.put(b, i, 2);
          } else {
            i += consumed;
            continue;
          }
        }
        default -> {
          if (strict) {
            return false;
          }
          out.put(b, i, 2);
        }
      }
      i += 2;
    }
    return true;
  }

  /** A {@code \}{@code uXXXX} at {@code i} (and its low surrogate); returns the bytes read, or -1. */
  private static int unicode(byte[] b, int i, int end, ScratchBytes out) {
    int cp = hex4(b, i + 2, end);
    if (cp < 0) {
      return -1;
    }
    if (cp >= 0xD800 && cp <= 0xDBFF) {
      if (i + 12 <= end && b[i + 6] == '\\' && b[i + 7] == 'u') {
        int low = hex4(b, i + 8, end);
        if (low >= 0xDC00 && low <= 0xDFFF) {
          out.putCodePoint(0x10000 + ((cp - 0xD800) << 10) + (low - 0xDC00));
          return 12;
        }
      }
      out.putCodePoint(0xFFFD);
      return 6;
    }
    out.putCodePoint(cp >= 0xDC00 && cp <= 0xDFFF ? 0xFFFD : cp);
    return 6;
  }

  private static int hex4(byte[] b, int i, int end) {
    if (i + 4 > end) {
      return -1;
    }
    int v = 0;
    for (int k = i; k < i + 4; k++) {
      int d = hexDigit(b[k]);
      if (d < 0) {
        return -1;
      }
      v = v << 4 | d;
    }
    return v;
  }

  private static int hexDigit(byte c) {
    if (c >= '0' && c <= '9') {
      return c - '0';
    }
    int l = c | 0x20;
    return l >= 'a' && l <= 'f' ? l - 'a' + 10 : -1;
  }
}
