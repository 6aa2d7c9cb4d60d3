package io.swak.plugins.exec;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import io.swak.api.Event;
import io.swak.core.config.AgentConfig;
import io.swak.core.config.ConfigException;
import io.swak.core.config.ConfigLoader;
import io.swak.core.testing.AgentTestBase;
import io.swak.core.testing.Pipelines;
import io.swak.core.testing.TestSink;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.condition.EnabledOnOs;
import org.junit.jupiter.api.condition.OS;

/**
 * in.Exec with real programs ({@code /bin/sh} scripts) through the real runtime into out.TestSink: scheduled
 * runs and their run events, JSON lines, timeouts that kill the whole process group, a stream restarted with
 * backoff, long lines, environment and directory, and a stream whose pipe fills while nothing is acknowledged.
 */
@EnabledOnOs(OS.LINUX)
class ExecInputTest extends AgentTestBase {

  private static final Duration PATIENCE = Duration.ofSeconds(15);

  @Test
  void scheduledRunsGiveTheirLinesThenARunEventWithExitCodeAndStderr() throws Exception {
    Path script = script("job.sh", "echo one; echo two; echo 'it failed' >&2; exit 3");
    start(sink("in.Exec: {command: \"/bin/sh " + script + "\", interval: 200ms, tag: job}"));
    await().atMost(PATIENCE).until(() -> tagged("job.run").size() >= 2);
    List<Event> got = TestSink.state(id).received;
    // the lines of a run come before its run event, run after run
    assertThat(got.subList(0, 6)).extracting(e -> e.tag() + " " + e.record().getOrDefault("message",
        e.record().get("exit_code"))).containsExactly("job one", "job two", "job.run 3", "job one", "job two", "job.run 3");
    Map<String, Object> run = tagged("job.run").get(0).record();
    assertThat(run).containsEntry("command", "/bin/sh " + script).containsEntry("exit_code", 3L)
        .containsEntry("lines", 2L).containsEntry("timed_out", false).containsEntry("stderr", "it failed")
        .containsEntry("stderr_truncated", false).containsKeys("pid", "duration_ms");
    assertThat(counter("runs")).isGreaterThanOrEqualTo(2);
    assertThat(counter("run_failures")).isGreaterThanOrEqualTo(2);
  }

  @Test
  void jsonLinesBecomeRecordsAndOtherLinesAreKeptAsMessages() throws Exception {
    Path script = script("json.sh", """
        echo '{"cpu": 12.5, "host": {"name": "a"}, "ok": true}'
        echo 'not json'
        echo '{"broken": '
        printf '\\377 bad byte\\n'
        """);
    start(sink("in.Exec: {command: \"/bin/sh " + script + "\", format: json, interval: 1h, run_events: false}"));
    await().atMost(PATIENCE).until(() -> TestSink.state(id).received.size() >= 4);
    assertThat(TestSink.state(id).received).extracting(Event::record).containsExactly(
        Map.of("cpu", 12.5, "host", Map.of("name", "a"), "ok", true),
        Map.of("message", "not json"),
        Map.of("message", "{\"broken\": "),
        Map.of("message", "\uFFFD bad byte"));
    assertThat(TestSink.state(id).received).extracting(Event::tag).containsOnly("exec.sh");
    assertThat(counter("invalid_json")).isEqualTo(3);
  }

  @Test
  void aTimeoutKillsTheWholeProcessGroup() throws Exception {
    Path pids = dir.resolve("pids");
    // the background sleep is not waited for by anyone once the shell is killed: only a group kill ends it
    Path script = script("hang.sh", "sleep 300 & echo $! > " + pids + "; echo started; wait");
    start(sink("in.Exec: {command: \"/bin/sh " + script + "\", interval: 1h, timeout: 300ms, tag: hang}"));
    await().atMost(PATIENCE).until(() -> !tagged("hang.run").isEmpty());
    Map<String, Object> run = tagged("hang.run").get(0).record();
    assertThat(run).containsEntry("timed_out", true).containsEntry("lines", 1L);
    assertThat((Long) run.get("exit_code")).isEqualTo(128 + 9L); // SIGKILL
    long sleeper = Long.parseLong(Files.readString(pids).strip());
    await().atMost(PATIENCE).until(() -> ProcessHandle.of(sleeper).map(h -> !h.isAlive()).orElse(true));
    assertThat(counter("timeouts")).isEqualTo(1);
  }

