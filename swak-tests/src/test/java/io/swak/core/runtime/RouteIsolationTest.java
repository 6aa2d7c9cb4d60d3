package io.swak.core.runtime;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.swak.core.testing.Pipelines;
import io.swak.core.testing.Ports;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The end-to-end case: in.FileTail → route with a dead and a live branch, each out.Fluentd with acks to a
 * real Swak in.Forward receiver; the dead branch behind a small file buffer. The live receiver gets everything
 * while the dead branch's buffer fills to its limit; then the task waits (overflow: block) and the file's checkpoint
 * stays behind what the buffer could not take; once the dead receiver is up it gets everything; after a restart
 * neither loses or repeats a line.
 */
class RouteIsolationTest {

  @TempDir
  Path dir;

  private final List<Agent> agents = new ArrayList<>();

  @AfterEach
  void stopAll() throws Exception {
    for (Agent a : agents) {
      a.stop();
    }
  }

  private Agent receiver(String name, int port) throws Exception {
    Path d = dir.resolve(name);
    Files.createDirectories(d);
    Agent a = Pipelines.start(d, """
        - task:
          - in.Forward: {port: %d}
          - out.File: {path: "${DIR}/received.log", format: raw}
        """.formatted(port));
    agents.add(a);
    return a;
  }

  private static long savedOffset(Path agentDir) throws IOException {
    return SavedCheckpoint.offset(agentDir.resolve("data"));
  }

  private static final int LINE_BYTES = line(1).length() + 1;

  private static List<String> lines(Path f) throws IOException {
    return Files.exists(f) ? Files.readAllLines(f) : List.of();
  }

  private void append(Path f, int from, int to) throws IOException {
    StringBuilder b = new StringBuilder();
    for (int i = from; i <= to; i++) {
      b.append(line(i)).append('\n');
    }
    Files.writeString(f, b, StandardCharsets.UTF_8, StandardOpenOption.CREATE, StandardOpenOption.APPEND);
  }

  private static String line(int i) {
    return "line %06d %s".formatted(i, "x".repeat(80));
  }

  private static List<String> expected(int n) {
    List<String> out = new ArrayList<>();
    for (int i = 1; i <= n; i++) {
      out.add(line(i));
    }
    return out;
  }

  private String config(int deadPort, int livePort) {
    String fluentd = "require_ack_response: true, ack_response_timeout: 2s, retry_wait: 100ms, retry_max_wait: 300ms, "
        + "reconnect_wait: 100ms, reconnect_wait_max: 300ms, heartbeat_type: none";
    return """
        - task:
          - in.FileTail: {path: "${DIR}/app.log", read_from_head: true, read_buffer_size: 4KiB}
          - route:
              dead:
                steps:
                  - buffer: {type: file, total_limit: 64KiB, chunk_bytes: 8KiB, flush_interval: 100ms, overflow: block}
                  - out.Fluentd: {host: 127.0.0.1, port: %d, %s}
              live:
                steps:
                  - out.Fluentd: {host: 127.0.0.1, port: %d, %s}
        """.formatted(deadPort, fluentd, livePort, fluentd);
  }

  @Test
  void theLiveBranchDeliversWhileTheDeadOnesBufferFillsAndTheDeadOneGetsEverythingWhenItIsBack() throws Exception {
    int deadPort = Ports.free();
    int livePort = Ports.free();
    receiver("live", livePort);
    Path liveLog = dir.resolve("live/received.log");
    Path deadLog = dir.resolve("dead/received.log");
    Path agentDir = dir.resolve("agent");
    Files.createDirectories(agentDir);
    Path app = agentDir.resolve("app.log");
    Agent agent = Pipelines.start(agentDir, config(deadPort, livePort));
    agents.add(agent);
    Duration wait = Duration.ofSeconds(30);

    // 1: 300 lines (~33 KiB of events) fit in the dead branch's buffer: the live receiver has every one, the file
    // buffer holds them durably, so the file's checkpoint reaches the end
    append(app, 1, 300);
    await().atMost(wait).until(() -> lines(liveLog).size() == 300);
    assertThat(lines(liveLog)).isEqualTo(expected(300));
    StepCounters route = agent.tasks().get(0).counters().get(1);
    StepCounters deadBuffer = route.children().get("dead").children().get("1 buffer");
    await().atMost(wait).until(() -> savedOffset(agentDir) == 300L * LINE_BYTES);
    assertThat(deadBuffer.gauges().get("buffer_bytes")).isPositive();

    // 2: 1700 more lines overflow the 64 KiB: the buffer is full, the task waits, and the file's checkpoint stays
    // behind the lines the dead branch has not taken
    append(app, 301, 2000);
    await().atMost(wait).until(() -> deadBuffer.snapshot().getOrDefault("full_waits", 0L) > 0);
    assertThat(deadBuffer.gauges().get("buffer_bytes")).isGreaterThan(48L << 10);
    int live = lines(liveLog).size();
    assertThat(live).isLessThan(2000);
    // a save round later, the saved checkpoint is still no further than what went through the route
    long events = route.snapshot().get("events_in");
    await().pollDelay(Duration.ofMillis(1500)).atMost(wait).until(() -> savedOffset(agentDir) > 0);
    assertThat(savedOffset(agentDir)).isLessThan(2000L * LINE_BYTES).isLessThanOrEqualTo(events * LINE_BYTES);

    // 3: the dead receiver comes up: it gets everything, once, in order; so does the live one
    receiver("dead", deadPort);
    await().atMost(wait).until(() -> lines(deadLog).size() >= 2000 && lines(liveLog).size() >= 2000);
    await().atMost(wait).until(() -> savedOffset(agentDir) == 2000L * LINE_BYTES);
    assertThat(lines(deadLog)).isEqualTo(expected(2000));
    assertThat(lines(liveLog)).isEqualTo(expected(2000));

    // 4: a restart with lines in the dead branch's buffer: stop the dead receiver, add lines, restart the agent,
    // bring the receiver back: each receiver has each line once
    agents.get(agents.size() - 1).stop();
    agents.remove(agents.size() - 1);
    append(app, 2001, 2200);
    await().atMost(wait).until(() -> lines(liveLog).size() == 2200);
    await().atMost(wait).until(() -> savedOffset(agentDir) == 2200L * LINE_BYTES);
    agent.stop();
    agents.remove(agent);
    Agent again = Pipelines.start(agentDir, config(deadPort, livePort));
    agents.add(again);
    append(app, 2201, 2300);
    receiver("dead", deadPort);
    await().atMost(wait).until(() -> lines(deadLog).size() >= 2300 && lines(liveLog).size() >= 2300);
    assertThat(lines(deadLog)).isEqualTo(expected(2300));
    assertThat(lines(liveLog)).isEqualTo(expected(2300));
  }
}
