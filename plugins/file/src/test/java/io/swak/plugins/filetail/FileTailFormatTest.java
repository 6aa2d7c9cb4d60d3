package io.swak.plugins.filetail;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import io.swak.api.Event;
import io.swak.core.config.ConfigLoader;
import io.swak.core.config.PluginRegistry;
import io.swak.core.testing.AgentTestBase;
import io.swak.core.testing.TestSink;
import java.nio.charset.Charset;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** in.FileTail with `format:`: each line parsed once from its bytes, in the real runtime. */
class FileTailFormatTest extends AgentTestBase {

  static final String NGINX = "203.0.113.9 - alice [21/Nov/2026:14:38:12 +0900] \"GET /api/v1/orders?id=7 HTTP/1.1\" "
      + "503 1234 \"https://example.com/\" \"curl/8.5.0\"";

  @Test
  void nginxLinesBecomeTypedFieldsTimedByTheLineAndWhatDoesNotParseIsKeptAsTextAndCounted() throws Exception {
    Path log = dir.resolve("access.log");
    Files.writeString(log, NGINX + "\nnot an access line\n" + NGINX.replace("503", "200") + "\n");
    start("""
        - task:
          - in.FileTail: {path: "${DIR}/access.log", read_from_head: true, tag: web, format: nginx, path_key: file}
          - out.TestSink: {name: %s}
        """.formatted(id));
    TestSink.State sink = TestSink.state(id);
    await().atMost(Duration.ofSeconds(20)).until(() -> sink.received.size() == 3);
    Event first = sink.received.get(0);
    assertThat(first.record()).containsEntry("remote", "203.0.113.9").containsEntry("user", "alice")
        .containsEntry("method", "GET").containsEntry("code", 503L).containsEntry("size", 1234L)
        .containsEntry("agent", "curl/8.5.0").containsEntry("file", log.toString()).doesNotContainKey("message");
    assertThat(first.timeNanos()).isEqualTo(Instant.parse("2026-11-21T05:38:12Z").getEpochSecond() * 1_000_000_000L);
    assertThat(sink.received.get(1).record()).isEqualTo(Map.of("message", "not an access line",
        "file", log.toString()));
    assertThat(sink.received.get(2).record()).containsEntry("code", 200L);
    await().atMost(Duration.ofSeconds(10)).until(() ->
        agent.tasks().get(0).counters().get(0).snapshot().getOrDefault("parse_errors", 0L) == 1L);
    assertThat(agent.tasks().get(0).counters().get(0).snapshot()).containsEntry("no_match", 1L);
  }

  @Test
  void regexWithTypesAndTimeOnACp949FileAndAJoinedMultilineEvent() throws Exception {
    Path log = dir.resolve("app.log");
    Files.write(log, """
        2026-11-21 14:38:12.345 [WARN] (worker-3) order 42: 다시 시도합니다
        2026-11-21 14:38:13.000 [ERROR] (main) failed
          at a.B.c(B.java:1)
        """.getBytes(Charset.forName("x-windows-949")));
    start("""
        - task:
          - in.FileTail:
              path: "${DIR}/app.log"
              read_from_head: true
              encoding: cp949
              multiline: {start: '^\\d{4}-', flush_timeout: 200ms}
              format: regex
              regex: '^(?<date>\\S+ \\S+) \\[(?<level>[A-Z]+)\\] \\((?<thread>[^)]*)\\) (?<text>(?:order (?<order>\\d+):)?(?s:.*))$'
              types: {order: int}
              time_key: date
              time_format: '%%Y-%%m-%%d %%H:%%M:%%S.%%L'
              time_zone: Asia/Seoul
          - out.TestSink: {name: %s}
        """.formatted(id));
    TestSink.State sink = TestSink.state(id);
    await().atMost(Duration.ofSeconds(20)).until(() -> sink.received.size() == 2);
    assertThat(sink.received.get(0).record()).containsEntry("level", "WARN").containsEntry("order", 42L)
        .containsEntry("text", "order 42: 다시 시도합니다").doesNotContainKey("date");
    assertThat(sink.received.get(0).timeNanos())
        .isEqualTo(Instant.parse("2026-11-21T05:38:12.345Z").toEpochMilli() * 1_000_000L);
    assertThat(sink.received.get(1).record()).containsEntry("level", "ERROR")
        .containsEntry("text", "failed\n  at a.B.c(B.java:1)");
  }