  @Test
  void aStreamThatExitsIsRestartedWithBackoffAndCounted() throws Exception {
    Path script = script("short.sh", "echo \"pid $$\"; echo bye >&2; exit 1");
    start(sink("in.Exec: {command: \"/bin/sh " + script + "\", mode: stream, restart_wait: 50ms, "
        + "restart_max_wait: 200ms, tag: s}"));
    await().atMost(PATIENCE).until(() -> tagged("s.run").size() >= 4);
    assertThat(tagged("s").stream().map(e -> e.record().get("message")).distinct().count())
        .as("each restart is a new process").isGreaterThanOrEqualTo(4);
    assertThat(tagged("s.run")).allSatisfy(e -> assertThat(e.record()).containsEntry("exit_code", 1L)
        .containsEntry("stderr", "bye"));
    assertThat(counter("restarts")).isGreaterThanOrEqualTo(4);
    // the waits doubled up to restart_max_wait: 50, 100, 200, 200 ms between the run events at least
    List<Event> runs = tagged("s.run");
    long gap = runs.get(3).timeNanos() - runs.get(2).timeNanos();
    assertThat(gap).isGreaterThanOrEqualTo(Duration.ofMillis(190).toNanos());
  }

  @Test
  void aLongLineKeepsItsFirstMaxLineSizeBytesAndTheNextLineIsWhole() throws Exception {
    Path script = script("long.sh", "head -c 3000000 /dev/zero | tr '\\0' a; echo; echo short; printf tail");
    start(sink("in.Exec: {command: \"/bin/sh " + script + "\", interval: 1h, max_line_size: 1KiB, "
        + "run_events: false}"));
    await().atMost(PATIENCE).until(() -> TestSink.state(id).received.size() >= 3);
    List<Object> messages = TestSink.state(id).received.stream().map(e -> e.record().get("message")).toList();
    assertThat(messages).containsExactly("a".repeat(1024), "short", "tail");
    assertThat(counter("lines_truncated")).isEqualTo(1);
  }

  @Test
  void aFloodOfStderrNeitherBlocksTheCommandNorFillsMemory() throws Exception {
    // 20 MB on stderr: a pipe nobody read would block the command at 64 KiB
    Path script = script("noisy.sh", "head -c 20000000 /dev/zero | tr '\\0' e >&2; echo 'the end' >&2; echo done");
    start(sink("in.Exec: {command: \"/bin/sh " + script + "\", interval: 1h, max_stderr_size: 1KiB, tag: n}"));
    await().atMost(PATIENCE).until(() -> !tagged("n.run").isEmpty());
    Map<String, Object> run = tagged("n.run").get(0).record();
    assertThat(run).containsEntry("exit_code", 0L).containsEntry("stderr_truncated", true).containsEntry("lines", 1L);
    String stderr = (String) run.get("stderr");
    assertThat(stderr).hasSizeLessThanOrEqualTo(1024).endsWith("eeethe end"); // its last KiB
    assertThat(tagged("n")).extracting(e -> e.record().get("message")).containsExactly("done");
  }

  @Test
  void environmentAndWorkingDirectoryAreThoseConfigured() throws Exception {
    Path work = Files.createDirectories(dir.resolve("work dir"));
    Path script = script("env.sh", "echo \"$GREETING\"; pwd");
    start(sink("in.Exec: {command: \"/bin/sh '" + script + "'\", interval: 1h, run_events: false, env: {GREETING: "
        + "hello world}, working_dir: \"" + work + "\"}"));
    await().atMost(PATIENCE).until(() -> TestSink.state(id).received.size() >= 2);
    assertThat(TestSink.state(id).received).extracting(e -> e.record().get("message"))
        .containsExactly("hello world", work.toRealPath().toString());
  }

