package io.swak.plugins.exec;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import io.swak.api.Ack;
import io.swak.api.Batch;
import io.swak.api.BatchBuilder;
import io.swak.api.Event;
import io.swak.core.config.AgentConfig;
import io.swak.core.config.ConfigException;
import io.swak.core.config.ConfigLoader;
import io.swak.support.LineFormat;
import io.swak.core.testing.AgentTestBase;
import io.swak.core.testing.Pipelines;
import io.swak.core.testing.TestContext;
import io.swak.core.testing.TestSink;
import io.swak.core.testing.TestSource;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.stream.LongStream;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.condition.DisabledOnOs;
import org.junit.jupiter.api.condition.OS;
import org.slf4j.LoggerFactory;

/**
 * out.Exec with real subprocesses ({@code /bin/sh} scripts in the test's directory): through the runtime for
 * what flows on and what is acknowledged, and run directly where a test needs the exact failure.
 */
@DisabledOnOs(OS.WINDOWS) // the commands are /bin/sh scripts
class ExecTest extends AgentTestBase {

  // --- through the runtime

  @Test
  void theCommandsResultsFlowOnAndEveryInputIsAcknowledged() throws Exception {
    // batches of one: odd ones come back empty (acknowledged, nothing sent on), even ones as one record
    Path script = script("keep-even.sh", "grep -E '\"seq\":[0-9]*[02468]}' \"$1\" > \"$2\" || true");
    start("""
        - task:
          - in.TestSource: {name: %s, batch: 1, total: 20}
          - out.Exec: {cmd: "/bin/sh '%s'", format: record}
          - out.TestSink: {name: %s}
        """.formatted(id, script, id));
    await().atMost(Duration.ofSeconds(10)).until(() -> committed() == 20);
    TestSink.State sink = TestSink.state(id);
    assertThat(sink.seqs()).containsExactly(2L, 4L, 6L, 8L, 10L, 12L, 14L, 16L, 18L, 20L);
    assertThat(sink.received).allSatisfy(e -> {
      assertThat(e.record()).containsOnlyKeys("seq");
      assertThat(e.tag()).isEqualTo("test");
    });
    assertThat(counter(1, "exec_runs")).isEqualTo(20);
    assertThat(tempFiles()).isEmpty();
  }

  @Test
  void linesThatAreNotJsonObjectsBecomeMessagesUnderTheConfiguredTag() throws Exception {
    Path script = script("mixed.sh", """
        {
          echo '{"kind": "json", "n": [1, 2.5, true, null], "deep": {"a": "b"}}'
          echo 'not {json'
          echo '{"a": 1} trailing'
          printf '\\n   \\n'
          printf '\\377bad byte\\n'
          while read -r line; do echo "got $line"; done < "$1"
        } > "$2"
        """);
    start("""
        - task:
          - in.TestSource: {name: %s, batch: 2, total: 2}
          - out.Exec: {cmd: "/bin/sh %s", format: record, tag: results}
          - out.TestSink: {name: %s}
        """.formatted(id, script, id));
    await().atMost(Duration.ofSeconds(10)).until(() -> committed() == 2);
    List<Event> got = TestSink.state(id).received;
    assertThat(got).extracting(Event::tag).containsOnly("results");
    assertThat(got).extracting(Event::record).containsExactly(
        Map.of("kind", "json", "n", java.util.Arrays.asList(1L, 2.5, true, null), "deep", Map.of("a", "b")),
        Map.of("message", "not {json"),
        Map.of("message", "{\"a\": 1} trailing"),
        Map.of("message", "\uFFFDbad byte"),
        Map.of("message", "got {\"seq\":1}"),
        Map.of("message", "got {\"seq\":2}"));
  }

  @Test
  void aFailingCommandLosesNothingOnceItIsFixed() throws Exception {
    Path script = script("flaky.sh", "echo boom >&2; exit 3");
    ch.qos.logback.classic.Logger bufferLog = (ch.qos.logback.classic.Logger) LoggerFactory.getLogger("swak.buffer");
    ListAppender<ILoggingEvent> logged = new ListAppender<>();
    logged.start();
    bufferLog.addAppender(logged);
    try {
      start("""
          - task:
            - in.TestSource: {name: %s, batch: 10, total: 50}
            - out.LinedBuffer:
              lines: 10
            - out.Exec: {cmd: "/bin/sh '%s'", format: record}
            - out.TestSink: {name: %s}
          """.formatted(id, script, id));
      await().atMost(Duration.ofSeconds(5)).until(() -> counter(2, "exec_failures") >= 1);
      // what the operator sees: the buffer's retry says why
      await().atMost(Duration.ofSeconds(5)).until(() -> logged.list.stream().map(ILoggingEvent::getFormattedMessage)
          .anyMatch(m -> m.contains("out.Exec): command exited with status 3: boom")));
    } finally {
      bufferLog.detachAppender(logged);
    }
    assertThat(counter(2, "errors")).isGreaterThanOrEqualTo(1);
    assertThat(committed()).isZero();
    assertThat(TestSink.state(id).received).isEmpty();
    rewrite(script, "cat \"$1\" > \"$2\"");
    await().atMost(Duration.ofSeconds(10)).until(() -> committed() == 50);
    assertThat(TestSink.state(id).seqs()).containsExactlyElementsOf(LongStream.rangeClosed(1, 50).boxed().toList());
    assertThat(tempFiles()).isEmpty();
  }

