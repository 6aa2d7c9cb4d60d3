package io.swak.plugins.parse.step;

import static org.assertj.core.api.Assertions.assertThat;

import io.swak.api.Ack;
import io.swak.api.Batch;
import io.swak.api.Event;
import io.swak.core.testing.TestContext;
import io.swak.parsers.ParserOptions;
import io.swak.support.RecordWriter;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The parse step on batches, with the runtime's real counters (TestContext). */
class ParseStepTest {

  static final long T0 = 1_000_000_000L;
  static final String NGINX = "93.184.216.34 - alice [21/Nov/2026:14:38:12 +0900] \"GET /api/orders?id=7 HTTP/1.1\" "
      + "503 1234 \"https://example.com/\" \"curl/8.5.0\"";
  /** The seed's custom format, as out.MyLogParser parsed it in Java. */
  static final String SEED_REGEX = "^(?<date>\\d{4}-\\d{2}-\\d{2} \\d{2}:\\d{2}:\\d{2}(?:\\.\\d{1,9})?) "
      + "\\[(?<level>[A-Z]+)\\] \\((?<thread>[^)]*)\\) (?<text>.*)$";

  final TestContext context = new TestContext();

  static ParsePlugin.Options options(String format) {
    return new ParsePlugin.Options("message", format, new ParserOptions(
        null, null, null, ",", null, null, null, false, false,
        ParserOptions.OnError.KEEP, null));
  }

  ParseStep step(ParsePlugin.Options o) {
    ParseStep s = new ParseStep(o);
    s.start(context);
    return s;
  }

  /** A batch of records {message: line}, the lines written as msgpack str bytes as they are. */
  static Batch lines(byte[]... lines) {
    RecordWriter w = new RecordWriter();
    for (byte[] l : lines) {
      w.beginEntry(T0);
      w.mapHeader(1);
      w.string("message");
      w.string(l);
      w.endEntry();
    }
    return w.build("web", Ack.NONE);
  }

  static Batch lines(String... lines) {
    return lines(Arrays.stream(lines).map(l -> l.getBytes(StandardCharsets.UTF_8)).toArray(byte[][]::new));
  }

  @Test
  void nginxLineBecomesTypedFieldsAndSetsTheEventTime() throws Exception {
    List<Event> out = step(options("nginx")).process(lines(NGINX)).events();
    assertThat(out).singleElement().satisfies(e -> {
      assertThat(e.record()).containsEntry("remote", "93.184.216.34").containsEntry("user", "alice")
          .containsEntry("method", "GET").containsEntry("path", "/api/orders?id=7").containsEntry("code", 503L)
          .containsEntry("size", 1234L).containsEntry("agent", "curl/8.5.0").doesNotContainKey("message")
          .doesNotContainKey("time");
      assertThat(e.timeNanos()).isEqualTo(Instant.parse("2026-11-21T05:38:12Z").getEpochSecond() * 1_000_000_000L);
    });
    assertThat(context.count("parse_errors")).isZero();
  }

  @Test
  void theSeedsCustomFormatParsesWithARegexInsteadOfJava() throws Exception {
    ParsePlugin.Options o = new ParsePlugin.Options("message", "regex", new ParserOptions(
        SEED_REGEX, null, null, ",", "date",
        "%Y-%m-%d %H:%M:%S.%L", "Asia/Seoul", true, true, ParserOptions.OnError.KEEP, null));
    List<Event> out = step(o).process(lines("2026-11-21 14:38:12.345 [WARN] (worker-3) order 42: payment retried"))
        .events();
    assertThat(out).singleElement().satisfies(e -> {
      assertThat(e.record()).containsEntry("date", "2026-11-21 14:38:12.345").containsEntry("level", "WARN")
          .containsEntry("thread", "worker-3").containsEntry("text", "order 42: payment retried")
          .containsEntry("message", "2026-11-21 14:38:12.345 [WARN] (worker-3) order 42: payment retried");
      assertThat(e.timeNanos()).isEqualTo(Instant.parse("2026-11-21T05:38:12.345Z").toEpochMilli() * 1_000_000L);
    });
  }

  @Test
  void regexTypesConvertFieldsAndAValueThatDoesNotConvertStaysText() throws Exception {
    ParsePlugin.Options o = new ParsePlugin.Options("message", "regex", new ParserOptions(
        "^(?<status>\\S+) (?<took>\\S+) (?<ok>\\S+)$", Map.of("status", "int", "took", "float", "ok", "bool"),
        null, ",", null, null, null, false, false, ParserOptions.OnError.KEEP, null));
    List<Event> out = step(o).process(lines("500 0.25 true", "oops - false")).events();
    assertThat(out.get(0).record()).containsEntry("status", 500L).containsEntry("took", 0.25)
        .containsEntry("ok", true);
    assertThat(out.get(1).record()).containsEntry("status", "oops").containsEntry("ok", false)
        .containsKey("took").extractingByKey("took").isNull();
  }

