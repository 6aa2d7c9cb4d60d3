package io.swak.core.behavior;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.swak.core.config.AgentConfig;
import io.swak.core.config.ConfigLoader;
import io.swak.core.config.PluginRegistry;
import io.swak.core.runtime.Agent;
import java.net.ServerSocket;
import java.nio.charset.Charset;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The processing examples as written: they load, examples/parse-nginx.yml runs, and the seed's second example with
 * parse (format regex) in place of the Java out.MyLogParser delivers parsed records to a real Forward receiver.
 */
class ParseExamplesTest {

  private static final ObjectMapper JSON = new ObjectMapper();

  @TempDir
  Path dir;

  @Test
  void theExamplesLoad() throws Exception {
    ConfigLoader loader = new ConfigLoader(PluginRegistry.builtIn(), Map.of());
    for (String name : List.of("parse-nginx.yml", "seed-filetail-fluentd-parse.yml")) {
      Path p = Path.of("..", "examples", name);
      AgentConfig c = loader.parse(name, Files.readString(p));
      assertThat(c.tasks()).as(name).hasSize(1);
    }
  }

  @Test
  void theNginxExampleRunsParsingLinesDroppingHealthChecksAndDeadLetteringTheRest() throws Exception {
    Map<String, String> env = new java.util.HashMap<>(System.getenv());
    env.put("SWAK_DEMO_DIR", dir.toString());
    env.put("SWAK_DEMO_POS", dir.resolve("pos").toString());
    String example = Files.readString(Path.of("..", "examples", "parse-nginx.yml"));
    Path out = dir.resolve("out.log");
    // as written, but to a file a test can read instead of standard output
    String cfg = example.replace("  - out.Stdout", "  - out.File: {path: \"" + out + "\", format: json}");
    assertThat(cfg).contains("format: nginx").contains("out.File").doesNotContain("- out.Stdout");
    Files.writeString(dir.resolve("access.log"), """
        127.0.0.1 - - [21/Nov/2026:14:38:12 +0900] "GET /api HTTP/1.1" 503 12 "-" "curl/8"
        127.0.0.1 - - [21/Nov/2026:14:38:13 +0900] "GET /health HTTP/1.1" 200 2 "-" "kube-probe/1.29"
        this is no access line
        10.0.0.2 - bob [21/Nov/2026:14:38:14 +0900] "POST /api/orders HTTP/1.1" 201 40 "-" "curl/8"
        """);
    Agent agent = new Agent(new ConfigLoader(PluginRegistry.builtIn(), env).parse("parse-nginx.yml", cfg),
        dir.resolve("data"), Clock.systemUTC());
    agent.start();
    try {
      Path dead = dir.resolve("data").resolve("dead-letter").resolve("task_1.jsonl");
      await().atMost(Duration.ofSeconds(20)).until(() -> Files.exists(out) && Files.readAllLines(out).size() == 2
          && Files.exists(dead));
      List<String> lines = Files.readAllLines(out);
      JsonNode first = JSON.readTree(lines.get(0));
      assertThat(first.get("tag").asText()).isEqualTo("nginx.access");
      assertThat(first.get("time").asText()).startsWith("2026-11-21T05:38:12"); // from the line
      assertThat(first.get("record").get("path").asText()).isEqualTo("/api");
      assertThat(first.get("record").get("code").asLong()).isEqualTo(503);
      assertThat(JSON.readTree(lines.get(1)).get("record").get("user").asText()).isEqualTo("bob");
      assertThat(Files.readString(dead)).contains("this is no access line").contains("parse nginx");
      Map<String, Long> grep = agent.tasks().get(0).counters().get(2).snapshot();
      assertThat(grep).containsEntry("filtered", 1L); // the health check
    } finally {
      agent.stop();
    }
  }

  @Test
  void theSeedsSecondExampleWithParseDeliversParsedRecordsThroughFluentd() throws Exception {
    int port;
    try (ServerSocket s = new ServerSocket(0)) {
      port = s.getLocalPort();
    }
    Path received = dir.resolve("received.log");
    Agent receiver = new Agent(new ConfigLoader(PluginRegistry.builtIn(), Map.of()).parse("receiver.yml", """
        - task:
          - in.Forward: {port: %d}
          - out.File: {path: "%s", format: record}
        """.formatted(port, received)), dir.resolve("receiver"), Clock.systemUTC());
    receiver.start();
    int listening = port;
    await().atMost(Duration.ofSeconds(20)).ignoreExceptions().until(() -> {
      try (java.net.Socket s = new java.net.Socket("127.0.0.1", listening)) {
        return true;
      }
    });
    Path log = dir.resolve("mylog.txt");
    Files.write(log, """
        2026-11-21 09:00:01.000 [INFO] (main) 시작합니다
        2026-11-21 09:00:02.500 [WARN] (worker-3) order 42: 다시 시도합니다
        """.getBytes(Charset.forName("x-windows-949")));
    String seed = Files.readString(Path.of("..", "examples", "seed-filetail-fluentd-parse.yml"));
    // the example reads only lines added after its first start: here the file is read from its head
    String cfg = seed.replace("C:/myprj/logs/mylog.txt", log.toString())
        .replace("encoding: cp949", "encoding: cp949\n      read_from_head: true")
        .replace("C:/swak_temp/pos", dir.resolve("pos").toString())
        .replace("minutes: 5", "seconds: 0.2")
        .replace("ip: 192.168.0.1", "ip: 127.0.0.1\n        port: " + port)
        .replace("ip: 169.168.0.2", "ip: 127.0.0.1\n        port: " + port)
        .replace("/tmp/failed.txt", dir.resolve("failed.txt").toString());
    assertThat(cfg).contains("format: regex").contains("read_from_head").doesNotContain("- out.MyLogParser");
    Agent agent = new Agent(new ConfigLoader(PluginRegistry.builtIn(), Map.of()).parse("seed.yml", cfg),
        dir.resolve("data"), Clock.systemUTC());
    agent.start();
    try {
      await().atMost(Duration.ofSeconds(20))
          .until(() -> Files.exists(received) && Files.readAllLines(received).size() >= 2);
      List<String> out = Files.readAllLines(received);
      JsonNode first = JSON.readTree(out.get(0));
      JsonNode second = JSON.readTree(out.get(1));
      assertThat(first.get("level").asText()).isEqualTo("INFO");
      assertThat(first.get("text").asText()).isEqualTo("시작합니다");
      assertThat(second.get("thread").asText()).isEqualTo("worker-3");
      assertThat(second.get("order").asLong()).isEqualTo(42);
      assertThat(second.get("date").asText()).isEqualTo("2026-11-21 09:00:02.500");
      assertThat(out).hasSize(2);
    } finally {
      agent.stop();
      receiver.stop();
    }
  }
}