  @Test
  void retryOptionsOnAStepThatIsNotAnOutputAreSaidToBeIgnored() throws Exception {
    ch.qos.logback.classic.Logger taskLog = (ch.qos.logback.classic.Logger) LoggerFactory.getLogger("swak.task");
    ListAppender<ILoggingEvent> logged = new ListAppender<>();
    logged.start();
    taskLog.addAppender(logged);
    try {
      start("""
          - task:
            - in.TestSource: {name: %s, batch: 10, total: 10}
            - out.Exec: {cmd: "/bin/sh -c 'cat \\"$0\\" > \\"$1\\"'", format: record, retry_wait: 2s}
            - out.TestSink: {name: %s}
          """.formatted(id, id));
      await().atMost(Duration.ofSeconds(10)).until(() -> committed() == 10);
    } finally {
      taskLog.detachAppender(logged);
    }
    assertThat(logged.list).map(ILoggingEvent::getFormattedMessage)
        .containsExactly("task 1, step 2 (out.Exec): retry and dead-letter options apply to outputs only and are "
            + "ignored here (what this step fails is retried by a buffer before it, or the task restarts)");
  }

  @Test
  void withoutABufferTheTaskRestartsAndTheInputSendsAgain() throws Exception {
    Path script = script("flaky.sh", "exit 1");
    start("""
        - task:
          - in.TestSource: {name: %s, batch: 5, total: 20}
          - out.Exec: {cmd: "/bin/sh '%s'", format: record}
          - out.TestSink: {name: %s}
        """.formatted(id, script, id));
    await().atMost(Duration.ofSeconds(5)).until(() -> TestSource.state(id).starts >= 2);
    rewrite(script, "cat \"$1\" > \"$2\"");
    await().atMost(Duration.ofSeconds(10)).until(() -> committed() == 20);
    assertThat(TestSink.state(id).seqs()).containsExactlyElementsOf(LongStream.rangeClosed(1, 20).boxed().toList());
  }

  // --- run directly, for the exact failure

  @Test
  void aNonZeroExitSaysTheStatusAndWhatTheCommandPrinted() throws Exception {
    Path script = script("fail.sh", "echo starting; echo boom >&2; exit 3");
    Exec exec = exec("/bin/sh '" + script + "'", "60s");
    assertThatThrownBy(() -> exec.accept(batch(3), b -> { }))
        .isInstanceOf(IOException.class)
        .hasMessage("command exited with status 3: starting | boom");
    assertThat(ctx.count("exec_failures")).isEqualTo(1);
    assertThat(ctx.count("errors")).isEqualTo(1);
    assertThat(tempFiles()).isEmpty();
  }

  @Test
  void aCommandThatRunsTooLongIsKilledWithWhatItStarted() throws Exception {
    Path parent = dir.resolve("parent.pid");
    Path child = dir.resolve("child.pid");
    Path script = script("slow.sh", """
        echo "$$" > '%s'
        sleep 30 &
        echo "$!" > '%s'
        echo waiting
        wait
        """.formatted(parent, child));
    Exec exec = exec("/bin/sh '" + script + "'", "1s"); // long enough for sh to write both pids, even when busy
    long t0 = System.nanoTime();
    assertThatThrownBy(() -> exec.accept(batch(1), b -> { }))
        .isInstanceOf(IOException.class)
        .hasMessage("command timed out after 1s and was killed: waiting");
    assertThat(Duration.ofNanos(System.nanoTime() - t0)).isLessThan(Duration.ofSeconds(5));
    for (Path pidFile : List.of(parent, child)) {
      long pid = Long.parseLong(Files.readString(pidFile).strip());
      await().atMost(Duration.ofSeconds(5)).until(() -> !alive(pid));
    }
    assertThat(tempFiles()).isEmpty();
  }

  @Test
  void resultsLargerThanTheLimitFailTheRunInsteadOfFillingTheHeap() throws Exception {
    Path script = script("big.sh", "head -c 5000 /dev/zero | tr '\\0' x > \"$2\"");
    Exec exec = exec("/bin/sh '" + script + "'", "60s", "4KiB");
    assertThatThrownBy(() -> exec.accept(batch(1), b -> { }))
        .isInstanceOf(IOException.class)
        .hasMessage("the command wrote 5000 bytes of results, more than max_result_size (4096 bytes)");
    assertThat(tempFiles()).isEmpty();
  }