  /** The bad input, on one file: each line gets its outcome and a counter, and the task runs on. */
  static byte[] badLines() {
    java.io.ByteArrayOutputStream b = new java.io.ByteArrayOutputStream();
    b.writeBytes("{\"n\":1,\"msg\":\"ok\"}\n".getBytes(StandardCharsets.UTF_8));
    b.writeBytes("{\"n\":2,\"msg\":\"caf".getBytes(StandardCharsets.UTF_8)); // invalid UTF-8 in a value: kept
    b.writeBytes(new byte[] {(byte) 0xFF, (byte) 0xFE});
    b.writeBytes("\"}\n".getBytes(StandardCharsets.UTF_8));
    b.write(0xFF); // invalid UTF-8 before the object: not JSON (no_match)
    b.writeBytes("{\"n\":3}\n".getBytes(StandardCharsets.UTF_8));
    b.writeBytes("{\"n\":4,\"msg\":\"cut in ha\n".getBytes(StandardCharsets.UTF_8)); // cut in half (malformed)
    byte[] big = new byte[10 << 20]; // 10 MB: cut at max_line_size, so malformed too
    java.util.Arrays.fill(big, (byte) 'x');
    b.writeBytes("{\"n\":5,\"big\":\"".getBytes(StandardCharsets.UTF_8));
    b.writeBytes(big);
    b.writeBytes("\"}\n".getBytes(StandardCharsets.UTF_8));
    b.writeBytes("{\"n\":6,\"at\":\"yesterday noon\"}\n".getBytes(StandardCharsets.UTF_8)); // time does not parse
    b.writeBytes("{\"n\":7,\"at\":\"2026-11-21T05:38:12Z\"}\n".getBytes(StandardCharsets.UTF_8));
    return b.toByteArray();
  }

  @Test
  void badLinesGoToTheDeadLetterFileWithTheirReasonCountedAndNothingIsLostOrRestarted() throws Exception {
    Path log = dir.resolve("app.log");
    Files.write(log, badLines());
    String yaml = """
        - task:
          - in.FileTail: {path: "${DIR}/app.log", read_from_head: true, tag: app, format: json, time_key: at,
                          time_format: iso8601, on_error: dead_letter}
          - out.TestSink: {name: %s}
        """.formatted(id);
    start(yaml);
    TestSink.State sink = TestSink.state(id);
    await().atMost(Duration.ofSeconds(30)).until(() -> sink.received.size() == 4);
    assertThat(sink.received).extracting(e -> e.record().get("n")).containsExactly(1L, 2L, 6L, 7L);
    assertThat(sink.received.get(1).record().get("msg")).isEqualTo("caf\uFFFD\uFFFD"); // its bytes, as they were
    assertThat(sink.received.get(2).record()).containsEntry("at", "yesterday noon");
    assertThat(sink.received.get(3).timeNanos())
        .isEqualTo(Instant.parse("2026-11-21T05:38:12Z").getEpochSecond() * 1_000_000_000L);
    Path dead = dir.resolve("data").resolve("dead-letter").resolve("task_1.jsonl");
    await().atMost(Duration.ofSeconds(20)).until(() -> Files.exists(dead) && letters(dead).size() == 3);
    java.util.List<String> letters = letters(dead);
    assertThat(letters).anySatisfy(l -> assertThat(l).contains("{\\\"n\\\":3}")
        .contains("format json: the text is not in this format"));
    assertThat(letters).anySatisfy(l -> assertThat(l).contains("cut in ha")
        .contains("format json: the text breaks the format"));
    assertThat(letters).anySatisfy(l -> assertThat(l).contains("xxxxxxxx").hasSizeGreaterThan(1 << 20));
    Map<String, Long> counters = agent.tasks().get(0).counters().get(0).snapshot();
    assertThat(counters).containsEntry("parse_errors", 3L).containsEntry("no_match", 1L)
        .containsEntry("malformed", 2L).containsEntry("dead_lettered", 3L).containsEntry("time_unparsed", 1L)
        .containsEntry("long_lines_truncated", 1L);
    assertThat(agent.tasks().get(0).restarts()).isZero();
    assertThat(agent.tasks().get(0).state()).isEqualTo("running");

    // the checkpoint passed the dead letters: after a restart none is read again
    agent.stop();
    agent = null;
    start(yaml);
    Files.writeString(log, "{\"n\":8}\n", java.nio.file.StandardOpenOption.APPEND);
    await().atMost(Duration.ofSeconds(20)).until(() -> sink.received.size() == 5);
    assertThat(sink.received.get(4).record()).containsEntry("n", 8L);
    assertThat(letters(dead)).hasSize(3);
  }