  @Test
  void parsedFieldsJoinTheOtherFieldsAndReplaceOnesOfTheSameName() throws Exception {
    RecordWriter w = new RecordWriter();
    w.beginEntry(T0);
    w.mapHeader(3);
    w.string("host");
    w.string("original");
    w.string("message");
    w.string("{\"host\":\"parsed\",\"n\":7,\"nested\":{\"a\":[1,2]}}");
    w.string("seq");
    w.integer(1);
    w.endEntry();
    Batch b = w.build("t", Ack.NONE);
    Batch out = step(options("json")).process(b);
    // no pair twice in the bytes (a decoded map would hide a duplicate key)
    io.swak.api.EntryReader entry = new io.swak.api.EntryReader(out.data(), 0, out.length());
    entry.next();
    assertThat(io.swak.support.RecordBytes.mapSize(out.data(), entry.recordStart(), out.length())).isEqualTo(4);
    Map<String, Object> r = out.events().get(0).record();
    assertThat(r).containsOnlyKeys("host", "seq", "n", "nested").containsEntry("host", "parsed")
        .containsEntry("seq", 1L).containsEntry("n", 7L).containsEntry("nested", Map.of("a", List.of(1L, 2L)));
  }

  @Test
  void intoNestsTheParsedFieldsUnderOneKey() throws Exception {
    ParsePlugin.Options o = new ParsePlugin.Options("message", "logfmt", new ParserOptions(
        null, null, null, ",", null, null, null,
        false, true, ParserOptions.OnError.KEEP, "parsed"));
    Map<String, Object> r = step(o).process(lines("level=info msg=\"hello world\" debug")).events().get(0).record();
    assertThat(r).containsOnlyKeys("message", "parsed");
    assertThat(r.get("parsed")).isEqualTo(Map.of("level", "info", "msg", "hello world", "debug", true));
  }

  @Test
  void aFieldPathReachesANestedKey() throws Exception {
    RecordWriter w = new RecordWriter();
    w.beginEntry(T0);
    w.mapHeader(1);
    w.string("kubernetes");
    w.mapHeader(1);
    w.string("log.line");
    w.string("a=1");
    w.endEntry();
    ParsePlugin.Options o = new ParsePlugin.Options("kubernetes[\"log.line\"]", "logfmt", new ParserOptions(null,
        Map.of("a", "int"), null, ",", null, null, null, false, false, ParserOptions.OnError.KEEP, null));
    Map<String, Object> r = step(o).process(w.build("t", Ack.NONE)).events().get(0).record();
    assertThat(r).containsEntry("a", 1L).containsEntry("kubernetes", Map.of("log.line", "a=1"));
  }

  @Test
  void keepPassesEventsThatDoNotParseUnchangedAndCountsThemByReason() throws Exception {
    RecordWriter w = new RecordWriter();
    // no message field; message a number; a path into a string
    w.beginEntry(T0).mapHeader(1);
    w.string("other");
    w.string("x");
    w.endEntry();
    w.beginEntry(T0).mapHeader(1);
    w.string("message");
    w.integer(5);
    w.endEntry();
    Batch odd = w.build("t", Ack.NONE);
    ParseStep s = step(options("json"));
    List<Event> out = s.process(lines("{\"a\":1", "not json at all", "{\"ok\":true}")).events();
    assertThat(out).hasSize(3);
    assertThat(out.get(0).record()).isEqualTo(Map.of("message", "{\"a\":1"));
    assertThat(out.get(1).record()).isEqualTo(Map.of("message", "not json at all"));
    assertThat(out.get(2).record()).isEqualTo(Map.of("ok", true));
    assertThat(s.process(odd).events()).extracting(Event::record)
        .containsExactly(Map.of("other", "x"), Map.of("message", 5L));
    assertThat(context.count("parse_errors")).isEqualTo(4);
    assertThat(context.count("malformed")).isEqualTo(1);
    assertThat(context.count("no_match")).isEqualTo(1);
    assertThat(context.count("no_field")).isEqualTo(1);
    assertThat(context.count("not_text")).isEqualTo(1);
    assertThat(context.count("dropped")).isZero();
  }

  @Test
  void aPathIntoANonMapIsNotText() throws Exception {
    ParsePlugin.Options o = new ParsePlugin.Options("message.inner", "json", new ParserOptions(
        null, null, null, ",", null, null,
        null, false, false, ParserOptions.OnError.KEEP, null));
    ParseStep s = step(o);
    assertThat(s.process(lines("{}")).events()).extracting(Event::record).containsExactly(Map.of("message", "{}"));
    assertThat(context.count("not_text")).isEqualTo(1);
  }