  @Test
  void aCommandThatCannotStartIsNamed() throws Exception {
    Exec exec = exec("/no/such/program --flag", "60s");
    assertThatThrownBy(() -> exec.accept(batch(1), b -> { }))
        .isInstanceOf(IOException.class)
        .hasMessageStartingWith("cannot run /no/such/program: ")
        .hasMessageContaining("No such file");
    assertThat(tempFiles()).isEmpty();
  }

  @Test
  void theCommandGetsTheBatchAndTheResultPathAsItsLastArguments() throws Exception {
    Path args = dir.resolve("args.txt");
    Path script = script("args.sh", """
        printf '%%s\\n' "$@" > '%s'
        cp "$3" '%s'
        echo '{"ok": true}' > "$4"
        """.formatted(args, dir.resolve("input.copy")));
    Exec exec = exec("/bin/sh '" + script + "' \"two words\" it\\'s", "60s");
    List<Batch> out = new ArrayList<>();
    AtomicBoolean acked = new AtomicBoolean();
    exec.accept(batch(2, () -> acked.set(true)), out::add);
    List<String> a = Files.readAllLines(args);
    assertThat(a).hasSize(4);
    assertThat(a.subList(0, 2)).containsExactly("two words", "it's");
    assertThat(Path.of(a.get(2)).getParent()).isEqualTo(dir.resolve("data/exec/task_1-out.Exec"));
    assertThat(Path.of(a.get(3)).getParent()).isEqualTo(Path.of(a.get(2)).getParent());
    assertThat(Files.readAllLines(dir.resolve("input.copy"))).hasSize(2)
        .allMatch(l -> l.startsWith("{\"tag\":\"t\",\"time\":\"1970-01-01T00:00:00.00000000")); // format json
    assertThat(out).hasSize(1);
    assertThat(out.get(0).tag()).isEqualTo("t");
    assertThat(out.get(0).events().get(0).record()).isEqualTo(Map.of("ok", true));
    assertThat(out.get(0).events().get(0).timeNanos()).isEqualTo(CLOCK_NANOS);
    assertThat(acked).isFalse(); // the results carry the input's ack: done when they are delivered
    out.get(0).ack().done();
    assertThat(acked).isTrue();
    assertThat(ctx.count("exec_runs")).isEqualTo(1);
    assertThat(tempFiles()).isEmpty();
  }

  @Test
  void aCommandThatWritesNothingAcknowledgesTheBatchAndEmptyBatchesPassWithoutARun() throws Exception {
    Exec exec = exec("/bin/true", "60s");
    List<Batch> out = new ArrayList<>();
    AtomicBoolean acked = new AtomicBoolean();
    exec.accept(batch(3, () -> acked.set(true)), out::add);
    assertThat(out).isEmpty();
    assertThat(acked).isTrue();
    Batch empty = Batch.empty("t", Ack.NONE);
    exec.accept(empty, out::add);
    assertThat(out).containsExactly(empty);
    assertThat(ctx.count("exec_runs")).isEqualTo(1);
  }

  @Test
  void leftoversOfAnEarlierRunAreDeletedAtStart() throws Exception {
    Path stepDir = Files.createDirectories(dir.resolve("data/exec/task_1-out.Exec"));
    Files.writeString(stepDir.resolve("batch-123.in"), "old");
    exec("/bin/true", "60s");
    assertThat(stepDir).isEmptyDirectory();
  }

  // --- configuration

  @Test
  void theSeedExampleLoads() throws Exception {
    AgentConfig c = parse("""
        - task:
          - in.TestSource:
            name: x
          - out.LinedBuffer:
            lines: 100
          - out.Exec:
            cmd: "/usr/bin/r /etc/detect_abuse.r"
          - out.Stdout
        """);
    ExecPlugin.Options o = (ExecPlugin.Options) c.tasks().get(0).steps().get(2).options();
    assertThat(o.command()).containsExactly("/usr/bin/r", "/etc/detect_abuse.r");
    assertThat(o.format()).isEqualTo(LineFormat.Kind.JSON);
    assertThat(o.messageKey()).isEqualTo("message");
    assertThat(o.tag()).isNull();
    assertThat(o.timeout()).isEqualTo(Duration.ofSeconds(60));
  }

