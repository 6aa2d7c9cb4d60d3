package io.swak.parsers;

import static io.swak.parsers.Lines.parse;
import static io.swak.parsers.Lines.parser;
import static org.assertj.core.api.Assertions.assertThat;

import java.util.Map;
import org.junit.jupiter.api.Test;

class ContainerLineParserTest {

  @Test
  void cri() {
    LineParser cri = parser("cri");
    var p = parse(cri, "2016-10-06T00:17:09.669794202Z stdout F hello world ");
    assertThat(p.result()).isEqualTo(ParseResult.OK);
    assertThat(p.sink().time()).isEqualTo(JsonLineParserTest.nanos("2016-10-06T00:17:09.669794202Z"));
    assertThat(p.map()).containsExactly(Map.entry("time", "2016-10-06T00:17:09.669794202Z"),
        Map.entry("stream", "stdout"), Map.entry("logtag", "F"), Map.entry("message", "hello world "));
    var partial = parse(cri, "2016-10-06T00:17:09.669794202+02:00 stderr P part of a long ");
    assertThat(partial.map()).containsEntry("logtag", "P").containsEntry("stream", "stderr");
    assertThat(parse(cri, "2016-10-06T00:17:09Z stdout F").get("message")).isEqualTo("");
    assertThat(parse(cri, "2016-10-06T00:17:09Z stdout F ").get("message")).isEqualTo("");
    assertThat(parse(cri, "2016-10-06T00:17:09Z stdin F x").result()).isEqualTo(CriLineParser.BAD_STREAM);
    assertThat(parse(cri, "just text").result().kind()).isEqualTo(ParseResult.Kind.NO_MATCH);
    assertThat(parse(cri, "").result().kind()).isEqualTo(ParseResult.Kind.NO_MATCH);
    var badTime = parse(cri, "yesterday stdout F x");
    assertThat(badTime.result()).isEqualTo(ParseResult.OK_TIME_UNPARSED);
    assertThat(parse(parser("cri", Map.of("time_keep", false)), "2016-10-06T00:17:09Z stdout F x").sink().keys())
        .containsExactly("stream", "logtag", "message");
  }

  @Test
  void docker() {
    LineParser docker = parser("docker");
    var p = parse(docker, "{\"log\":\"hello \\\"world\\\"\\n\",\"stream\":\"stdout\","
        + "\"time\":\"2019-01-01T11:11:11.111111111Z\",\"attrs\":{\"tag\":\"x\"}}");
    assertThat(p.result()).isEqualTo(ParseResult.OK);
    assertThat(p.sink().time()).isEqualTo(JsonLineParserTest.nanos("2019-01-01T11:11:11.111111111Z"));
    assertThat(p.map()).containsEntry("log", "hello \"world\"").containsEntry("stream", "stdout")
        .containsEntry("time", "2019-01-01T11:11:11.111111111Z").containsEntry("attrs", Map.of("tag", "x"));
    assertThat(parse(docker, "{\"log\":\"crlf\\r\\n\"}").get("log")).isEqualTo("crlf");
    assertThat(parse(docker, "{\"log\":\"no newline\"}").get("log")).isEqualTo("no newline");
    assertThat(parse(docker, "{\"log\":\"\\n\"}").get("log")).isEqualTo("");
    assertThat(parse(docker, "{\"log\":\"two\\n\\n\"}").get("log")).isEqualTo("two\n");
    assertThat(parse(docker, "{\"log\":\"cut").result()).isEqualTo(JsonLineParser.CUT);
    byte[] raw = Lines.utf8("{\"log\":\"\u00e9x\n\n\"}");
    raw[9] = (byte) 0xFF; // a broken UTF-8 sequence, raw newline inside the string
    assertThat(parse(docker, raw).sink().field("log").raw()).containsExactly(0xC3, 0xFF, 'x', '\n');
  }
}
