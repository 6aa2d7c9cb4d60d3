package io.swak.parsers;

import java.nio.charset.StandardCharsets;
import java.util.List;

/**
 * Format {@code csv}: one record per line named by {@code columns}, RFC 4180 quoting ({@code "a ""b"""}
 * is {@code a "b"}, unescaped into scratch), any one-byte {@code delimiter} (comma by default, {@code \t}
 * for TSV). Unquoted fields are taken as they are, spaces and stray quotes included; an empty field is an
 * empty string. A line with fewer values than columns gives nil for the rest (every record has the same
 * keys); one with more is MALFORMED, as it means the columns are not what the file holds.
 */
public final class CsvLineParser implements LineParser {

  static final ParseResult EMPTY = ParseResult.noMatch("empty line");
  static final ParseResult TOO_MANY = ParseResult.malformed("more values than columns");
  static final ParseResult UNCLOSED = ParseResult.malformed("a quoted value is not closed");
  static final ParseResult AFTER_QUOTE = ParseResult.malformed("text between a closing quote and the delimiter");

  private final byte[][] columns;
  private final int[] roles;
  private final byte delimiter;
  private final byte quote;
  private final FieldConversions conversions;
  private final ScratchBytes scratch = new ScratchBytes();

  CsvLineParser(List<String> columns, byte delimiter, byte quote, FieldConversions conversions) {
    this.columns = new byte[columns.size()][];
    this.roles = new int[columns.size()];
    for (int c = 0; c < columns.size(); c++) {
      this.columns[c] = columns.get(c).getBytes(StandardCharsets.UTF_8);
      this.roles[c] = conversions.roleOf(columns.get(c));
    }
    this.delimiter = delimiter;
    this.quote = quote;
    this.conversions = conversions;
  }

  public CsvLineParser(List<String> columns) {
    this(columns, (byte) ',', (byte) '"', FieldConversions.none());
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
    int column = 0;
    int i = off;
    while (true) {
      if (column == columns.length) {
        return TOO_MANY;
      }
      byte[] key = columns[column];
      int role = roles[column];
      if (i < end && b[i] == quote) {
        int start = ++i;
        boolean doubled = false;
        while (true) {
          if (i >= end) {
            return UNCLOSED;
          }
          if (b[i] == quote) {
            if (i + 1 < end && b[i + 1] == quote) {
              doubled = true;
              i += 2;
              continue;
            }
            break;
          }
          i++;
        }
        int stop = i++;
        if (i < end && b[i] != delimiter) {
          return AFTER_QUOTE;
        }
        if (doubled) {
          undouble(b, start, stop);
          conversions.deliver(sink, role, key, 0, key.length, scratch.buf, 0, scratch.len);
        } else {
          conversions.deliver(sink, role, key, 0, key.length, b, start, stop - start);
        }
      } else {
        int start = i;
        while (i < end && b[i] != delimiter) {
          i++;
        }
        conversions.deliver(sink, role, key, 0, key.length, b, start, i - start);
      }
      column++;
      if (i >= end) {
        break;
      }
      i++; // the delimiter; a delimiter at the very end leaves one more, empty, value
      if (i == end) {
        if (column == columns.length) {
          return TOO_MANY;
        }
        byte[] k = columns[column];
        conversions.deliver(sink, roles[column], k, 0, k.length, b, end, 0);
        column++;
        break;
      }
    }
    for (; column < columns.length; column++) {
      sink.nil(columns[column], 0, columns[column].length);
    }
    return conversions.finish();
  }

  private void undouble(byte[] b, int start, int stop) {
    scratch.reset();
    scratch.ensure(stop - start);
    for (int i = start; i < stop; i++) {
      scratch.buf[scratch.len++] = b[i];
      if (b[i] == quote) {
        i++; // the second of the pair
      }
    }
  }
}
