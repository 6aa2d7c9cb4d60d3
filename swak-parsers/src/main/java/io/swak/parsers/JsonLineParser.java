package io.swak.parsers;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.nio.ByteOrder;

/**
 * Format {@code json}: one JSON object per line; its top-level fields go to the sink, strings as byte
 * ranges (into the line when they have no escapes, else unescaped into a scratch buffer), nested objects
 * and arrays as one msgpack value each. Hand-written because it is several times faster than Jackson's
 * streaming parser on log lines (JMH JsonBench; Jackson makes a String per key and a char[] per value)
 * and because it passes invalid UTF-8 through, which Jackson rejects.
 *
 * <p>Integers that do not fit a long are reported as strings of their digits (exact; a double would
 * round a 20-digit id). Lenient where logs are: raw control characters in strings and leading zeros
 * are accepted. Nesting deeper than {@code max_depth} (64; the line's object is depth 1) is MALFORMED.
 */
public final class JsonLineParser implements LineParser {

  static final ParseResult EMPTY = ParseResult.noMatch("empty line");
  static final ParseResult NOT_AN_OBJECT = ParseResult.noMatch("not a JSON object");
  static final ParseResult CUT = ParseResult.malformed("line ends inside the JSON");
  static final ParseResult EXPECTED_KEY = ParseResult.malformed("expected a quoted key");
  static final ParseResult EXPECTED_COLON = ParseResult.malformed("expected ':' after a key");
  static final ParseResult EXPECTED_COMMA = ParseResult.malformed("expected ',' or a closing bracket");
  static final ParseResult BAD_VALUE = ParseResult.malformed("not a JSON value");
  static final ParseResult BAD_ESCAPE = ParseResult.malformed("bad escape in a string");
  static final ParseResult BAD_NUMBER = ParseResult.malformed("bad number");
  static final ParseResult TOO_DEEP = ParseResult.malformed("nested deeper than max_depth");
  static final ParseResult TRAILING = ParseResult.malformed("text after the object");

  private static final VarHandle LONGS =
      MethodHandles.byteArrayViewVarHandle(long[].class, ByteOrder.LITTLE_ENDIAN);
  private static final long ONES = 0x0101010101010101L;
  private static final long HIGHS = 0x8080808080808080L;
  private static final long QUOTES = 0x2222222222222222L;
  private static final long BACKSLASHES = 0x5C5C5C5C5C5C5C5CL;

  private static final byte[] TRUE = {'t', 'r', 'u', 'e'};
  private static final byte[] FALSE = {'f', 'a', 'l', 's', 'e'};
  private static final byte[] NULL = {'n', 'u', 'l', 'l'};

  private final FieldConversions conversions;
  private final int maxDepth;
  private final ScratchBytes keyScratch = new ScratchBytes();
  private final ScratchBytes valueScratch = new ScratchBytes();
  private final MsgpackWriter nested = new MsgpackWriter();
  private final NumberText numbers = new NumberText();

  // the line being read, and the last string read: fields, so the scanner returns booleans only
  private byte[] b;
  private int pos;
  private int end;
  private ParseResult error;
  private byte[] strBytes;
  private int strOff;
  private int strLen;

  JsonLineParser(FieldConversions conversions, int maxDepth) {
    this.conversions = conversions;
    this.maxDepth = maxDepth;
  }

  /** With no time key and no types: for tests and benchmarks. */
  public JsonLineParser() {
    this(FieldConversions.none(), 64);
  }

  @Override
  public ParseResult parse(byte[] line, int off, int len, FieldSink sink) {
    b = line;
    pos = off;
    end = off + len;
    conversions.startLine();
    ParseResult r = object(sink);
    b = null; // do not keep a 10 MB line alive between calls
    return r;
  }