  @Test
  void aStreamWhoseEventsAreNotAcknowledgedStopsBeingRead() throws Exception {
    Path count = dir.resolve("count");
    Path pid = dir.resolve("pid");
    // ~100-byte lines as fast as the shell writes them; the count file says how far it got
    Path script = script("flood.sh", "echo $$ > " + pid + "; i=0; while :; do i=$((i+1)); "
        + "echo \"line $i " + "x".repeat(90) + "\"; echo $i > " + count + "; done");
    TestSink.state(id).holding = true; // delivered, never acknowledged
    start("""
        - task:
          - in.Exec: {command: "/bin/sh %s", mode: stream, max_pending_size: 64KiB}
          - out.TestSink: {name: %s, window: 8}
        """.formatted(script, id));
    await().atMost(PATIENCE).until(() -> Files.exists(pid) && !Files.readString(pid).isBlank());
    long shell = Long.parseLong(Files.readString(pid).strip());
    // the shell ends up blocked writing into a full pipe
    await().atMost(PATIENCE).until(() -> blockedWriting(shell));
    long written = number(count);
    // 64 KiB unacknowledged, the pipe's 64 KiB, a line in hand: about 1,300 lines of ~100 bytes, never all
    assertThat(written).isLessThan(2_000);
    TestSink.state(id).holding = false;
    await().atMost(PATIENCE).until(() -> number(count) > written + 5_000);
  }

  @Test
  void aProgramThatCannotStartIsCountedAndTriedAgain() throws Exception {
    start(sink("in.Exec: {command: /no/such/program, mode: stream, restart_wait: 50ms, restart_max_wait: 50ms}"));
    await().atMost(PATIENCE).until(() -> counter("run_failures") >= 3);
    assertThat(counter("errors")).isGreaterThanOrEqualTo(3);
  }

  @Test
  void configErrorsAreReportedAtTheOption() {
    assertThatThrownBy(() -> parse("{command: date, schedule: \"61 * * * *\"}"))
        .isInstanceOf(ConfigException.class)
        .hasMessageContaining("t.yml:4:")
        .hasMessageContaining("invalid cron schedule '61 * * * *'")
        .hasMessageContaining("61");
    assertThatThrownBy(() -> parse("{command: date, schedule_time_zone: Mars/Olympus}"))
        .hasMessageContaining("unknown time zone 'Mars/Olympus'");
    assertThatThrownBy(() -> parse("{command: date, mode: stream, schedule: \"* * * * *\"}"))
        .hasMessageContaining("are for mode: scheduled");
    assertThatThrownBy(() -> parse("{command: \"sh -c 'x\"}")).hasMessageContaining("option `command` has an unclosed");
    assertThatThrownBy(() -> parse("{interval: 0s, command: date}")).hasMessageContaining("`interval` must be more");
  }

  @Test
  void aScheduleWithSecondsRunsOnItsSeconds() throws Exception {
    start(sink("in.Exec: {command: \"echo tick\", schedule: \"* * * * * *\", tag: tick}"));
    await().atMost(PATIENCE).until(() -> tagged("tick.run").size() >= 2);
    List<Event> ticks = tagged("tick");
    // started on whole seconds: the lines are read within a fraction of a second after
    assertThat(ticks.get(1).timeNanos() - ticks.get(0).timeNanos()).isBetween(
        Duration.ofMillis(700).toNanos(), Duration.ofMillis(1300).toNanos());
    assertThat(ticks).allSatisfy(e -> assertThat(e.timeNanos() % 1_000_000_000L).isLessThan(500_000_000L));
  }

  // --- helpers

  private String sink(String step) {
    return """
        - task:
          - %s
          - out.TestSink: {name: %s}
        """.formatted(step, id);
  }

  private List<Event> tagged(String tag) {
    return TestSink.state(id).received.stream().filter(e -> e.tag().equals(tag)).toList();
  }

  private long counter(String name) {
    return agent.tasks().get(0).counters().get(0).snapshot().getOrDefault(name, 0L);
  }

  private Path script(String name, String body) throws IOException {
    Path p = dir.resolve(name);
    Files.writeString(p, body + "\n", StandardCharsets.UTF_8);
    return p;
  }

  /** The number in a file a shell rewrites (-1 while it is being rewritten). */
  private static long number(Path file) throws IOException {
    String text = Files.readString(file).strip();
    return text.isEmpty() ? -1 : Long.parseLong(text);
  }

  /** The process sleeps in write(2) on its stdout: the kernel names the wait (pipe_write, anon_pipe_write). */
  private static boolean blockedWriting(long pid) {
    try {
      String wchan = Files.readString(Path.of("/proc/" + pid + "/wchan")).strip();
      return wchan.endsWith("pipe_write");
    } catch (IOException e) {
      return false;
    }
  }

  private static AgentConfig parse(String options) throws ConfigException {
    return new ConfigLoader(Pipelines.registry(), Map.of()).parse("t.yml",
        "- task:\n  - in.Exec:\n      " + options.substring(1, options.length() - 1).replace(", ", "\n      ")
            + "\n  - out.Null\n");
  }
}
