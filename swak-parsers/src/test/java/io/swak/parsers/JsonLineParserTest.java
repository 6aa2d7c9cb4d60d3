package io.swak.parsers;

import static io.swak.parsers.Lines.parse;
import static io.swak.parsers.Lines.parser;
import static org.assertj.core.api.Assertions.assertThat;

import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

class JsonLineParserTest {

  static Stream<LineParser> engines() {
    return Stream.of(parser("json"), parser("json", Map.of("engine", "jackson")));
  }

  @ParameterizedTest
  @MethodSource("engines")
  void readsTopLevelFieldsWithTheirTypes(LineParser json) {
    var p = parse(json, "{\"level\":\"info\", \"status\": 200, \"latency\": 12.5, \"ok\": true, \"bad\": false,"
        + " \"user\": null, \"neg\": -7, \"exp\": 1.5e3, \"zero\": 0}");
    assertThat(p.result()).isEqualTo(ParseResult.OK);
    assertThat(p.sink().keys()).containsExactly("level", "status", "latency", "ok", "bad", "user", "neg", "exp",
        "zero");
    assertThat(p.get("level")).isEqualTo("info");
    assertThat(p.get("status")).isEqualTo(200L);
    assertThat(p.get("latency")).isEqualTo(12.5);
    assertThat(p.get("ok")).isEqualTo(true);
    assertThat(p.get("bad")).isEqualTo(false);
    assertThat(p.get("user")).isNull();
    assertThat(p.get("neg")).isEqualTo(-7L);
    assertThat(p.get("exp")).isEqualTo(1500.0);
    assertThat(p.get("zero")).isEqualTo(0L);
  }

  @ParameterizedTest
  @MethodSource("engines")
  void unescapesStrings(LineParser json) {
    var p = parse(json, "{\"m\":\"a\\\"b\\\\c\\/d\\n\\t\\u00e9\\ud83d\\ude00\", \"k\\u0041\":1}");
    assertThat(p.get("m")).isEqualTo("a\"b\\c/d\n\té😀");
    assertThat(p.get("kA")).isEqualTo(1L);
  }

  @ParameterizedTest
  @MethodSource("engines")
  void encodesNestedValuesAsOneMsgpackValue(LineParser json) {
    var p = parse(json, "{\"a\":{\"b\":[1,\"x\",{\"c\":null}],\"d\":{}},\"e\":[],\"f\":[true,2.5]}");
    assertThat(p.get("a")).isEqualTo(Map.of("b", List.of(1L, "x", java.util.Collections.singletonMap("c", null)),
        "d", Map.of()));
    assertThat(p.get("e")).isEqualTo(List.of());
    assertThat(p.get("f")).isEqualTo(List.of(true, 2.5));
  }

  @ParameterizedTest
  @MethodSource("engines")
  void integersPastALongAreStringsOfTheirDigits(LineParser json) {
    var p = parse(json, "{\"max\":9223372036854775807,\"min\":-9223372036854775808,"
        + "\"big\":12345678901234567890123,\"nested\":[18446744073709551616]}");
    assertThat(p.get("max")).isEqualTo(Long.MAX_VALUE);
    assertThat(p.get("min")).isEqualTo(Long.MIN_VALUE);
    assertThat(p.get("big")).isEqualTo("12345678901234567890123");
    assertThat(p.get("nested")).isEqualTo(List.of("18446744073709551616"));
  }

  @ParameterizedTest
  @MethodSource("engines")
  void readsRealsExactly(LineParser json) {
    String[] reals = {"0.1", "-0.0", "3.141592653589793", "1e-7", "2.5E+10", "123456789012345678901234.5", "1e300",
        "4.9e-324", "0.30000000000000004", "9007199254740993.0"};
    for (String r : reals) {
      var p = parse(json, "{\"v\":" + r + "}");
      assertThat(p.get("v")).as(r).isEqualTo(Double.parseDouble(r));
    }
  }

