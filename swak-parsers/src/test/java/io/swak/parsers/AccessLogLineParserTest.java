package io.swak.parsers;

import static io.swak.parsers.Lines.parse;
import static io.swak.parsers.Lines.parser;
import static org.assertj.core.api.Assertions.assertThat;

import java.util.HashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;

class AccessLogLineParserTest {

  static final String COMBINED = "93.184.216.34 - frank [10/Oct/2000:13:55:36 -0700] \"GET /apache_pb.gif?a=1 HTTP/1.0\" "
      + "200 2326 \"http://www.example.com/start.html\" \"Mozilla/4.08 [en] (Win98; I ;Nav)\"";

  /** Fluent Bit's parsers.conf nginx regex, with the types its users add. */
  static final String FLUENT_BIT_NGINX = "^(?<remote>[^ ]*) (?<host>[^ ]*) (?<user>[^ ]*) \\[(?<time>[^\\]]*)\\] "
      + "\"(?<method>\\S+)(?: +(?<path>[^\\\"]*?)(?: +\\S*)?)?\" (?<code>[^ ]*) (?<size>[^ ]*)"
      + "(?: \"(?<referer>[^\\\"]*)\" \"(?<agent>[^\\\"]*)\")";

  @Test
  void nginxCombined() {
    var p = parse(parser("nginx"), COMBINED);
    assertThat(p.result()).isEqualTo(ParseResult.OK);
    assertThat(p.sink().time()).isEqualTo(JsonLineParserTest.nanos("2000-10-10T20:55:36Z"));
    Map<String, Object> expected = new HashMap<>();
    expected.put("remote", "93.184.216.34");
    expected.put("host", null);
    expected.put("user", "frank");
    expected.put("method", "GET");
    expected.put("path", "/apache_pb.gif?a=1");
    expected.put("code", 200L);
    expected.put("size", 2326L);
    expected.put("referer", "http://www.example.com/start.html");
    expected.put("agent", "Mozilla/4.08 [en] (Win98; I ;Nav)");
    assertThat(p.map()).isEqualTo(expected);
    assertThat(p.sink().keys()).containsExactly("remote", "host", "user", "method", "path", "code", "size",
        "referer", "agent");
  }

  @Test
  void apacheCombinedAndCommon() {
    var p = parse(parser("apache"), COMBINED);
    assertThat(p.sink().keys()).containsExactly("host", "user", "method", "path", "code", "size", "referer", "agent");
    assertThat(p.get("host")).isEqualTo("93.184.216.34");
    var common = parse(parser("apache"), "127.0.0.1 - - [10/Oct/2000:13:55:36 -0700] \"GET / HTTP/1.1\" 304 -");
    assertThat(common.result()).isEqualTo(ParseResult.OK);
    assertThat(common.sink().keys()).containsExactly("host", "user", "method", "path", "code", "size");
    assertThat(common.map()).containsEntry("user", null).containsEntry("size", null).containsEntry("code", 304L);
  }

  @Test
  void oddRequestsAndQuotes() {
    LineParser nginx = parser("nginx");
    var dash = parse(nginx, "1.2.3.4 - - [10/Oct/2000:13:55:36 -0700] \"-\" 400 0 \"-\" \"-\"");
    assertThat(dash.map()).containsEntry("method", "-").doesNotContainKey("path").containsEntry("referer", null)
        .containsEntry("agent", null);
    var spaces = parse(nginx, "1.2.3.4 - - [10/Oct/2000:13:55:36 -0700] \"GET /a b  HTTP/1.1\" 200 1 \"-\" "
        + "\"say \\\"hi\\\"\"");
    assertThat(spaces.map()).containsEntry("path", "/a b").containsEntry("agent", "say \\\"hi\\\"");
    var noProtocol = parse(nginx, "1.2.3.4 - - [10/Oct/2000:13:55:36 -0700] \"GET /x\" 200 1 \"-\" \"-\"");
    assertThat(noProtocol.get("path")).isEqualTo("/x");
    var extra = parse(nginx, COMBINED + " \"10.0.0.1\" rt=0.003");
    assertThat(extra.result()).isEqualTo(ParseResult.OK);
    var tls = parse(nginx, "1.2.3.4 - - [10/Oct/2000:13:55:36 -0700] \"\\x16\\x03\\x01\" 400 157 \"-\" \"-\"");
    assertThat(tls.get("method")).isEqualTo("\\x16\\x03\\x01");
  }

  @Test
  void badLines() {
    LineParser nginx = parser("nginx");
    assertThat(parse(nginx, "").result().kind()).isEqualTo(ParseResult.Kind.NO_MATCH);
    assertThat(parse(nginx, "hello world how are you").result().kind()).isEqualTo(ParseResult.Kind.NO_MATCH);
    assertThat(parse(nginx, "1.2.3.4 - - 10/Oct/2000 \"GET\" 1 2").result()).isEqualTo(AccessLogLineParser.NO_TIME);
    int size = COMBINED.indexOf(" 2326 ") + 1; // cut after the size, a line is a valid common log line
    for (int cut = 1; cut <= size; cut++) {
      ParseResult r = parse(nginx, COMBINED.substring(0, cut)).result();
      assertThat(r.kind()).as(COMBINED.substring(0, cut)).isNotEqualTo(ParseResult.Kind.OK);
    }
    var badTime = parse(nginx, COMBINED.replace("10/Oct/2000", "10/Foo/2000"));
    assertThat(badTime.result()).isEqualTo(ParseResult.OK_TIME_UNPARSED);
    assertThat(badTime.get("time")).isEqualTo("10/Foo/2000:13:55:36 -0700");
    var badCode = parse(nginx, COMBINED.replace(" 200 ", " 2xx "));
    assertThat(badCode.get("code")).isEqualTo("2xx");
  }

  @Test
  void timeOptions() {
    var kept = parse(parser("nginx", Map.of("time_keep", true)), COMBINED);
    assertThat(kept.get("time")).isEqualTo("10/Oct/2000:13:55:36 -0700");
    var off = parse(parser("nginx", Map.of("time_key", "")), COMBINED);
    assertThat(off.sink().times).isEmpty();
    assertThat(off.get("time")).isEqualTo("10/Oct/2000:13:55:36 -0700");
  }

  @Test
  void theScannerAgreesWithFluentBitsRegex() {
    LineParser regex = parser("regex", Map.of("regex", FLUENT_BIT_NGINX, "types", "code:int size:int",
        "time_key", "time", "time_format", "%d/%b/%Y:%H:%M:%S %z"));
    String[] lines = {COMBINED,
        "10.0.0.2 - - [01/Jan/2024:00:00:00 +0000] \"POST /api/v1/items HTTP/2.0\" 201 512 \"-\" \"curl/8.0\"",
        "::1 - alice [29/Feb/2024:23:59:59 +0100] \"GET /ü/日本 HTTP/1.1\" 404 0 \"https://x/é\" \"Mozilla/5.0 (X11)\"",
        "10.0.0.3 - - [01/Jan/2024:00:00:00 +0000] \"GET /a b HTTP/1.1\" 200 1 \"r\" \"a\""};
    for (String line : lines) {
      var hand = parse(parser("nginx"), line);
      var viaRegex = parse(regex, line);
      assertThat(hand.sink().times).isEqualTo(viaRegex.sink().times);
      Map<String, Object> expected = new HashMap<>(viaRegex.map());
      expected.replaceAll((k, v) -> "-".equals(v) ? null : v); // the scanner's nil for "-"
      assertThat(hand.map()).as(line).isEqualTo(expected);
    }
  }
}
