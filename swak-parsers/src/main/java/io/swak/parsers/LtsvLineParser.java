package io.swak.parsers;

/**
 * Format {@code ltsv}: tab-separated {@code label:value} fields (ltsv.org). The label ends at the first
 * colon, so values may hold colons (times, URLs). Values are strings unless typed by {@code types};
 * empty fields (two tabs in a row) are skipped; a trailing CR is dropped.
 */
public final class LtsvLineParser implements LineParser {

  static final ParseResult EMPTY = ParseResult.noMatch("empty line");
  static final ParseResult NO_COLON = ParseResult.malformed("a field without ':'");
  static final ParseResult NO_LABEL = ParseResult.malformed("a field with an empty label");

  private final FieldConversions conversions;

  LtsvLineParser(FieldConversions conversions) {
    this.conversions = conversions;
  }

  public LtsvLineParser() {
    this(FieldConversions.none());
  }

  @Override
  public ParseResult parse(byte[] b, int off, int len, FieldSink sink) {
    int end = off + len;
    while (end > off && (b[end - 1] == '\r' || b[end - 1] == '\n')) {
      end--;
    }
    if (end == off) {
      return EMPTY;
    }
    conversions.startLine();
    int i = off;
    while (i <= end) {
      int start = i;
      int colon = -1;
      while (i < end && b[i] != '\t') {
        if (colon < 0 && b[i] == ':') {
          colon = i;
        }
        i++;
      }
      if (i > start) {
        if (colon < 0) {
          return NO_COLON;
        }
        if (colon == start) {
          return NO_LABEL;
        }
        int keyLen = colon - start;
        conversions.deliver(sink, conversions.roleOf(b, start, keyLen), b, start, keyLen, b, colon + 1,
            i - colon - 1);
      }
      i++; // the tab, or one past the end
    }
    return conversions.finish();
  }
}
