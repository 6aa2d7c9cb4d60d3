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
  }
}
