package io.swak.plugins.parse.step;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import io.swak.api.Event;
import io.swak.core.config.ConfigException;
import io.swak.core.config.ConfigLoader;
import io.swak.core.config.ConfigProblem;
import io.swak.core.testing.AgentTestBase;
import io.swak.core.testing.Pipelines;
import io.swak.core.testing.TestSink;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The parse step in the real runtime, behind a real in.FileTail, and its configuration errors. */
class ParsePipelineTest extends AgentTestBase {

  @Test
  void fileLinesAreParsedAndWhatDoesNotParseGoesToTheDeadLetterFileWithItsReason() throws Exception {
    Path log = dir.resolve("access.log");
    Files.writeString(log, ParseStepTest.NGINX + "\ngarbage line\n" + ParseStepTest.NGINX.replace("503", "200") + "\n");
    start("""
        - task:
          - in.FileTail: {path: "${DIR}/access.log", read_from_head: true, tag: web}
          - parse: {format: nginx, on_error: dead_letter}
          - out.TestSink: {name: %s}
        """.formatted(id));
    TestSink.State sink = TestSink.state(id);
    await().atMost(Duration.ofSeconds(20)).until(() -> sink.received.size() == 2);
    assertThat(sink.received).extracting(e -> e.record().get("code")).containsExactly(503L, 200L);
    Path dead = dir.resolve("data").resolve("dead-letter").resolve("task_1.jsonl");
    await().atMost(Duration.ofSeconds(20)).until(() -> Files.exists(dead) && Files.readString(dead).contains("\n"));
    String text = Files.readString(dead);
    assertThat(text).contains("garbage line").contains("parse nginx: the text breaks the format");
    Map<String, Long> counters = agent.tasks().get(0).counters().get(1).snapshot();
    assertThat(counters).containsEntry("dead_lettered", 1L).containsEntry("malformed", 1L);
    // acknowledged: nothing is read again after a restart
    agent.stop();
    agent = null;
    start("""
        - task:
          - in.FileTail: {path: "${DIR}/access.log", read_from_head: true, tag: web}
          - parse: {format: nginx, on_error: dead_letter}
          - out.TestSink: {name: %s}
        """.formatted(id));
    Files.writeString(log, "x\n", java.nio.file.StandardOpenOption.APPEND);
    await().atMost(Duration.ofSeconds(20)).until(() -> Files.readString(dead).lines().count() == 2);
    assertThat(sink.received).hasSize(2);
  }

  @Test
  void anInputsFormatWithIntoKeepOriginalAndOnErrorKeepMakesTheRecordsTheParseStepMakes() throws Exception {
    Path log = dir.resolve("app.log");
    Files.writeString(log, "level=info msg=\"hello world\" debug\nmessage=replaced level=warn\n"
        + "msg=\"unclosed quote\n");
    String options = "{format: logfmt, into: parsed, keep_original: true}";
    String flat = "{format: logfmt, keep_original: true}";
    start("""
        - task:
          - in.FileTail: {path: "${DIR}/app.log", pos_dir: "${DIR}/p1", read_from_head: true, path_key: file,
                          %s}
          - out.TestSink: {name: %s-input-into}
        - task:
          - in.FileTail: {path: "${DIR}/app.log", pos_dir: "${DIR}/p2", read_from_head: true, path_key: file}
          - parse: %s
          - out.TestSink: {name: %s-step-into}
        - task:
          - in.FileTail: {path: "${DIR}/app.log", pos_dir: "${DIR}/p3", read_from_head: true, path_key: file,
                          %s}
          - out.TestSink: {name: %s-input-flat}
        - task:
          - in.FileTail: {path: "${DIR}/app.log", pos_dir: "${DIR}/p4", read_from_head: true, path_key: file}
          - parse: %s
          - out.TestSink: {name: %s-step-flat}
        """.formatted(options.substring(1, options.length() - 1), id, options, id,
        flat.substring(1, flat.length() - 1), id, flat, id));
    for (String kind : new String[] {"into", "flat"}) {
      TestSink.State input = TestSink.state(id + "-input-" + kind);
      TestSink.State step = TestSink.state(id + "-step-" + kind);
      await().atMost(Duration.ofSeconds(20)).until(() -> input.received.size() == 3 && step.received.size() == 3);
      for (int i = 0; i < 3; i++) {
        assertThat(input.received.get(i).record()).as(kind + " line " + i).isEqualTo(step.received.get(i).record());
      }
    }
    assertThat(TestSink.state(id + "-input-into").received.get(0).record()).isEqualTo(Map.of(
        "parsed", Map.of("level", "info", "msg", "hello world", "debug", true),
        "message", "level=info msg=\"hello world\" debug", "file", log.toString()));
    assertThat(TestSink.state(id + "-input-flat").received.get(1).record())
        .isEqualTo(Map.of("message", "replaced", "level", "warn", "file", log.toString())); // a parsed field wins
    assertThat(TestSink.state(id + "-input-flat").received.get(2).record())
        .isEqualTo(Map.of("message", "msg=\"unclosed quote", "file", log.toString())); // on_error keep
  }

