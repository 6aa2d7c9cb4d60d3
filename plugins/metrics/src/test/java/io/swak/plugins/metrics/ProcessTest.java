package io.swak.plugins.metrics;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.swak.api.Event;
import io.swak.core.testing.AgentTestBase;
import io.swak.core.testing.TestSink;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** in.Process watching real child JVMs in this machine's /proc. */
class ProcessTest extends AgentTestBase {

  private final Children children = new Children();
  private final String marker = "watched-" + UUID.randomUUID();

  @AfterEach
  void endChildren() throws Exception {
    children.close();
  }

  private List<Map<String, Object>> events() {
    return TestSink.state(id).received.stream().map(Event::record).toList();
  }

  private List<Map<String, Object>> eventsOf(long pid) {
    return events().stream().filter(r -> Long.valueOf(pid).equals(r.get("pid"))).toList();
  }

  private String config(String watch) {
    return """
        - task:
          - in.Process: {%s, interval: 200ms}
          - out.TestSink: {name: %s}
        """.formatted(watch, id);
  }

  @Test
  void aProcessFoundByItsCommandLineReportsItsFiguresFromProc() throws Exception {
    Children.Started child = children.start("hold", dir.toString(), "12", marker);
    start(config("name: " + marker));

    await().atMost(Duration.ofSeconds(20)).until(() -> eventsOf(child.pid()).stream()
        .anyMatch(r -> r.containsKey("cpu_ratio")));
    Map<String, Object> r = eventsOf(child.pid()).stream().filter(e -> e.containsKey("cpu_ratio")).findFirst()
        .orElseThrow();
    assertThat(r.get("alive")).isEqualTo(true);
    assertThat(r.get("name")).isEqualTo("java");
    assertThat((String) r.get("cmdline")).contains(marker).contains(Child.class.getName());
    assertThat(r.get("ppid")).isEqualTo(ProcessHandle.current().pid());
    assertThat(r.get("state")).isIn("sleeping", "running");
    // 12 files, a listening socket, stdin/out/err and the JVM's jars: the kernel's count of open descriptors
    long fds;
    try (var s = Files.list(Path.of("/proc", String.valueOf(child.pid()), "fd"))) {
      fds = s.count();
    }
    assertThat((Long) r.get("open_files")).isGreaterThanOrEqualTo(16).isBetween(fds - 5, fds + 5);
    assertThat((Long) r.get("threads")).isGreaterThan(3); // main, GC, compiler, signal dispatcher …
    assertThat((Long) r.get("rss_bytes")).isBetween(4L << 20, 1L << 30);
    assertThat((Long) r.get("vm_bytes")).isGreaterThan((Long) r.get("rss_bytes"));
    assertThat((Double) r.get("cpu_ratio")).isBetween(0.0, 0.3); // it waits on its stdin
    assertThat(events()).as("only the watched process").allMatch(e -> Long.valueOf(child.pid()).equals(e.get("pid")));
  }

  @Test
  void theCpuOfABusyChildIsTheShareOfACoreItUsed() throws Exception {
    Children.Started busy = children.start("burn", marker);
    Children.Started idle = children.start("hold", dir.toString(), "1", marker);
    start(config("name: " + marker));

    // a thread spinning uses a core: close to 1.0 on an idle machine, less when the machine's other work competes
    await().atMost(Duration.ofSeconds(20)).until(() -> eventsOf(busy.pid()).stream()
        .anyMatch(r -> r.get("cpu_ratio") instanceof Double d && d > 0.4));
    await().atMost(Duration.ofSeconds(20)).until(() -> eventsOf(idle.pid()).stream()
        .filter(r -> r.containsKey("cpu_ratio")).count() >= 3);
    double idleMax = eventsOf(idle.pid()).stream().filter(r -> r.containsKey("cpu_ratio")).skip(1)
        .mapToDouble(r -> (Double) r.get("cpu_ratio")).max().orElseThrow();
    assertThat(idleMax).isLessThan(0.2);
    assertThat(eventsOf(busy.pid()).get(eventsOf(busy.pid()).size() - 1).get("state")).isIn("running", "sleeping");
  }

  @Test
  void aPidFileIsFollowedAndAnEndedProcessIsReportedAbsent() throws Exception {
    Children.Started child = children.start("hold", dir.toString(), "1", marker);
    Path pidFile = dir.resolve("child.pid");
    Files.writeString(pidFile, child.pid() + "\n");
    start(config("pid_file: " + pidFile));

    await().atMost(Duration.ofSeconds(20)).until(() -> !eventsOf(child.pid()).isEmpty());
    children.stop(child);
    await().atMost(Duration.ofSeconds(20)).until(() -> events().stream().anyMatch(r -> r.get("alive") == Boolean.FALSE));
    Map<String, Object> absent = events().stream().filter(r -> r.get("alive") == Boolean.FALSE).findFirst().orElseThrow();
    assertThat(absent.get("pid_file")).isEqualTo(pidFile.toString());
    assertThat((String) absent.get("reason")).contains("process " + child.pid()).contains("is not running");
    assertThat(agent.tasks().get(0).counters().get(0).snapshot().get("absent")).isPositive();

    // a pid file that says nothing sensible: the reason says what it holds, counted; the task goes on
    Files.writeString(pidFile, "not a pid\u0000\u00ff");
    await().atMost(Duration.ofSeconds(20)).until(() -> events().stream()
        .anyMatch(r -> String.valueOf(r.get("reason")).contains("not a process id")));
    assertThat(agent.tasks().get(0).counters().get(0).snapshot().get("bad_pid_files")).isPositive();
    Files.delete(pidFile);
    await().atMost(Duration.ofSeconds(20)).until(() -> events().stream()
        .anyMatch(r -> String.valueOf(r.get("reason")).contains("does not exist")));
  }

  @Test
  void aNameNothingMatchesGivesAnAbsentEventEachInterval() throws Exception {
    start(config("name: '" + marker + "-nobody'"));
    await().atMost(Duration.ofSeconds(20)).until(() -> events().size() >= 2);
    assertThat(events()).allSatisfy(r -> {
      assertThat(r.get("alive")).isEqualTo(false);
      assertThat((String) r.get("reason")).isEqualTo("no running process matches `" + marker + "-nobody`");
    });
    assertThat(agent.tasks().get(0).counters().get(0).gauges().get("processes")).isZero();
  }
}
