package io.swak.dist;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.swak.core.config.AgentConfig;
import io.swak.core.config.ConfigLoader;
import io.swak.core.config.PluginRegistry;
import io.swak.core.runtime.Agent;
import io.swak.core.testing.Ports;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.Charset;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The seed's example configs are acceptance tests. The FileTail → MyLogParser → TimedBuffer →
 * failover example runs exactly as written except for what cannot run here: its Windows paths and
 * the two servers on the LAN become a temporary directory and two receivers on 127.0.0.1, and an
 * `agent` entry opens the status port so the test knows when the file was read.
 */
class SeedExamplesTest {

  private static final ObjectMapper JSON = new ObjectMapper();
  private static final Charset CP949 = Charset.forName("x-windows-949");

  @TempDir
  Path dir;

  @Test
  void fileTailParserTimedBufferFailoverExampleDeliversEverything() throws Exception {
    int p1 = Ports.free();
    int p2 = Ports.free();
    Path received = dir.resolve("received.jsonl");
    Agent receiver1 = receiver(p1, received);
    Agent receiver2 = receiver(p2, received);
    try {
      int http = Ports.free();
      Path log = seedRun(p1, p2, http);
      // both receivers up: everything reaches the one `start_by: ip` picks, after the 5-minute buffer is
      // flushed by the graceful stop
      List<JsonNode> got = read(received);
      assertThat(got).hasSize(3);
      assertThat(got).extracting(n -> n.get("record").get("level").asText()).containsExactly("INFO", "WARN", "ERROR");
      assertThat(got.get(1).get("record").get("text").asText()).isEqualTo("결제 재시도 order 42: 다시 시도합니다");
      assertThat(got.get(1).get("record").get("thread").asText()).isEqualTo("worker-3");
      assertThat(Files.exists(dir.resolve("failed.txt"))).isFalse();
      assertThat(log).exists();
    } finally {
      receiver1.stop();
      receiver2.stop();
    }
  }

  @Test
  void whenBothServersAreDownTheLastOutputGetsEverything() throws Exception {
    seedRun(Ports.free(), Ports.free(), Ports.free());
    Path failed = dir.resolve("failed.txt");
    assertThat(Files.readAllLines(failed)).hasSize(3).allMatch(l -> l.contains("\"level\""));
  }

  @Test
  void mysqlExampleValidatesAsWritten() throws Exception {
    Launcher v = Launcher.run(dir, "validate", "examples/seed-mysqltail.yml");
    assertThat(v.exitCode()).as(v.err()).isZero(); // run against a real server: SeedMySQLExampleTest
  }

  /** Runs the seed example with its addresses and paths moved here; returns the tailed file. */
  private Path seedRun(int p1, int p2, int http) throws Exception {
    String seed = Files.readString(Launcher.ROOT.resolve("examples/seed-filetail-fluentd.yml"));
    Path log = dir.resolve("logs/mylog.txt");
    Files.createDirectories(log.getParent());
    String cfg = seed.replace("C:/myprj/logs/mylog.txt", log.toString())
        .replace("C:/swak_temp/pos", dir.resolve("pos").toString())
        .replace("ip: 192.168.0.1", "ip: 127.0.0.1\n        port: " + p1)
        .replace("ip: 169.168.0.2", "ip: 127.0.0.1\n        port: " + p2)
        .replace("/tmp/failed.txt", dir.resolve("failed.txt").toString())
        + "\n- agent: {http: {port: " + http + "}}\n";
    assertThat(cfg).contains("encoding: cp949").contains("out.MyLogParser").contains("minutes: 5")
        .contains("start_by: ip");
    Path config = dir.resolve("seed.yml");
    Files.writeString(config, cfg);
    String lines = """
        2026-11-21 09:00:01.000 [INFO] (main) 시작합니다
        2026-11-21 09:00:02.500 [WARN] (worker-3) 결제 재시도 order 42: 다시 시도합니다
        2026-11-21 09:00:03.000 [ERROR] (worker-1) 연결 실패
        """;
    Files.write(log, new byte[0]);
    try (Launcher swak = Launcher.start(dir, Map.of(), "run", config.toString())) {
      HttpClient client = HttpClient.newHttpClient();
      URI status = URI.create("http://127.0.0.1:" + http + "/api/status");
      // the example reads from the end of files that exist at start (no read_from_head): append after it runs
      await().atMost(Duration.ofSeconds(30)).ignoreExceptions().until(() -> JSON.readTree(client.send(
          HttpRequest.newBuilder(status).build(), HttpResponse.BodyHandlers.ofString()).body())
          .get("tasks").get(0).get("state").asText().equals("running"));
      Files.write(log, lines.getBytes(CP949), java.nio.file.StandardOpenOption.APPEND);
      await().atMost(Duration.ofSeconds(30)).ignoreExceptions().until(() -> JSON.readTree(client.send(
          HttpRequest.newBuilder(status).build(), HttpResponse.BodyHandlers.ofString()).body())
          .get("tasks").get(0).get("steps").get(2).get("events_in").asLong() == 3);
      swak.signal("TERM");
      assertThat(swak.waitFor(Duration.ofSeconds(30))).isZero();
    }
    return log;
  }

  private Agent receiver(int port, Path out) throws Exception {
    AgentConfig c = new ConfigLoader(PluginRegistry.builtIn(), Map.of()).parse("receiver.yml", """
        - task:
          - in.Forward: {port: %d}
          - out.File: {path: "%s"}
        """.formatted(port, out));
    Agent a = new Agent(c, dir.resolve("receiver-" + port), Clock.systemUTC());
    a.start();
    return a;
  }

  private static List<JsonNode> read(Path p) throws Exception {
    List<JsonNode> out = new ArrayList<>();
    await().atMost(Duration.ofSeconds(10)).until(() -> Files.exists(p));
    for (String l : Files.readAllLines(p, StandardCharsets.UTF_8)) {
      out.add(JSON.readTree(l));
    }
    return out;
  }

}
