package io.swak.parsers;

import static io.swak.parsers.Lines.parse;
import static io.swak.parsers.Lines.parser;
import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;

class RegexLineParserTest {

  static LineParser regex(String pattern) {
    return parser("regex", Map.of("regex", pattern));
  }

  static Setup<LineParser> setup(String pattern) {
    return ParserFactory.create("regex", Map.of("regex", pattern));
  }

  @Test
  void namedGroupsBecomeFields() {
    var p = parse(regex("^(?<host>[^ ]+) (?<remote_addr>[^ ]+)(?: (?<opt>x))? (?<rest>.*)$"), "web1 10.0.0.1 hi there");
    assertThat(p.result()).isEqualTo(ParseResult.OK);
    assertThat(p.sink().keys()).as("a group that took no part is absent").containsExactly("host", "remote_addr",
        "rest");
    assertThat(p.map()).containsEntry("remote_addr", "10.0.0.1").containsEntry("rest", "hi there");
  }

  @Test
  void aRegexThatMatchesNothingIsNoMatch() {
    var p = parse(regex("^(?<n>\\d+)$"), "abc");
    assertThat(p.result()).isEqualTo(RegexLineParser.NO_MATCH);
    assertThat(p.sink().fields).isEmpty();
  }

  @Test
  void typesAndTime() {
    LineParser r = parser("regex", Map.of("regex", "^(?<t>\\S+) (?<code>\\S+) (?<ms>\\S+) (?<ok>\\S+) (?<size>\\S+)$",
        "types", Map.of("code", "int", "ms", "float", "ok", "bool", "size", "integer"),
        "time_key", "t", "time_format", "%Y-%m-%dT%H:%M:%S%z"));
    var p = parse(r, "2024-05-01T12:00:00+0000 200 1.5 true -");
    assertThat(p.sink().time()).isEqualTo(JsonLineParserTest.nanos("2024-05-01T12:00:00Z"));
    assertThat(p.sink().keys()).containsExactly("code", "ms", "ok", "size");
    assertThat(p.map()).containsEntry("code", 200L).containsEntry("ms", 1.5).containsEntry("ok", true)
        .containsEntry("size", null);
    var bad = parse(r, "2024-05-01T12:00:00+0000 2x0 abc maybe 12");
    assertThat(bad.map()).as("values that do not convert stay strings").containsEntry("code", "2x0")
        .containsEntry("ms", "abc").containsEntry("ok", "maybe").containsEntry("size", 12L);
    var noTime = parse(r, "noon 200 1 true 1");
    assertThat(noTime.result()).isEqualTo(ParseResult.OK_TIME_UNPARSED);
    assertThat(noTime.map()).containsEntry("t", "noon");
  }

  @Test
  void utf8ContentIsCapturedWhole() {
    var p = parse(regex("^(?<a>[^ ]+) (?<b>\\S+) (?<c>.+)$"), "héllo 日本語 ça va 😀");
    assertThat(p.map()).containsEntry("a", "héllo").containsEntry("b", "日本語").containsEntry("c", "ça va 😀");
  }

  @Test
  void nonAsciiLiteralsMatchTheirUtf8Bytes() {
    var p = parse(regex("^café+ (?<x>\\S+) ü{2}$"), "caféé 1 üü");
    assertThat(p.result()).isEqualTo(ParseResult.OK);
    assertThat(p.get("x")).isEqualTo("1");
    assertThat(parse(regex("^(?<w>(?:é|è)+)$"), "éèé").get("w")).isEqualTo("éèé");
    assertThat(parse(regex("^(?<w>\\QÇa?\\E)$"), "Ça?").get("w")).isEqualTo("Ça?");
    assertThat(parse(regex("^\\xC3\\xA9(?<r>.*)"), "éx").get("r")).as("\\xhh is a byte").isEqualTo("x");
    byte[] latin1 = {'a', (byte) 0xE9, 'b'};
    assertThat(parse(regex("^a\\xE9(?<r>b)"), latin1).get("r")).as("raw non-UTF-8 bytes").isEqualTo("b");
  }