  @Test
  void dropDropsAndCountsWhatDoesNotParse() throws Exception {
    ParsePlugin.Options o = new ParsePlugin.Options("message", "regex", new ParserOptions(
        "^(?<n>\\d+)$", Map.of("n", "int"), null,
        ",", null, null, null, false, false, ParserOptions.OnError.DROP, null));
    ParseStep s = step(o);
    assertThat(s.process(lines("nope", "also nope"))).isNull();
    assertThat(s.process(lines("12", "x", "13")).events()).extracting(e -> e.record().get("n"))
        .containsExactly(12L, 13L);
    assertThat(context.count("dropped")).isEqualTo(3);
    assertThat(context.count("no_match")).isEqualTo(3);
  }

  @Test
  void invalidUtf8IsPassedOnAsTheBytesItWas() throws Exception {
    byte[] line = "{\"a\":\"x\u00ff\"}".getBytes(StandardCharsets.ISO_8859_1); // 0xff alone: not UTF-8
    Batch out = step(options("json")).process(lines(line));
    assertThat(out.count()).isEqualTo(1);
    byte[] d = Arrays.copyOf(out.data(), out.length());
    assertThat(indexOf(d, new byte[] {'x', (byte) 0xff})).isPositive();
  }

  @Test
  void aTenMegabyteLineParses() throws Exception {
    String big = "x".repeat(10 << 20);
    List<Event> out = step(options("json")).process(lines("{\"big\":\"" + big + "\",\"n\":1}")).events();
    assertThat(out).singleElement().satisfies(e -> {
      assertThat((String) e.record().get("big")).hasSize(10 << 20);
      assertThat(e.record()).containsEntry("n", 1L);
    });
  }

  @Test
  void aTimeThatDoesNotParseKeepsTheEventTimeAndIsCounted() throws Exception {
    ParsePlugin.Options o = new ParsePlugin.Options("message", "json", new ParserOptions(
        null, null, null, ",", "ts", "iso8601",
        null, false, false, ParserOptions.OnError.KEEP, null));
    List<Event> out = step(o).process(lines("{\"ts\":\"yesterday\",\"a\":1}", "{\"ts\":\"2026-01-02T03:04:05Z\"}"))
        .events();
    assertThat(out.get(0).timeNanos()).isEqualTo(T0);
    assertThat(out.get(0).record()).containsEntry("ts", "yesterday").containsEntry("a", 1L);
    assertThat(out.get(1).timeNanos()).isEqualTo(Instant.parse("2026-01-02T03:04:05Z").getEpochSecond() * 1_000_000_000L);
    assertThat(out.get(1).record()).isEmpty();
    assertThat(context.count("time_unparsed")).isEqualTo(1);
  }

  @Test
  void everyFormatParsesItsOwnLine() throws Exception {
    Map<String, String> samples = Map.of(
        "ltsv", "host:10.0.0.1\tstatus:200",
        "apache", "10.0.0.1 - - [21/Nov/2026:14:38:12 +0000] \"GET / HTTP/1.1\" 200 5 \"-\" \"x\"",
        "syslog", "<34>1 2026-11-21T14:38:12Z web01 app 42 ID7 - hello",
        "cri", "2026-11-21T14:38:12.123456789Z stdout F hello there",
        "docker", "{\"log\":\"hello\\n\",\"stream\":\"stderr\",\"time\":\"2026-11-21T14:38:12Z\"}");
    for (Map.Entry<String, String> s : samples.entrySet()) {
      ParseStep step = step(options(s.getKey()));
      assertThat(step.process(lines(s.getValue())).events()).as(s.getKey()).singleElement()
          .satisfies(e -> assertThat(e.record()).as(s.getKey()).isNotEmpty().doesNotContainKey("parse_error"));
    }
    assertThat(context.count("parse_errors")).isZero();
    ParsePlugin.Options csv = new ParsePlugin.Options("message", "csv", new ParserOptions(null, Map.of("n", "int"),
        List.of("name", "n"), ";", null, null, null, false, false, ParserOptions.OnError.KEEP, null));
    assertThat(step(csv).process(lines("bob;3")).events().get(0).record()).isEqualTo(Map.of("name", "bob", "n", 3L));
  }

  private static int indexOf(byte[] d, byte[] what) {
    outer:
    for (int i = 0; i + what.length <= d.length; i++) {
      for (int j = 0; j < what.length; j++) {
        if (d[i + j] != what[j]) {
          continue outer;
        }
      }
      return i;
    }
    return -1;
  }
}
