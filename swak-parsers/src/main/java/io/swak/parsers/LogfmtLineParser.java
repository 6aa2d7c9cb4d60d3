package io.swak.parsers;

/**
 * Format {@code logfmt}: {@code key=value key2="quoted \"value\"" flag}. Values are strings (or typed by
 * {@code types}); a quoted value's backslash escapes are decoded into scratch; {@code key=} is an empty
 * string; a bare key is the boolean true, as in go-logfmt, unless {@code bare_keys: false}, which makes
 * such a line NO_MATCH (so plain text is not read as a row of flags). {@code =} inside an unquoted value
 * is part of it ({@code q=a=b}).
 */
public final class LogfmtLineParser implements LineParser {

  static final ParseResult EMPTY = ParseResult.noMatch("empty line");
  static final ParseResult BARE_KEY = ParseResult.noMatch("a key without a value");
  static final ParseResult NO_KEY = ParseResult.malformed("a value without a key");
  static final ParseResult QUOTE_IN_KEY = ParseResult.malformed("a quote inside a key");
  static final ParseResult UNCLOSED = ParseResult.malformed("a quoted value is not closed");
  static final ParseResult AFTER_QUOTE = ParseResult.malformed("text right after a closing quote");

  private final FieldConversions conversions;
  private final boolean bareKeys;
  private final ScratchBytes scratch = new ScratchBytes();

  LogfmtLineParser(FieldConversions conversions, boolean bareKeys) {
    this.conversions = conversions;
    this.bareKeys = bareKeys;
  }

  public LogfmtLineParser() {
    this(FieldConversions.none(), true);
  }

  @Override
  public ParseResult parse(byte[] b, int off, int len, FieldSink sink) {
    int end = off + len;
    int i = off;
    conversions.startLine();
    boolean any = false;
    while (true) {
      while (i < end && (b[i] & 0xFF) <= ' ') {
        i++;
      }
      if (i == end) {
        return any ? conversions.finish() : EMPTY;
      }
      any = true;
      int keyStart = i;
      while (i < end && (b[i] & 0xFF) > ' ' && b[i] != '=') {
        if (b[i] == '"') {
          return QUOTE_IN_KEY;
        }
        i++;
      }
      int keyLen = i - keyStart;
      if (i == end || b[i] != '=') {
        if (keyLen == 0) {
          return NO_KEY;
        }
        if (!bareKeys) {
          return BARE_KEY;
        }
        sink.bool(b, keyStart, keyLen, true);
        continue;
      }
      if (keyLen == 0) {
        return NO_KEY;
      }
      i++; // '='
      int role = conversions.roleOf(b, keyStart, keyLen);
      if (i < end && b[i] == '"') {
        int start = ++i;
        boolean escaped = false;
        while (i < end && b[i] != '"') {
          if (b[i] == '\\') {
            escaped = true;
            i++;
          }
          i++;
        }
        if (i >= end) {
          return UNCLOSED;
        }
        int stop = i++;
        if (i < end && (b[i] & 0xFF) > ' ') {
          return AFTER_QUOTE;
        }
        if (escaped) {
          BackslashEscapes.decode(b, start, stop, scratch, false);
          conversions.deliver(sink, role, b, keyStart, keyLen, scratch.buf, 0, scratch.len);
        } else {
          conversions.deliver(sink, role, b, keyStart, keyLen, b, start, stop - start);
        }
      } else {
        int start = i;
        while (i < end && (b[i] & 0xFF) > ' ') {
          i++;
        }
        conversions.deliver(sink, role, b, keyStart, keyLen, b, start, i - start);
      }
    }
  }
}