  private ParseResult object(FieldSink sink) {
    skipSpace();
    if (pos == end) {
      return EMPTY;
    }
    if (b[pos] != '{') {
      return NOT_AN_OBJECT;
    }
    pos++;
    skipSpace();
    if (pos < end && b[pos] == '}') {
      pos++;
    } else {
      while (true) {
        if (pos >= end) {
          return CUT;
        }
        if (b[pos] != '"') {
          return EXPECTED_KEY;
        }
        if (!string(keyScratch)) {
          return error;
        }
        byte[] k = strBytes;
        int ko = strOff;
        int kl = strLen;
        if (!colon() || !field(sink, k, ko, kl)) {
          return error;
        }
        skipSpace();
        if (pos >= end) {
          return CUT;
        }
        byte c = b[pos++];
        if (c == ',') {
          skipSpace();
        } else if (c == '}') {
          break;
        } else {
          return EXPECTED_COMMA;
        }
      }
    }
    skipSpace();
    return pos == end ? conversions.finish() : TRAILING;
  }

  private boolean field(FieldSink sink, byte[] k, int ko, int kl) {
    byte c = b[pos];
    switch (c) {
      case '"' -> {
        if (!string(valueScratch)) {
          return false;
        }
        conversions.deliver(sink, conversions.roleOf(k, ko, kl), k, ko, kl, strBytes, strOff, strLen);
      }
      case '{', '[' -> {
        nested.reset();
        if (!value(2)) {
          return false;
        }
        sink.msgpack(k, ko, kl, nested.bytes(), 0, nested.length());
      }
      case 't' -> {
        if (!literal(TRUE)) {
          return false;
        }
        sink.bool(k, ko, kl, true);
      }
      case 'f' -> {
        if (!literal(FALSE)) {
          return false;
        }
        sink.bool(k, ko, kl, false);
      }
      case 'n' -> {
        if (!literal(NULL)) {
          return false;
        }
        sink.nil(k, ko, kl);
      }
      default -> {
        return number(sink, k, ko, kl);
      }
    }
    return true;
  }

  private boolean number(FieldSink sink, byte[] k, int ko, int kl) {
    int start = pos;
    int kind = scanNumber();
    if (kind == NumberText.NOT_A_NUMBER) {
      return false;
    }
    boolean isReal = kind == NumberText.REAL;
    if (kind != NumberText.BIG_INTEGER && conversions.hasTime()
        && conversions.roleOf(k, ko, kl) == FieldConversions.TIME
        && conversions.timeNumber(sink, k, ko, kl, numbers.integer, numbers.real, isReal)) {
      return true;
    }
    switch (kind) {
      case NumberText.INTEGER -> sink.integer(k, ko, kl, numbers.integer);
      case NumberText.REAL -> sink.real(k, ko, kl, numbers.real);
      default -> sink.string(k, ko, kl, b, start, pos - start);
    }
    return true;
  }

  /** Reads the number at pos into {@link #numbers}; its kind, or NOT_A_NUMBER with the error set. */
  private int scanNumber() {
    int start = pos;
    while (pos < end) {
      byte c = b[pos];
      if (NumberText.isDigit(c) || c == '-' || c == '+' || c == '.' || c == 'e' || c == 'E') {
        pos++;
      } else {
        break;
      }
    }
    if (pos == start) {
      error = BAD_VALUE;
      return NumberText.NOT_A_NUMBER;
    }
    int kind = numbers.read(b, start, pos - start, false);
    if (kind == NumberText.NOT_A_NUMBER) {
      error = pos == end ? CUT : BAD_NUMBER;
    }
    return kind;
  }

  /** One value of a nested container, written to {@link #nested}; depth is its own if it is one. */
  private boolean value(int depth) {
    if (pos >= end) {
      error = CUT;
      return false;
    }
    switch (b[pos]) {
      case '{' -> {
        return container(depth, true);
      }
      case '[' -> {
        return container(depth, false);
      }
      case '"' -> {
        if (!string(valueScratch)) {
          return false;
        }
        nested.string(strBytes, strOff, strLen);
      }
      case 't' -> {
        if (!literal(TRUE)) {
          return false;
        }
        nested.bool(true);
      }
      case 'f' -> {
        if (!literal(FALSE)) {
          return false;
        }
        nested.bool(false);
      }
      case 'n' -> {
        if (!literal(NULL)) {
          return false;
        }
        nested.nil();
      }
      default -> {
        int start = pos;
        int kind = scanNumber();
        switch (kind) {
          case NumberText.INTEGER -> nested.integer(numbers.integer);
          case NumberText.REAL -> nested.real(numbers.real);
          case NumberText.BIG_INTEGER -> nested.string(b, start, pos - start);
          default -> {
            return false;
          }
        }
      }
    }
    return true;
  }

