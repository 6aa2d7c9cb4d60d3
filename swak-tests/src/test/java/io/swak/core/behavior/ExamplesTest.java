package io.swak.core.behavior;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.swak.core.config.AgentConfig;
import io.swak.core.config.ConfigException;
import io.swak.core.config.ConfigLoader;
import io.swak.core.config.PluginRegistry;
import io.swak.core.runtime.Agent;
import io.swak.core.testing.Pipelines;
import java.net.InetAddress;
import java.net.ServerSocket;
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

/** Every file of examples/ loads as written; examples/route.yml runs. */
class ExamplesTest {

  @TempDir
  Path dir;

  /** Examples of plugins that are not built in (the sample plugin, installed by swak build). */
  private static final List<String> EXTERNAL = List.of("myprj-build.yml", "seed-filetail-fluentd.yml");

  /** Variables examples require without a default (secrets the user sets). */
  private static final Map<String, String> ENV = Map.of("INGEST_TOKEN", "a-token-for-the-test");

  @Test
  void everyExampleLoads() throws Exception {
    ConfigLoader loader = new ConfigLoader(PluginRegistry.builtIn(), ENV);
    List<String> failed = new ArrayList<>();
    try (Stream<Path> files = Files.list(Path.of("..", "examples"))) {
      for (Path p : files.filter(f -> f.toString().endsWith(".yml")).sorted().toList()) {
        String name = p.getFileName().toString();
        if (EXTERNAL.contains(name)) {
          continue;
        }
        try {
          AgentConfig c = loader.parse(name, Files.readString(p));
          assertThat(c.tasks()).as(name).isNotEmpty();
        } catch (ConfigException e) {
          failed.add(name + ": " + e.getMessage());
        }
      }
    }
    assertThat(failed).isEmpty();
  }

  @Test
  void theRouteExampleRoutesErrorsToFluentdAndWebEventsToAFile() throws Exception {
    int port;
    try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
      port = s.getLocalPort();
    }
    Path recv = dir.resolve("receiver");
    Files.createDirectories(recv);
    Agent receiver = Pipelines.start(recv, """
        - task:
          - in.Forward: {port: %d}
          - out.File: {path: "${DIR}/errors.log", format: record}
        """.formatted(port));
    Map<String, String> env = new HashMap<>(System.getenv());
    env.put("SWAK_DEMO_DIR", dir.toString());
    env.put("SWAK_DEMO_POS", dir.resolve("pos").toString());
    env.put("FLUENTD_PORT", String.valueOf(port));
    AgentConfig cfg = new ConfigLoader(Pipelines.registry(), env)
        .parse("route.yml", Files.readString(Path.of("..", "examples", "route.yml")));
    Agent agent = new Agent(cfg, dir.resolve("data"), Clock.systemUTC());
    agent.start();
    try {
      Files.writeString(dir.resolve("app.log"), """
          {"status":503,"path":"/api","took":2.5}
          {"status":200,"path":"/","took":0.1}
          {"status":500,"path":"/b","took":0.3}
          """);
      Path errors = recv.resolve("errors.log");
      Path web = dir.resolve("web.log");
      await().atMost(Duration.ofSeconds(20)).until(() -> Files.exists(errors) && Files.readAllLines(errors).size() == 2
          && Files.exists(web) && Files.readAllLines(web).size() == 3);
      assertThat(Files.readAllLines(errors)).allSatisfy(l -> assertThat(l).contains("\"alert\":true"));
      assertThat(Files.readAllLines(web)).noneSatisfy(l -> assertThat(l).contains("alert"));
    } finally {
      agent.stop();
      receiver.stop();
    }
  }
}
