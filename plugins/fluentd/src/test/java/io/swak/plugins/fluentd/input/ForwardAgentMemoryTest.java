package io.swak.plugins.fluentd.input;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.swak.core.testing.AgentProcess;
import io.swak.core.testing.Ports;
import io.swak.plugins.fluentd.testing.ForwardServer;
import io.swak.plugins.fluentd.testing.HostileClients;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import org.awaitility.core.ConditionTimeoutException;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The hardening trial's hostile-client case through a real agent process: the JVM options of bin/swak, in.Forward
 * with every limit at its default, out.File behind it. Hostile clients (40 connections each sending most of a
 * ~16 MiB message, gzip bombs, slowloris, lying lengths and garbage) hit it while a well-behaved client sends
 * events that must all be acknowledged and written. The agent's resident memory, read from /proc, must stay
 * under 150 MiB, with no OutOfMemoryError and the refusals counted.
 */
class ForwardAgentMemoryTest {

  static final long RSS_LIMIT_KIB = 150 * 1024;

  @TempDir
  Path dir;
  AgentProcess agent;
  HostileClients hostile;

  @AfterEach
  void stop() throws Exception {
    if (hostile != null) {
      hostile.close();
    }
    if (agent != null) {
      agent.close();
    }
  }

  static long counter(String metrics, String name) {
    return AgentProcess.counter(metrics, "in.Forward", name);
  }

  @Test
  void hostileClientsKeepTheAgentUnder150MiBRefusedAndCountedWhileAPoliteClientIsServed() throws Exception {
    int port = Ports.free();
    Path out = dir.resolve("events.jsonl");
    agent = AgentProcess.start(dir, """
        - task:
          - in.Forward: {port: %d}
          - out.File: {path: "%s"}
        """.formatted(port, out), Ports.free());
    await().atMost(Duration.ofSeconds(30)).ignoreExceptions().until(() ->
        HostileClients.politeClient("127.0.0.1", port, 1, 10_000) == 1);
    int politeSent = 1;

    agent.startSampling();
    long rssBefore = agent.rssKib();

    hostile = new HostileClients("127.0.0.1", port);
    hostile.stallers(40);
    hostile.slowloris(5, 100);
    hostile.liars(3);
    byte[] bomb = HostileClients.gzipBomb(256L << 20); // inflates to 4 x decompressed_size_limit
    hostile.bombs(bomb, 3);

    // served while they are at it: each message acknowledged, so written by out.File
    int politeAcked = 1;
    for (int round = 0; round < 8; round++) {
      politeAcked += HostileClients.politeClient("127.0.0.1", port, 10, 30_000);
      politeSent += 10;
    }
    // stalled connections are refused once others waited (5 s), counted
    boolean refused;
    try {
      await().atMost(Duration.ofSeconds(60)).until(() -> {
        String m = agent.metrics();
        return counter(m, "memory_refusals") >= 1 && counter(m, "protocol_errors") >= 3 + 3 + 3;
      });
      refused = true;
    } catch (ConditionTimeoutException e) {
      refused = false; // asserted below, after the figures are shown
    }
    if (agent.isAlive()) {
      politeAcked += HostileClients.politeClient("127.0.0.1", port, 10, 30_000);
      politeSent += 10;
    }
    agent.stopSampling();
    String metrics = agent.metrics();
    String agentLog = agent.log();
    System.out.printf("MEASURED agent RSS %d MiB before, peak %d MiB under hostile clients; memory_refusals %d, "
        + "memory_pauses %d, protocol_errors %d, polite %d/%d acked%n", rssBefore >> 10, agent.peakKib() >> 10,
        counter(metrics, "memory_refusals"), counter(metrics, "memory_pauses"), counter(metrics, "protocol_errors"),
        politeAcked, politeSent);

    assertThat(agent.isAlive()).as("agent alive; its log:\n%s", agentLog).isTrue();
    assertThat(agentLog).doesNotContain("OutOfMemoryError");
    assertThat(politeAcked).as("polite messages acknowledged").isEqualTo(politeSent);
    long written = politeSent;
    await().atMost(Duration.ofSeconds(10)).until(() -> Files.exists(out)
        && Files.readAllLines(out).stream().filter(l -> l.contains("\"polite\"")).count() == written);
    assertThat(Files.readAllLines(out)).as("only the polite client's events were written")
        .allSatisfy(l -> assertThat(l).contains("\"polite\""));
    assertThat(agent.peakKib()).as("peak RSS of the agent, KiB").isLessThan(RSS_LIMIT_KIB);
    assertThat(refused).as("refusals counted: memory_refusals >= 1, protocol_errors >= 9").isTrue();
    assertThat(agentLog).contains("decompressed_size_limit").contains("closing the connection from");
  }
}
