package io.swak.parsers;

import static io.swak.parsers.Lines.parse;
import static org.assertj.core.api.Assertions.assertThat;

import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class SyslogLineParserTest {

  static final Clock IN_2024 = Clock.fixed(Instant.parse("2024-11-20T00:00:00Z"), ZoneOffset.UTC);

  static LineParser syslog(Map<String, ?> options) {
    return ParserFactory.create("syslog", options, IN_2024).orElseThrow();
  }

  private final LineParser syslog = syslog(Map.of());

  @Test
  void rfc5424WithBom() {
    byte[] line = Lines.utf8("<34>1 2003-10-11T22:14:15.003Z mymachine.example.com su - ID47 - \uFEFF'su root' failed");
    var p = parse(syslog, line);
    assertThat(p.result()).isEqualTo(ParseResult.OK);
    assertThat(p.sink().time()).isEqualTo(JsonLineParserTest.nanos("2003-10-11T22:14:15.003Z"));
    assertThat(p.map()).containsExactly(Map.entry("pri", 34L), Map.entry("facility", "auth"),
        Map.entry("severity", "crit"), Map.entry("facility_code", 4L), Map.entry("severity_code", 2L),
        Map.entry("host", "mymachine.example.com"), Map.entry("ident", "su"), Map.entry("msgid", "ID47"),
        Map.entry("message", "'su root' failed"));
  }

  @Test
  void rfc5424StructuredData() {
    var p = parse(syslog, "<165>1 2003-10-11T22:14:15.003-07:00 host evntslog 1234 ID47 "
        + "[exampleSDID@32473 iut=\"3\" eventSource=\"Appli\\\"cation\" eventID=\"10\\]11\"][examplePriority@32473 "
        + "class=\"high\"][empty] An application event");
    assertThat(p.result()).isEqualTo(ParseResult.OK);
    assertThat(p.get("structured_data")).isEqualTo(Map.of(
        "exampleSDID@32473", Map.of("iut", "3", "eventSource", "Appli\"cation", "eventID", "10]11"),
        "examplePriority@32473", Map.of("class", "high"), "empty", Map.of()));
    assertThat(p.map()).containsEntry("pid", "1234").containsEntry("message", "An application event")
        .containsEntry("facility", "local4").containsEntry("severity", "notice");
    assertThat(p.sink().time()).isEqualTo(JsonLineParserTest.nanos("2003-10-12T05:14:15.003Z"));
  }

  @Test
  void rfc5424AsLoggerSendsIt() {
    var p = parse(syslog, "<13>1 2024-11-19T10:00:00.123456+01:00 box alice - - [timeQuality tzKnown=\"1\" "
        + "isSynced=\"0\"] hello");
    assertThat(p.map()).containsEntry("ident", "alice").containsEntry("message", "hello")
        .doesNotContainKeys("pid", "msgid");
    var noSd = parse(syslog, "<13>1 2024-11-19T10:00:00Z box app 12 - message without sd");
    assertThat(noSd.map()).containsEntry("message", "message without sd").doesNotContainKey("structured_data");
    var nothing = parse(syslog, "<13>1 - - - - - -");
    assertThat(nothing.result()).isEqualTo(ParseResult.OK);
    assertThat(nothing.sink().keys()).containsExactly("pri", "facility", "severity", "facility_code",
        "severity_code");
    assertThat(parse(syslog, "<13>1 2024-11-19T10:00:00Z box").result()).isEqualTo(SyslogLineParser.SHORT_HEADER);
  }

  @Test
  void rfc3164() {
    var p = parse(syslog, "<13>Oct 11 22:14:15 host app[123]: msg");
    assertThat(p.result()).isEqualTo(ParseResult.OK);
    assertThat(p.sink().time()).isEqualTo(JsonLineParserTest.nanos("2024-10-11T22:14:15Z"));
    assertThat(p.map()).containsExactly(Map.entry("pri", 13L), Map.entry("facility", "user"),
        Map.entry("severity", "notice"), Map.entry("facility_code", 1L), Map.entry("severity_code", 5L),
        Map.entry("host", "host"), Map.entry("ident", "app"), Map.entry("pid", "123"), Map.entry("message", "msg"));
  }

  @Test
  void rfc3164Variations() {
    assertThat(parse(syslog, "<13>Oct  1 22:14:15 app[123]: no host").map()).containsEntry("ident", "app")
        .containsEntry("message", "no host").doesNotContainKey("host");
    assertThat(parse(syslog, "<13>Nov 19 22:14:15 alice: from logger").map()).containsEntry("ident", "alice")
        .containsEntry("message", "from logger");
    assertThat(parse(syslog, "Nov 19 22:14:15 myhost sshd[42]: Accepted").map()).doesNotContainKey("pri")
        .containsEntry("host", "myhost").containsEntry("pid", "42");
    var rfc3339 = parse(syslog, "<30>2024-11-19T22:14:15.123456+00:00 host systemd[1]: Started");
    assertThat(rfc3339.sink().time()).isEqualTo(JsonLineParserTest.nanos("2024-11-19T22:14:15.123456Z"));
    assertThat(rfc3339.map()).containsEntry("ident", "systemd").containsEntry("message", "Started");
    var cisco = parse(syslog, "<189>Nov 19 22:14:15.123: %SYS-5-CONFIG_I: Configured");
    assertThat(cisco.sink().time()).isEqualTo(JsonLineParserTest.nanos("2024-11-19T22:14:15.123Z"));
    assertThat(cisco.map()).containsEntry("ident", "%SYS-5-CONFIG_I").containsEntry("message", "Configured");
    var noTag = parse(syslog, "<13>Nov 19 22:14:15 host just words here");
    assertThat(noTag.map()).containsEntry("host", "host").containsEntry("message", "just words here")
        .doesNotContainKey("ident");
    var onlyPri = parse(syslog, "<13>no timestamp at all");
    assertThat(onlyPri.map()).containsEntry("message", "no timestamp at all");
    assertThat(parse(syslog, "Dec 31 23:59:59 h a: m").sink().time()).as("read in November: last December")
        .isEqualTo(JsonLineParserTest.nanos("2023-12-31T23:59:59Z"));
  }

  @Test
  void badAndOddLines() {
    assertThat(parse(syslog, "plain text").result()).isEqualTo(SyslogLineParser.NOT_SYSLOG);
    assertThat(parse(syslog, "").result().kind()).isEqualTo(ParseResult.Kind.NO_MATCH);
    assertThat(parse(syslog, "<192>Oct 11 22:14:15 h a: m").result()).isEqualTo(SyslogLineParser.BAD_PRI);
    assertThat(parse(syslog, "<13").result()).isEqualTo(SyslogLineParser.BAD_PRI);
    assertThat(parse(syslog, "<1x>Oct").result()).isEqualTo(SyslogLineParser.BAD_PRI);
    var badTime = parse(syslog, "<13>1 2003-13-11T22:14:15Z h a - - - m");
    assertThat(badTime.result()).isEqualTo(ParseResult.OK_TIME_UNPARSED);
    assertThat(badTime.get("time")).isEqualTo("2003-13-11T22:14:15Z");
    var badSd = parse(syslog, "<13>1 2003-10-11T22:14:15Z h a - - [broken message");
    assertThat(badSd.get("message")).isEqualTo("[broken message");
  }

  @Test
  void nonUtf8BytesAreKept() {
    byte[] line = Lines.utf8("<13>1 2003-10-11T22:14:15Z h\u00e9 a - - - x");
    byte[] withLatin1 = java.util.Arrays.copyOf(line, line.length + 2);
    withLatin1[line.length] = (byte) 0xE9;
    withLatin1[line.length + 1] = (byte) 0xFF;
    var p = parse(syslog, withLatin1);
    assertThat(p.sink().field("message").raw()).containsExactly('x', 0xE9, 0xFF);
    assertThat(p.get("host")).isEqualTo("hé");
  }

  @Test
  void timeOptions() {
    var zoned = parse(syslog(Map.of("time_zone", "Europe/Paris")), "<13>Oct 11 22:14:15 host app: m");
    assertThat(zoned.sink().time()).isEqualTo(JsonLineParserTest.nanos("2024-10-11T20:14:15Z"));
    var given = parse(syslog(Map.of("time_format", "%Y/%m/%d")), "<13>1 2024/01/02 h a - - - m");
    assertThat(given.sink().time()).isEqualTo(JsonLineParserTest.nanos("2024-01-02T00:00:00Z"));
    var kept = parse(syslog(Map.of("time_keep", true)), "<13>Oct 11 22:14:15 host app: m");
    assertThat(kept.get("time")).isEqualTo("Oct 11 22:14:15");
    assertThat(List.of(SyslogNames.FACILITIES.length, SyslogNames.SEVERITIES.length)).containsExactly(24, 8);
  }
}