  @ParameterizedTest
  @MethodSource("engines")
  void boundsNestingDepth(LineParser json) {
    String ok = "{\"a\":" + "[".repeat(63) + "]".repeat(63) + "}";
    String deep = "{\"a\":" + "[".repeat(64) + "]".repeat(64) + "}";
    assertThat(parse(json, ok).result()).isEqualTo(ParseResult.OK);
    assertThat(parse(json, deep).result().kind()).isEqualTo(ParseResult.Kind.MALFORMED);
    String veryDeep = "{\"a\":" + "[".repeat(100_000) + "]".repeat(100_000) + "}";
    assertThat(parse(json, veryDeep).result().kind()).isEqualTo(ParseResult.Kind.MALFORMED);
  }

  @ParameterizedTest
  @MethodSource("engines")
  void aLineCutAnywhereIsMalformed(LineParser json) {
    String line = "{\"a\":\"x\\ny\",\"b\":[1,{\"c\":true}],\"d\":-12.5e3,\"e\":null}";
    for (int cut = 1; cut < line.length(); cut++) {
      var p = parse(json, line.substring(0, cut));
      assertThat(p.result().kind()).as(line.substring(0, cut)).isEqualTo(ParseResult.Kind.MALFORMED);
    }
    assertThat(parse(json, line).result()).isEqualTo(ParseResult.OK);
  }

  @ParameterizedTest
  @MethodSource("engines")
  void tellsNotJsonFromBrokenJson(LineParser json) {
    assertThat(parse(json, "plain text").result().kind()).isEqualTo(ParseResult.Kind.NO_MATCH);
    assertThat(parse(json, "[1,2]").result().kind()).isEqualTo(ParseResult.Kind.NO_MATCH);
    assertThat(parse(json, "").result().kind()).isEqualTo(ParseResult.Kind.NO_MATCH);
    assertThat(parse(json, "   ").result().kind()).isEqualTo(ParseResult.Kind.NO_MATCH);
    assertThat(parse(json, "{} x").result().kind()).isEqualTo(ParseResult.Kind.MALFORMED);
    assertThat(parse(json, "{\"a\" 1}").result().kind()).isEqualTo(ParseResult.Kind.MALFORMED);
    assertThat(parse(json, "{\"a\":1 \"b\":2}").result().kind()).isEqualTo(ParseResult.Kind.MALFORMED);
    assertThat(parse(json, "{\"a\":tru}").result().kind()).isEqualTo(ParseResult.Kind.MALFORMED);
    assertThat(parse(json, "{\"a\":1.}").result().kind()).isEqualTo(ParseResult.Kind.MALFORMED);
    assertThat(parse(json, "{\"a\":\"\\x\"}").result().kind()).isEqualTo(ParseResult.Kind.MALFORMED);
    assertThat(parse(json, "{a:1}").result().kind()).isEqualTo(ParseResult.Kind.MALFORMED);
    assertThat(parse(json, " {} ").result()).isEqualTo(ParseResult.OK);
  }

  @Test
  void passesInvalidUtf8Through() {
    byte[] line = {'{', '"', 'm', '"', ':', '"', 'a', (byte) 0xFF, (byte) 0xC3, 'b', '"', ',', '"', (byte) 0xE9,
        '"', ':', '1', '}'};
    var p = parse(parser("json"), line);
    assertThat(p.result()).isEqualTo(ParseResult.OK);
    assertThat(p.sink().field("m").raw()).containsExactly('a', 0xFF, 0xC3, 'b');
    assertThat(p.sink().fields.get(1).value()).isEqualTo(1L);
    // Jackson refuses such bytes: a value, not an exception
    assertThat(parse(parser("json", Map.of("engine", "jackson")), line).result().kind())
        .isEqualTo(ParseResult.Kind.MALFORMED);
  }

  @Test
  void stringsWithoutEscapesPointIntoTheLine() {
    byte[] line = Lines.utf8("{\"msg\":\"hello\"}");
    FieldSink sink = new RecordingSink() {
      @Override
      public void string(byte[] key, int keyOff, int keyLen, byte[] v, int off, int len) {
        assertThat(v).isSameAs(line);
        assertThat(key).isSameAs(line);
        assertThat(off).isEqualTo(8);
        super.string(key, keyOff, keyLen, v, off, len);
      }
    };
    assertThat(parser("json").parse(line, 0, line.length, sink)).isEqualTo(ParseResult.OK);
  }