  @Test
  void refusesWhatCannotWorkOnBytes() {
    assertThat(setup("^(?<x>[éa]+)$")).isInstanceOf(Setup.Rejected.class);
    assertThat(setup("(?iu)(?<x>a)")).isInstanceOf(Setup.Rejected.class);
    assertThat(setup("(?U:(?<x>\\w+))")).isInstanceOf(Setup.Rejected.class);
    assertThat(setup("(?<x>\\u00e9)")).isInstanceOf(Setup.Rejected.class);
    assertThat(setup("^(?<x>a")).isInstanceOf(Setup.Rejected.class);
    assertThat(setup("^(a+)$")).as("no named group").isInstanceOf(Setup.Rejected.class);
    assertThat(setup("(?<x>a)(?<x>b)")).isInstanceOf(Setup.Rejected.class);
    assertThat(setup("(?<x y>a)")).isInstanceOf(Setup.Rejected.class);
    assertThat(ParserFactory.create("regex", Map.of())).isInstanceOf(Setup.Rejected.class);
    assertThat(setup("(?i)(?<x>abc)(?<=c)(?<!d)\\k<x>")).isInstanceOf(Setup.Ready.class);
  }

  @Test
  void groupNumbersAreCountedRight() {
    String pattern = "^(a)(?:b)(?<one>c)(?=d)(?<two>d)[(](?<three>\\()\\Q(\\E(?i:(?<four>e))(?<=e)(?!x)"
        + "(?<five>(f)(?<six>g))(?s:(?<seven>h))$";
    Setup<RegexPattern> s = RegexPattern.compile(pattern);
    RegexPattern compiled = s.orElseThrow();
    assertThat(compiled.groupNumbers).containsExactly(2, 3, 4, 5, 6, 8, 9);
    var p = parse(regex(pattern), "abcd(((efgh");
    assertThat(p.map()).containsExactly(Map.entry("one", "c"), Map.entry("two", "d"), Map.entry("three", "("),
        Map.entry("four", "e"), Map.entry("five", "fg"), Map.entry("six", "g"), Map.entry("seven", "h"));
    RegexPattern commented = RegexPattern.compile("(?x)(?<a>x) # (not a group\n(?<b>y)").orElseThrow();
    assertThat(commented.groupNumbers).as("(?x) comments: names are looked up instead").isNull();
    assertThat(parse(regex("(?x)(?<a>x) # (not a group\n(?<b>y)"), "xy").map()).containsExactly(
        Map.entry("a", "x"), Map.entry("b", "y"));
  }

  @Test
  void caseInsensitiveStaysAscii() {
    assertThat(parse(regex("(?i)^(?<m>get|post) é$"), "GET é").get("m")).isEqualTo("GET");
  }

  @Test
  void backreferencesToRenamedGroups() {
    assertThat(parse(regex("^(?<q>['\"])(?<v>[^'\"]*)\\k<q>$"), "'abc'").get("v")).isEqualTo("abc");
  }

  @Test
  void catastrophicBacktrackingGivesUp() {
    LineParser evil = regex("^(?<x>(.*a){8})$"); // 2.5 s of java.util.regex on these 31 bytes unbounded
    String line = "a".repeat(30) + "!";
    long start = System.nanoTime();
    assertThat(parse(evil, line).result()).isEqualTo(RegexLineParser.GAVE_UP);
    assertThat(Duration.ofNanos(System.nanoTime() - start)).isLessThan(Duration.ofSeconds(10));
    assertThat(parse(evil, "aaaaaaaa").get("x")).as("the parser works on the next line").isEqualTo("aaaaaaaa");
  }

  @Test
  void tenMegabyteLines() {
    String big = "ab".repeat(5 << 20);
    var simple = parse(regex("^(?<all>.*)$"), big);
    assertThat((String) simple.get("all")).hasSize(10 << 20);
    // recursion per repetition: java.util.regex overflows the stack here; a value, not a crash
    var recursive = parse(regex("^(?<all>(?:a|b)*)$"), big);
    assertThat(recursive.result().kind()).isIn(ParseResult.Kind.OK, ParseResult.Kind.MALFORMED);
  }
}
