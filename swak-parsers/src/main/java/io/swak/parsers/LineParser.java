package io.swak.parsers;

/**
 * Turns one line (a byte range, without its line terminator) into fields. An instance keeps scratch
 * buffers between lines, so it serves one thread; {@link ParserFactory} makes one per worker.
 */
public interface LineParser {

  /**
   * Reports the fields of {@code line[off, off+len)} to {@code sink}. Never throws for bad input:
   * invalid UTF-8, a cut line or a 10 MB line all come back as a result.
   */
  ParseResult parse(byte[] line, int off, int len, FieldSink sink);
}
