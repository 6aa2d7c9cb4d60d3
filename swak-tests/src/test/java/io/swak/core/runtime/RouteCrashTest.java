package io.swak.core.runtime;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.swak.core.testing.Pipelines;
import io.swak.core.testing.AgentProcess;
import io.swak.core.testing.Ports;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.TreeSet;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * kill -9 of an agent (a JVM of its own, `swak run`) routing in.FileTail to a dead branch behind a file buffer and a
 * live one, both out.Fluentd with acks to real in.Forward agents: after the restart neither receiver misses a line
 * (at-least-once: what was acknowledged after the last saved checkpoint may come twice).
 */
class RouteCrashTest {

  @TempDir
  Path dir;

  private final List<Agent> receivers = new ArrayList<>();
  private Process agent;

  @AfterEach
  void stopAll() throws Exception {
    AgentProcess.printLogsAndKill(agent, dir.resolve("agent-1.log"), dir.resolve("agent-2.log"));
    for (Agent a : receivers) {
      a.stop();
    }
  }

  private void receiver(String name, int port) throws Exception {
    Path d = dir.resolve(name);
    Files.createDirectories(d);
    receivers.add(Pipelines.start(d, """
        - task:
          - in.Forward: {port: %d}
          - out.File: {path: "${DIR}/received.log", format: raw}
        """.formatted(port)));
  }

  private Process startAgent(Path cfg, int n) throws IOException {
    return AgentProcess.start(cfg, dir.resolve("agent-" + n + ".log"));
  }

  private static List<String> lines(Path f) throws IOException {
    return Files.exists(f) ? Files.readAllLines(f) : List.of();
  }

  private static void append(Path f, int from, int to) throws IOException {
    StringBuilder b = new StringBuilder();
    for (int i = from; i <= to; i++) {
      b.append("line %06d".formatted(i)).append('\n');
    }
    Files.writeString(f, b, StandardCharsets.UTF_8, StandardOpenOption.CREATE, StandardOpenOption.APPEND);
  }

  private static TreeSet<String> expected(int n) {
    TreeSet<String> s = new TreeSet<>();
    for (int i = 1; i <= n; i++) {
      s.add("line %06d".formatted(i));
    }
    return s;
  }

  @Test
  void afterAKillNineAndARestartNeitherBranchHasLostALine() throws Exception {
    int deadPort = Ports.free();
    int livePort = Ports.free();
    receiver("live", livePort);
    Path app = dir.resolve("app.log");
    Path liveLog = dir.resolve("live/received.log");
    Path deadLog = dir.resolve("dead/received.log");
    String fluentd = "require_ack_response: true, ack_response_timeout: 2s, retry_wait: 100ms, retry_max_wait: 300ms, "
        + "reconnect_wait: 100ms, reconnect_wait_max: 300ms, heartbeat_type: none";
    Path cfg = dir.resolve("agent.yml");
    Files.writeString(cfg, """
        - agent: {data_dir: "%s"}
        - task:
          - in.FileTail: {path: "%s", read_from_head: true, read_buffer_size: 4KiB}
          - route:
              dead:
                steps:
                  - buffer: {type: file, flush_interval: 100ms, fsync: always}
                  - out.Fluentd: {host: 127.0.0.1, port: %d, %s}
              live:
                steps:
                  - out.Fluentd: {host: 127.0.0.1, port: %d, %s}
        """.formatted(dir.resolve("data"), app, deadPort, fluentd, livePort, fluentd));
    Duration wait = Duration.ofSeconds(60);
    agent = startAgent(cfg, 1);
    append(app, 1, 400);
    await().atMost(wait).until(() -> lines(liveLog).size() >= 400);
    // the checkpoint of the first 400 lines is saved (both branches have them): a crash repeats at most what follows
    await().atMost(wait).until(() -> SavedCheckpoint.offset(dir.resolve("data")) == 400L * 12);
    append(app, 401, 800); // killed while these are on their way
    await().atMost(wait).until(() -> lines(liveLog).size() >= 450);
    agent.destroyForcibly(); // SIGKILL: no close, no last save
    assertThat(agent.waitFor(20, TimeUnit.SECONDS)).isTrue();
    append(app, 801, 1000);

    agent = startAgent(cfg, 2);
    receiver("dead", deadPort);
    await().atMost(wait).until(() -> new TreeSet<>(lines(liveLog)).size() == 1000
        && new TreeSet<>(lines(deadLog)).size() == 1000);
    assertThat(new TreeSet<>(lines(liveLog))).isEqualTo(expected(1000));
    assertThat(new TreeSet<>(lines(deadLog))).isEqualTo(expected(1000));
    // and nothing before the saved checkpoint came twice
    assertThat(lines(liveLog).subList(0, 400)).containsExactlyElementsOf(expected(400));
    assertThat(lines(liveLog).stream().filter(l -> l.compareTo("line 000400") <= 0).count()).isEqualTo(400);
    assertThat(lines(deadLog).stream().filter(l -> l.compareTo("line 000400") <= 0).count()).isEqualTo(400);
    System.out.printf("after kill -9: live %d lines for 1000 (%d again), dead %d lines for 1000 (%d again)%n",
        lines(liveLog).size(), lines(liveLog).size() - 1000, lines(deadLog).size(), lines(deadLog).size() - 1000);
  }
}