  @Test
  void aDeadLetterFileThatCannotBeWrittenHoldsTheLinesUntilItCan() throws Exception {
    Path data = Files.createDirectories(dir.resolve("data"));
    Path blocker = Files.writeString(data.resolve("dead-letter"), "a file where the directory goes");
    Path log = dir.resolve("app.log");
    Files.writeString(log, "{\"n\":1}\n{\"n\":2,\"cut\n{\"n\":3}\n");
    start("""
        - task:
          - in.FileTail: {path: "${DIR}/app.log", read_from_head: true, format: json, on_error: dead_letter}
          - out.TestSink: {name: %s}
        """.formatted(id));
    TestSink.State sink = TestSink.state(id);
    await().atMost(Duration.ofSeconds(20)).until(() ->
        agent.tasks().get(0).counters().get(0).snapshot().getOrDefault("errors", 0L) >= 1L);
    assertThat(sink.received).isEmpty(); // the read that met the bad line failed: nothing went past it
    await().atMost(Duration.ofSeconds(20)).until(() ->
        agent.tasks().get(0).counters().get(0).snapshot().getOrDefault("errors", 0L) >= 3L); // tried again and again
    assertThat(sink.received).isEmpty();
    Files.delete(blocker); // the file is read again on its own, without a new line
    Path dead = data.resolve("dead-letter").resolve("task_1.jsonl");
    await().atMost(Duration.ofSeconds(20)).until(() -> sink.received.size() == 2);
    assertThat(sink.received).extracting(e -> e.record().get("n")).containsExactly(1L, 3L);
    assertThat(letters(dead)).singleElement().satisfies(l -> assertThat(l).contains("cut"));
    assertThat(agent.tasks().get(0).restarts()).isZero();
  }

  /** The dead-letter file's lines; they hold the lines' bytes as they were, invalid UTF-8 too. */
  static java.util.List<String> letters(Path dead) throws java.io.IOException {
    return new String(Files.readAllBytes(dead), StandardCharsets.UTF_8).lines().toList();
  }

  @Test
  void onErrorDropDropsALineTheRegexDoesNotMatchAndCountsIt() throws Exception {
    Path log = dir.resolve("app.log");
    Files.writeString(log, "200 GET /a\nnothing to see here\n404 PUT /b\n");
    start("""
        - task:
          - in.FileTail: {path: "${DIR}/app.log", read_from_head: true, format: regex,
                          regex: '^(?<code>\\d+) (?<method>[A-Z]+) (?<path>\\S+)$', types: {code: int}, on_error: drop}
          - out.TestSink: {name: %s}
        """.formatted(id));
    TestSink.State sink = TestSink.state(id);
    await().atMost(Duration.ofSeconds(20)).until(() -> sink.received.size() == 2);
    assertThat(sink.received).extracting(e -> e.record().get("code")).containsExactly(200L, 404L);
    await().atMost(Duration.ofSeconds(10)).until(() ->
        agent.tasks().get(0).counters().get(0).snapshot().getOrDefault("dropped", 0L) == 1L);
    assertThat(agent.tasks().get(0).counters().get(0).snapshot()).containsEntry("no_match", 1L)
        .containsEntry("parse_errors", 1L);
    assertThat(agent.tasks().get(0).restarts()).isZero();
  }

  @Test
  void aBadFormatOrParserOptionsWithoutAFormatAreConfigErrors() {
    ConfigLoader loader = new ConfigLoader(PluginRegistry.builtIn(), Map.of());
    assertThatThrownBy(() -> loader.parse("f.yml", """
        - task:
          - in.FileTail: {path: /a.log, format: yaml}
          - out.Stdout
        """)).hasMessageContaining("f.yml:2:").hasMessageContaining("unknown format yaml");
    assertThatThrownBy(() -> loader.parse("f.yml", """
        - task:
          - in.FileTail: {path: /a.log, format: regex, regex: '(?<a>[0-9'}
          - out.Stdout
        """)).hasMessageContaining("Unclosed character class");
    assertThatThrownBy(() -> loader.parse("f.yml", """
        - task:
          - in.FileTail: {path: /a.log, regex: 'x'}
          - out.Stdout
        """)).hasMessageContaining("options of a `format`");
    assertThatThrownBy(() -> loader.parse("f.yml", """
        - task:
          - in.FileTail: {path: /a.log, format: json, on_error: explode}
          - out.Stdout
        """)).hasMessageContaining("f.yml:2:").hasMessageContaining("on_error")
        .hasMessageContaining("keep, drop, dead_letter");
    assertThatThrownBy(() -> loader.parse("f.yml", """
        - task:
          - in.FileTail: {path: /a.log, format: json, into: a.b}
          - out.Stdout
        """)).hasMessageContaining("`into`").hasMessageContaining("top-level field");
    assertThatThrownBy(() -> loader.parse("f.yml", """
        - task:
          - in.FileTail: {path: /a.log, format: json, on_eror: drop}
          - out.Stdout
        """)).hasMessageContaining("unknown option `on_eror`").hasMessageContaining("on_error");
  }
}
