package io.swak.parsers;

import java.nio.charset.StandardCharsets;
import java.util.Map;

/** Shortcuts for tests: a parser from the factory, a line parsed into a RecordingSink. */
final class Lines {

  private Lines() {}

  record Parsed(ParseResult result, RecordingSink sink) {
    Object get(String key) {
      return sink.get(key);
    }

    Map<String, Object> map() {
      return sink.map();
    }
  }

  static LineParser parser(String format, Map<String, ?> options) {
    return ParserFactory.create(format, options).orElseThrow();
  }

  static LineParser parser(String format) {
    return parser(format, Map.of());
  }

  static Parsed parse(LineParser parser, String line) {
    return parse(parser, line.getBytes(StandardCharsets.UTF_8));
  }

  /** Parses from the middle of a larger array, so parsers that ignore offsets fail. */
  static Parsed parse(LineParser parser, byte[] line) {
    byte[] padded = new byte[line.length + 6];
    padded[0] = '"';
    padded[1] = '{';
    padded[2] = ' ';
    System.arraycopy(line, 0, padded, 3, line.length);
    padded[line.length + 3] = '"';
    padded[line.length + 4] = '}';
    padded[line.length + 5] = '\n';
    RecordingSink sink = new RecordingSink();
    ParseResult r = parser.parse(padded, 3, line.length, sink);
    return new Parsed(r, sink);
  }

  static byte[] utf8(String s) {
    return s.getBytes(StandardCharsets.UTF_8);
  }
}