  private boolean container(int depth, boolean isMap) {
    if (depth > maxDepth) {
      error = TOO_DEEP;
      return false;
    }
    byte close = isMap ? (byte) '}' : (byte) ']';
    int mark = nested.openContainer();
    int count = 0;
    pos++;
    skipSpace();
    if (pos < end && b[pos] == close) {
      pos++;
    } else {
      while (true) {
        if (isMap) {
          if (pos >= end) {
            error = CUT;
            return false;
          }
          if (b[pos] != '"') {
            error = EXPECTED_KEY;
            return false;
          }
          if (!string(valueScratch)) {
            return false;
          }
          nested.string(strBytes, strOff, strLen);
          if (!colon()) {
            return false;
          }
        }
        if (!value(depth + 1)) {
          return false;
        }
        count++;
        skipSpace();
        if (pos >= end) {
          error = CUT;
          return false;
        }
        byte c = b[pos++];
        if (c == close) {
          break;
        }
        if (c != ',') {
          error = EXPECTED_COMMA;
          return false;
        }
        skipSpace();
      }
    }
    if (isMap) {
      nested.closeMap(mark, count);
    } else {
      nested.closeArray(mark, count);
    }
    return true;
  }

  /**
   * The string at pos (on its opening quote): a range of the line, or unescaped into scratch. Strings are
   * most of a log line's bytes, so the scan for the closing quote reads eight bytes at a time and stops at
   * the first {@code "} or {@code \\} (the zero-byte trick on the word xor each of them).
   */
  private boolean string(ScratchBytes scratch) {
    int start = ++pos;
    boolean escaped = false;
    byte[] bytes = b;
    int i = start;
    int stop = end;
    while (true) {
      while (i + 8 <= stop) {
        long w = (long) LONGS.get(bytes, i);
        long q = w ^ QUOTES;
        long s = w ^ BACKSLASHES;
        long hit = ((q - ONES) & ~q | (s - ONES) & ~s) & HIGHS;
        if (hit != 0) {
          i += Long.numberOfTrailingZeros(hit) >>> 3; // the lowest flagged byte is exact
          break;
        }
        i += 8;
      }
      if (i >= stop) {
        pos = i;
        error = CUT;
        return false;
      }
      byte c = bytes[i];
      if (c == '"') {
        break;
      }
      if (c == '\\') {
        escaped = true;
        i += 2;
      } else {
        i++;
      }
    }
    pos = i + 1;
    if (!escaped) {
      strBytes = bytes;
      strOff = start;
      strLen = i - start;
      return true;
    }
    if (!BackslashEscapes.decode(bytes, start, i, scratch, true)) {
      error = BAD_ESCAPE;
      return false;
    }
    strBytes = scratch.buf;
    strOff = 0;
    strLen = scratch.len;
    return true;
  }

  private boolean colon() {
    skipSpace();
    if (pos >= end) {
      error = CUT;
      return false;
    }
    if (b[pos] != ':') {
      error = EXPECTED_COLON;
      return false;
    }
    pos++;
    skipSpace();
    if (pos >= end) {
      error = CUT;
      return false;
    }
    return true;
  }

  private boolean literal(byte[] word) {
    int n = word.length;
    for (int i = 0; i < n; i++) {
      if (pos + i >= end) {
        error = CUT;
        return false;
      }
      if (b[pos + i] != word[i]) {
        error = BAD_VALUE;
        return false;
      }
    }
    pos += n;
    return true;
  }

  private void skipSpace() {
    while (pos < end) {
      byte c = b[pos];
      if (c != ' ' && c != '\t' && c != '\n' && c != '\r') {
        return;
      }
      pos++;
    }
  }
}
