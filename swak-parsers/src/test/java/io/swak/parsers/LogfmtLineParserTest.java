package io.swak.parsers;

import static io.swak.parsers.Lines.parse;
import static io.swak.parsers.Lines.parser;
import static org.assertj.core.api.Assertions.assertThat;

import java.util.Map;
import org.junit.jupiter.api.Test;

class LogfmtLineParserTest {

  private final LineParser logfmt = parser("logfmt");

  @Test
  void typicalLine() {
    var p = parse(logfmt, "time=2024-05-01T12:00:00Z level=info msg=\"user logged in\" user_id=42 "
        + "path=/api?q=a=b flag empty= esc=\"a \\\"b\\\" \\n\\u00e9\"");
    assertThat(p.result()).isEqualTo(ParseResult.OK);
    assertThat(p.sink().keys()).containsExactly("time", "level", "msg", "user_id", "path", "flag", "empty", "esc");
    assertThat(p.map()).containsEntry("msg", "user logged in").containsEntry("user_id", "42")
        .containsEntry("path", "/api?q=a=b").containsEntry("flag", true).containsEntry("empty", "")
        .containsEntry("esc", "a \"b\" \né");
  }

  @Test
  void typesTimeAndBareKeys() {
    LineParser typed = parser("logfmt", Map.of("types", "n:int d:float", "time_key", "ts"));
    var p = parse(typed, "  ts=2024-05-01T12:00:00.5Z n=7 d=2.5\t other=x ");
    assertThat(p.sink().time()).isEqualTo(JsonLineParserTest.nanos("2024-05-01T12:00:00.5Z"));
    assertThat(p.map()).containsExactly(Map.entry("n", 7L), Map.entry("d", 2.5), Map.entry("other", "x"));
    LineParser strict = parser("logfmt", Map.of("bare_keys", false));
    assertThat(parse(strict, "just some text").result().kind()).isEqualTo(ParseResult.Kind.NO_MATCH);
    assertThat(parse(strict, "a=1 b=2").result()).isEqualTo(ParseResult.OK);
  }

  @Test
  void badLines() {
    assertThat(parse(logfmt, "").result().kind()).isEqualTo(ParseResult.Kind.NO_MATCH);
    assertThat(parse(logfmt, "a=\"open").result()).isEqualTo(LogfmtLineParser.UNCLOSED);
    assertThat(parse(logfmt, "a=\"x\\\"").result()).isEqualTo(LogfmtLineParser.UNCLOSED);
    assertThat(parse(logfmt, "=v").result()).isEqualTo(LogfmtLineParser.NO_KEY);
    assertThat(parse(logfmt, "a=\"x\"y").result()).isEqualTo(LogfmtLineParser.AFTER_QUOTE);
    assertThat(parse(logfmt, "a\"b=1").result()).isEqualTo(LogfmtLineParser.QUOTE_IN_KEY);
    assertThat(parse(logfmt, "a=\"unknown \\q escape\"").get("a")).isEqualTo("unknown \\q escape");
  }

  @Test
  void invalidUtf8PassesThrough() {
    byte[] line = {'k', '=', (byte) 0xFF, (byte) 0xFE, ' ', (byte) 0xC3, '=', '"', (byte) 0x80, '"'};
    var p = parse(logfmt, line);
    assertThat(p.result()).isEqualTo(ParseResult.OK);
    assertThat(p.sink().fields.get(0).raw()).containsExactly(0xFF, 0xFE);
    assertThat(p.sink().fields.get(1).raw()).containsExactly(0x80);
  }
}