  @Test
  void aBadRegexIsAConfigErrorAtItsStepWithTheRegexOwnMessage() {
    String yaml = """
        - task:
          - in.TestSource: {name: x}
          - parse:
              format: regex
              regex: '^(?<a>[0-9+$'
          - out.TestSink: {name: x}
        """;
    assertThatThrownBy(() -> new ConfigLoader(Pipelines.registry(), Map.of()).parse("swak.yml", yaml))
        .isInstanceOfSatisfying(ConfigException.class, e -> {
          ConfigProblem p = e.problems().get(0);
          assertThat(p.file()).isEqualTo("swak.yml");
          assertThat(p.line()).isEqualTo(3);
          assertThat(p.column()).isPositive();
          assertThat(p.message()).contains("regex").containsIgnoringCase("unclosed character class");
        });
  }

  @Test
  void anUnknownFormatAndAMisplacedOptionAreConfigErrors() {
    ConfigLoader loader = new ConfigLoader(Pipelines.registry(), Map.of());
    assertThatThrownBy(() -> loader.parse("a.yml", """
        - task:
          - in.TestSource: {name: x}
          - parse: {format: yaml}
          - out.TestSink: {name: x}
        """)).hasMessageContaining("unknown format yaml").hasMessageContaining("nginx");
    assertThatThrownBy(() -> loader.parse("b.yml", """
        - task:
          - in.TestSource: {name: x}
          - parse: {format: json, regex: 'a'}
          - out.TestSink: {name: x}
        """)).hasMessageContaining("b.yml:3:5").hasMessageContaining("unknown option regex for format json");
    assertThatThrownBy(() -> loader.parse("c.yml", """
        - task:
          - in.TestSource: {name: x}
          - parse: {format: json, key: 'a..b'}
          - out.TestSink: {name: x}
        """)).hasMessageContaining("two dots in a row");
  }

  @Test
  void theSeedsSecondExampleRunsWithParseInPlaceOfTheJavaParser() throws Exception {
    Path log = dir.resolve("mylog.txt");
    Files.writeString(log, "2026-11-21 14:38:12.345 [WARN] (worker-3) order 42: payment retried\n"
        + "2026-11-21 14:38:13 [INFO] (main) started\n");
    start("""
        - task:
          - in.FileTail: {path: "${DIR}/mylog.txt", read_from_head: true, tag: app}
          - parse:
              format: regex
              regex: '%s'
          - out.TestSink: {name: %s}
        """.formatted(ParseStepTest.SEED_REGEX.replace("'", "''"), id));
    TestSink.State sink = TestSink.state(id);
    await().atMost(Duration.ofSeconds(20)).until(() -> sink.received.size() == 2);
    List<Map<String, Object>> records = sink.received.stream().map(Event::record).toList();
    assertThat(records.get(0)).containsEntry("level", "WARN").containsEntry("thread", "worker-3")
        .containsEntry("text", "order 42: payment retried").doesNotContainKey("message");
    assertThat(records.get(1)).containsEntry("date", "2026-11-21 14:38:13").containsEntry("level", "INFO");
  }
}
