package io.swak.plugins.fluentd.input;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.swak.plugins.fluentd.testing.ForwardServer;
import io.swak.plugins.fluentd.testing.HostileClients;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
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
  static final Path LAUNCHER = Path.of("../../bin/swak").toAbsolutePath().normalize();

  @TempDir
  Path dir;
  Process agent;
  HostileClients hostile;
  volatile boolean sampling = true;

  @AfterEach
  void stop() throws Exception {
    sampling = false;
    if (hostile != null) {
      hostile.close();
    }
    if (agent != null && agent.isAlive()) {
      agent.destroy();
      if (!agent.waitFor(10, java.util.concurrent.TimeUnit.SECONDS)) {
        agent.destroyForcibly();
      }
    }
  }

  /** bin/swak's default JVM options (heap, collector, exit on out of memory), as a user's agent runs. */
  static List<String> launcherOptions() throws IOException {
    Matcher m = Pattern.compile("DEFAULT_OPTS=\"([^\"]*)\"").matcher(Files.readString(LAUNCHER));
    assertThat(m.find()).as("DEFAULT_OPTS in %s", LAUNCHER).isTrue();
    return List.of(m.group(1).trim().split("\\s+"));
  }

  static long rssKib(long pid) throws IOException {
    for (String l : Files.readAllLines(Path.of("/proc/" + pid + "/status"))) {
      if (l.startsWith("VmRSS:")) {
        return Long.parseLong(l.replaceAll("\\D+", ""));
      }
    }
    throw new IllegalStateException("no VmRSS for " + pid);
  }

  static long counter(String metrics, String name) {
    Matcher m = Pattern.compile("^swak_step_" + name + "_total\\{[^}]*plugin=\"in.Forward\"} (\\d+)", Pattern.MULTILINE)
        .matcher(metrics);
    return m.find() ? Long.parseLong(m.group(1)) : 0;
  }

  @Test
  void hostileClientsKeepTheAgentUnder150MiBRefusedAndCountedWhileAPoliteClientIsServed() throws Exception {
    int port = ForwardServer.freePort();
    int http = ForwardServer.freePort();
    Path out = dir.resolve("events.jsonl");
    Path config = dir.resolve("agent.yml");
    Files.writeString(config, """
        - task:
          - in.Forward: {port: %d}
          - out.File: {path: "%s"}
        - agent: {http: {port: %d}}
        """.formatted(port, out, http));
    List<String> cmd = new ArrayList<>();
    cmd.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
    cmd.addAll(launcherOptions());
    cmd.addAll(List.of("-cp", System.getProperty("java.class.path"), "io.swak.core.cli.Main", "run",
        config.toString()));
    Path log = dir.resolve("agent.err");
    ProcessBuilder pb = new ProcessBuilder(cmd).redirectOutput(dir.resolve("agent.out").toFile())
        .redirectError(log.toFile());
    pb.environment().remove("JAVA_TOOL_OPTIONS");
    pb.environment().put("SWAK_DATA_DIR", dir.resolve("data").toString());
    agent = pb.start();

    HttpClient client = HttpClient.newHttpClient();
    HttpRequest metricsRequest = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + http + "/metrics")).build();
    await().atMost(Duration.ofSeconds(60)).ignoreExceptions().until(() ->
        client.send(metricsRequest, HttpResponse.BodyHandlers.ofString()).statusCode() == 200);
    await().atMost(Duration.ofSeconds(30)).ignoreExceptions().until(() ->
        HostileClients.politeClient("127.0.0.1", port, 1, 10_000) == 1);
    int politeSent = 1;

    AtomicLong peakKib = new AtomicLong();
    long pid = agent.pid();
    Thread sampler = new Thread(() -> {
      while (sampling && agent.isAlive()) {
        try {
          peakKib.accumulateAndGet(rssKib(pid), Math::max);
          Thread.sleep(20); // a sampling period, not a synchronisation
        } catch (Exception e) {
          return;
        }
      }
    }, "rss-sampler");
    sampler.setDaemon(true);
    sampler.start();
    long rssBefore = rssKib(pid);

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
        String m = client.send(metricsRequest, HttpResponse.BodyHandlers.ofString()).body();
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
    sampling = false;
    sampler.join(5000);
    String metrics = client.send(metricsRequest, HttpResponse.BodyHandlers.ofString()).body();
    String agentLog = Files.readString(log, StandardCharsets.UTF_8);
    System.out.printf("MEASURED agent RSS %d MiB before, peak %d MiB under hostile clients; memory_refusals %d, "
        + "memory_pauses %d, protocol_errors %d, polite %d/%d acked%n", rssBefore >> 10, peakKib.get() >> 10,
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
    assertThat(peakKib.get()).as("peak RSS of the agent, KiB").isLessThan(RSS_LIMIT_KIB);
    assertThat(refused).as("refusals counted: memory_refusals >= 1, protocol_errors >= 9").isTrue();
    assertThat(agentLog).contains("decompressed_size_limit").contains("closing the connection from");
  }
}