  @Test
  void badOptionsAreConfigErrors() {
    assertThatThrownBy(() -> parseExec("{cmd: \"\"}")).isInstanceOf(ConfigException.class)
        .hasMessageContaining("option `cmd` is empty");
    assertThatThrownBy(() -> parseExec("{cmd: \"  \"}")).hasMessageContaining("option `cmd` is empty");
    assertThatThrownBy(() -> parseExec("{cmd: /bin/x, timeout: 0s}")).isInstanceOf(ConfigException.class)
        .hasMessageContaining("option `timeout` must be more than 0");
    assertThatThrownBy(() -> parseExec("{timeout: 5s}")).hasMessageContaining("missing required option `cmd`");
    assertThatThrownBy(() -> parseExec("{cmd: \"/bin/x 'open\"}")).hasMessageContaining("unclosed ' quote");
    assertThatThrownBy(() -> parseExec("{cmd: /bin/x, format: xml}")).hasMessageContaining("record");
  }

  @Test
  void commandLinesSplitLikeAShellQuotesThem() {
    assertThat(ExecPlugin.words("  /usr/bin/r   /etc/detect_abuse.r ")).containsExactly("/usr/bin/r",
        "/etc/detect_abuse.r");
    assertThat(ExecPlugin.words("a 'b c' \"d \\\"e\\\" \\\\ \\n\" f\\ g '' x'y'z 'a\\b'"))
        .containsExactly("a", "b c", "d \"e\" \\ \\n", "f g", "", "xyz", "a\\b");
    assertThatThrownBy(() -> ExecPlugin.words("a \"b")).hasMessageContaining("unclosed \" quote");
    assertThatThrownBy(() -> ExecPlugin.words("a\\")).hasMessageContaining("lone backslash");
  }

  // --- helpers

  private static final long CLOCK_NANOS = 1_700_000_000_123_456_789L;

  /** The context of a step run directly: task 1, step out.Exec, data under the test's directory. */
  private TestContext ctx;

  @BeforeEach
  void context() {
    ctx = new TestContext(dir.resolve("data"),
        Clock.fixed(java.time.Instant.ofEpochSecond(0, CLOCK_NANOS), java.time.ZoneOffset.UTC), "task 1", "out.Exec");
  }

  private static AgentConfig parse(String yaml) throws ConfigException {
    return new ConfigLoader(Pipelines.registry(), Map.of()).parse("t.yml", yaml);
  }

  private static AgentConfig parseExec(String options) throws ConfigException {
    return parse("- task:\n  - in.TestSource: {name: x}\n  - out.Exec: " + options + "\n");
  }

  private long committed() {
    return TestSource.state(id).window.committed();
  }

  private long counter(int step, String name) {
    return agent.tasks().get(0).counters().get(step).snapshot().getOrDefault(name, 0L);
  }

  private Path script(String name, String body) throws IOException {
    return Files.writeString(dir.resolve(name), body + "\n");
  }

  /** Replaces the script at once: a run starting meanwhile reads the old or the new one, never half. */
  private void rewrite(Path script, String body) throws IOException {
    Path tmp = Files.writeString(script.resolveSibling(script.getFileName() + ".new"), body + "\n");
    Files.move(tmp, script, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
  }

  /** Every file left under the steps' temp directories. */
  private List<Path> tempFiles() throws IOException {
    Path root = dir.resolve("data/exec");
    if (!Files.exists(root)) {
      return List.of();
    }
    try (Stream<Path> s = Files.walk(root)) {
      return s.filter(Files::isRegularFile).toList();
    }
  }

  private Exec exec(String cmd, String timeout) throws IOException {
    return exec(cmd, timeout, "32MiB");
  }

  private Exec exec(String cmd, String timeout, String maxResult) throws IOException {
    Exec e = new Exec(new ExecPlugin.Options(cmd, LineFormat.Kind.JSON, "message", null,
        io.swak.api.Durations.parse(timeout), io.swak.api.DataSize.parse(maxResult)));
    e.start(ctx);
    return e;
  }

  private static Batch batch(int n) {
    return batch(n, Ack.NONE);
  }

  private static Batch batch(int n, Ack ack) {
    BatchBuilder b = new BatchBuilder();
    for (int i = 1; i <= n; i++) {
      b.add(i, Map.of("seq", i));
    }
    return b.build("t", ack);
  }

  /** Alive and not a zombie waiting to be reaped (in a container nobody may reap orphans). */
  private static boolean alive(long pid) throws IOException {
    if (ProcessHandle.of(pid).map(ProcessHandle::isAlive).orElse(false)) {
      if (!Files.isDirectory(Path.of("/proc"))) {
        return true; // no procfs (macOS): ProcessHandle has the last word
      }
      Path stat = Path.of("/proc/" + pid + "/stat");
      if (!Files.exists(stat)) {
        return false;
      }
      String s = Files.readString(stat);
      return s.charAt(s.lastIndexOf(')') + 2) != 'Z';
    }
    return false;
  }
}
