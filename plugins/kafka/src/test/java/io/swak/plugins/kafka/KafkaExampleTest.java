package io.swak.plugins.kafka;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.swak.core.config.AgentConfig;
import io.swak.core.config.ConfigLoader;
import io.swak.core.runtime.Agent;
import io.swak.core.testing.Pipelines;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** examples/kafka.yml as shipped, run against the real broker: lines of a file come back out of Kafka into files. */
class KafkaExampleTest {

  @TempDir
  Path dir;

  @Test
  void theExampleShipsLinesThroughKafkaAndArchivesThem() throws Exception {
    Path example = Path.of(System.getProperty("swak.repo", "../..")).resolve("examples/kafka.yml");
    SharedKafka.broker().createTopic("logs.demo", 2); // the test broker creates no topic by itself
    Map<String, String> env = new HashMap<>(System.getenv());
    env.put("KAFKA_BROKERS", SharedKafka.bootstrap());
    env.put("SWAK_DEMO_DIR", dir.resolve("in").toString());
    env.put("SWAK_DEMO_POS", dir.resolve("pos").toString());
    env.put("SWAK_DEMO_OUT", dir.resolve("out").toString());
    Files.createDirectories(dir.resolve("in"));
    List<String> lines = new ArrayList<>();
    for (int i = 0; i < 500; i++) {
      lines.add("line " + i);
    }
    Files.write(dir.resolve("in/app.log"), lines);
    AgentConfig cfg = new ConfigLoader(Pipelines.registry(), env).load(example);
    Agent agent = new Agent(cfg, dir.resolve("data"), Clock.systemUTC());
    agent.start();
    try {
      await().atMost(Duration.ofSeconds(60)).until(() -> archived().size() == 500);
      ObjectMapper json = new ObjectMapper();
      JsonNode first = json.readTree(archived().get(0));
      assertThat(first.toString()).contains("\"message\":\"line ").contains("\"@timestamp\"")
          .contains("\"topic\":\"logs.demo\"").contains(dir.resolve("in/app.log").toString());
    } finally {
      agent.stop();
    }
  }

  private List<String> archived() throws Exception {
    Path out = dir.resolve("out");
    if (!Files.isDirectory(out)) {
      return List.of();
    }
    List<String> all = new ArrayList<>();
    try (Stream<Path> files = Files.list(out)) {
      for (Path f : files.toList()) {
        all.addAll(Files.readAllLines(f).stream().filter(l -> !l.isBlank()).toList());
      }
    }
    return all;
  }
}
