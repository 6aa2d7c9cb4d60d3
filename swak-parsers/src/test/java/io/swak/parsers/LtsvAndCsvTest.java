package io.swak.parsers;

import static io.swak.parsers.Lines.parse;
import static io.swak.parsers.Lines.parser;
import static org.assertj.core.api.Assertions.assertThat;

import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class LtsvAndCsvTest {

  @Test
  void ltsv() {
    LineParser ltsv = parser("ltsv", Map.of("types", "status:int", "time_key", "time",
        "time_format", "%d/%b/%Y:%H:%M:%S %z"));
    var p = parse(ltsv, "time:10/Oct/2000:13:55:36 -0700\thost:127.0.0.1\treq:GET /a:b HTTP/1.1\tstatus:200\t\tua:\r");
    assertThat(p.result()).isEqualTo(ParseResult.OK);
    assertThat(p.sink().time()).isEqualTo(JsonLineParserTest.nanos("2000-10-10T20:55:36Z"));
    assertThat(p.map()).containsExactly(Map.entry("host", "127.0.0.1"), Map.entry("req", "GET /a:b HTTP/1.1"),
        Map.entry("status", 200L), Map.entry("ua", ""));
    assertThat(parse(ltsv, "a:1\tnocolon").result()).isEqualTo(LtsvLineParser.NO_COLON);
    assertThat(parse(ltsv, ":1").result()).isEqualTo(LtsvLineParser.NO_LABEL);
    assertThat(parse(ltsv, "").result().kind()).isEqualTo(ParseResult.Kind.NO_MATCH);
  }

  @Test
  void csvWithRfc4180Quotes() {
    LineParser csv = parser("csv", Map.of("columns", List.of("a", "b", "c", "d"), "types", "d:int"));
    var p = parse(csv, "plain,\"quoted, with comma\",\"say \"\"hi\"\"\",12");
    assertThat(p.result()).isEqualTo(ParseResult.OK);
    assertThat(p.map()).containsExactly(Map.entry("a", "plain"), Map.entry("b", "quoted, with comma"),
        Map.entry("c", "say \"hi\""), Map.entry("d", 12L));
    var empties = parse(csv, ",\"\",, ");
    assertThat(empties.map()).containsExactly(Map.entry("a", ""), Map.entry("b", ""), Map.entry("c", ""),
        Map.entry("d", " "));
    Map<String, Object> missing = new HashMap<>();
    missing.put("a", "x");
    missing.put("b", null);
    missing.put("c", null);
    missing.put("d", null);
    assertThat(parse(csv, "x").map()).as("fewer values: nil for the rest").isEqualTo(missing);
    assertThat(parse(csv, "a,b,").map()).containsEntry("c", "").containsEntry("d", null);
    assertThat(parse(csv, "1,2,3,4,5").result()).isEqualTo(CsvLineParser.TOO_MANY);
    assertThat(parse(csv, "1,2,3,4,").result()).isEqualTo(CsvLineParser.TOO_MANY);
    assertThat(parse(csv, "\"open,2").result()).isEqualTo(CsvLineParser.UNCLOSED);
    assertThat(parse(csv, "\"a\"b,2").result()).isEqualTo(CsvLineParser.AFTER_QUOTE);
    assertThat(parse(csv, "a\"b,2\r\n").map()).containsEntry("a", "a\"b").containsEntry("b", "2");
  }

  @Test
  void csvDelimiters() {
    LineParser tsv = parser("csv", Map.of("columns", "x,y", "delimiter", "\\t"));
    assertThat(parse(tsv, "1,2\t\"3\t4\"").map()).containsExactly(Map.entry("x", "1,2"), Map.entry("y", "3\t4"));
    LineParser semi = parser("csv", Map.of("columns", "x y", "delimiter", ";", "quote", "'"));
    assertThat(parse(semi, "'a;''b'''; c").map()).containsExactly(Map.entry("x", "a;'b'"), Map.entry("y", " c"));
    assertThat(ParserFactory.create("csv", Map.of())).isInstanceOf(Setup.Rejected.class);
    assertThat(ParserFactory.create("csv", Map.of("columns", "a", "delimiter", "ab")))
        .isInstanceOf(Setup.Rejected.class);
    assertThat(ParserFactory.create("csv", Map.of("columns", "a", "delimiter", "\"")))
        .isInstanceOf(Setup.Rejected.class);
  }

  @Test
  void csvTenMegabyteQuotedField() {
    char[] c = new char[10 << 20];
    Arrays.fill(c, 'q');
    c[100] = '"';
    c[101] = '"';
    String big = new String(c);
    var p = parse(parser("csv", Map.of("columns", "a,b")), "\"" + big + "\",z");
    assertThat(p.result()).isEqualTo(ParseResult.OK);
    assertThat((String) p.get("a")).hasSize((10 << 20) - 1);
  }
}