  @ParameterizedTest
  @MethodSource("engines")
  void tenMegabyteLine(LineParser json) {
    String big = "x".repeat(10 << 20);
    var p = parse(json, "{\"a\":\"" + big + "\",\"b\":\"" + big.substring(1) + "\\n\"}");
    assertThat(p.result()).isEqualTo(ParseResult.OK);
    assertThat((String) p.get("a")).hasSize(10 << 20);
    assertThat((String) p.get("b")).hasSize(10 << 20).endsWith("x\n");
  }

  @Test
  void readsTheTimeField() {
    LineParser json = parser("json", Map.of("time_key", "ts", "time_format", "iso8601"));
    var p = parse(json, "{\"ts\":\"2024-05-01T12:00:00.123456789+02:00\",\"m\":\"x\"}");
    assertThat(p.result()).isEqualTo(ParseResult.OK);
    assertThat(p.sink().time()).isEqualTo(nanos("2024-05-01T10:00:00.123456789Z"));
    assertThat(p.sink().keys()).containsExactly("m");

    LineParser keep = parser("json", Map.of("time_key", "ts", "time_keep", true));
    assertThat(parse(keep, "{\"ts\":\"2024-05-01T12:00:00Z\"}").sink().keys()).containsExactly("ts");
  }

  @Test
  void aTimeThatDoesNotParseIsKeptAsAString() {
    LineParser json = parser("json", Map.of("time_key", "ts"));
    var p = parse(json, "{\"ts\":\"yesterday\",\"m\":\"x\"}");
    assertThat(p.result()).isEqualTo(ParseResult.OK_TIME_UNPARSED);
    assertThat(p.result().ok()).isTrue();
    assertThat(p.sink().times).isEmpty();
    assertThat(p.get("ts")).isEqualTo("yesterday");
  }

  @Test
  void epochTimesMayBeNumbers() {
    LineParser json = parser("json", Map.of("time_key", "t", "time_format", "epoch"));
    assertThat(parse(json, "{\"t\":1700000000}").sink().time()).isEqualTo(1_700_000_000_000_000_000L);
    var p = parse(json, "{\"t\":1700000000.25,\"x\":1}");
    assertThat(p.sink().time()).isEqualTo(1_700_000_000_250_000_000L);
    assertThat(p.sink().keys()).containsExactly("x");
    assertThat(parse(json, "{\"t\":\"1700000000.5\"}").sink().time()).isEqualTo(1_700_000_000_500_000_000L);
  }

  @Test
  void typesConvertStringValues() {
    LineParser json = parser("json", Map.of("types", "n:int f:float b:bool"));
    var p = parse(json, "{\"n\":\"42\",\"f\":\"0.5\",\"b\":\"TRUE\",\"other\":\"42\"}");
    assertThat(p.map()).containsExactly(Map.entry("n", 42L), Map.entry("f", 0.5), Map.entry("b", true),
        Map.entry("other", "42"));
  }

  @Test
  void repeatedKeysAreAllReported() {
    var p = parse(parser("json"), "{\"a\":1,\"a\":2}");
    assertThat(p.sink().fields).extracting(RecordingSink.Field::value).containsExactly(1L, 2L);
  }

  @Test
  void leniencies() {
    var p = parse(parser("json"), "{\"tab\":\"a\tb\",\"lead\":007}");
    assertThat(p.result()).isEqualTo(ParseResult.OK);
    assertThat(p.get("tab")).isEqualTo("a\tb");
    assertThat(p.get("lead")).isEqualTo(7L);
    assertThat(parse(parser("json"), "{\"s\":\"\\ud800x\"}").get("s")).isEqualTo("\uFFFDx");
  }

  static long nanos(String instant) {
    Instant i = Instant.parse(instant);
    return i.getEpochSecond() * 1_000_000_000L + i.getNano();
  }
}
