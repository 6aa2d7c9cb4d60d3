package io.swak.core.runtime;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.swak.core.config.AgentConfig;
import io.swak.core.config.ConfigLoader;
import io.swak.core.config.PluginRegistry;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class AgentReloadTest {

  @TempDir
  Path dir;

  private Agent agent;

  @AfterEach
  void stop() throws InterruptedException {
    if (agent != null) {
      agent.stop();
    }
  }

  private AgentConfig load(String yaml) throws Exception {
    Path f = Files.createTempFile(dir, "swak", ".yml");
    Files.writeString(f, yaml);
    return new ConfigLoader(PluginRegistry.builtIn(), Map.of()).load(f);
  }

  private String task(String name, String file) {
    return "- task:\n  - in.FakeData: {type: people, rate: 200, seed: 1}\n  - out.File: {path: " + dir.resolve(file)
        + ", format: record}\n  name: " + name + "\n";
  }

  @Test
  void onlyChangedAndRemovedTasksStopAndOnlyChangedAndNewOnesStart() throws Exception {
    agent = new Agent(load(task("a", "a.log") + task("b", "b.log") + task("c", "c.log")), dir, Clock.systemUTC());
    agent.start();
    await().atMost(Duration.ofSeconds(10)).until(() -> agent.tasks().stream().allMatch(t -> "running".equals(t.state())));
    List<Task> before = agent.tasks();

    // a moves down a line (a comment above it) but is the same; b changes its file; c goes; d comes
    Agent.ReloadResult r = agent.reload(load("# moved\n" + task("a", "a.log") + task("b", "b2.log") + task("d", "d.log")));

    assertThat(r).isEqualTo(new Agent.ReloadResult(1, 1, 1, 1, List.of()));
    List<Task> after = agent.tasks();
    assertThat(after.get(0)).isSameAs(before.get(0));
    assertThat(after.get(0).state()).isEqualTo("running");
    assertThat(before.get(1).state()).isEqualTo("stopped");
    assertThat(before.get(2).state()).isEqualTo("stopped");
    assertThat(after).extracting(t -> t.config().name()).containsExactly("a", "b", "d");
    await().atMost(Duration.ofSeconds(10)).until(() -> Files.exists(dir.resolve("b2.log"))
        && Files.exists(dir.resolve("d.log")));
    assertThat(agent.config().tasks()).hasSize(3);
  }

  private String failoverTask(String name, String retryWait) {
    return "- task:\n  - in.FakeData: {type: people, rate: 200, seed: 1}\n  - failover:\n      outputs:\n"
        + "      - out.File: {path: " + dir.resolve(name + "-1.log") + ", format: record, retry_wait: " + retryWait
        + "}\n      - out.File: {path: " + dir.resolve(name + "-2.log") + ", format: record}\n  name: " + name + "\n";
  }

  @Test
  void stepsNestedInFailoverCompareByOptionsNotByTheirPlaceInTheFile() throws Exception {
    agent = new Agent(load(failoverTask("f", "1s") + failoverTask("g", "1s")), dir, Clock.systemUTC());
    agent.start();
    await().atMost(Duration.ofSeconds(10)).until(() -> agent.tasks().stream().allMatch(t -> "running".equals(t.state())));
    List<Task> before = agent.tasks();

    // f moves down and becomes task 2 (its nested steps' lines and names change); g's retry_wait changes
    Agent.ReloadResult r = agent.reload(load("# moved\n" + failoverTask("g", "2s") + failoverTask("f", "1s")));

    assertThat(r).isEqualTo(new Agent.ReloadResult(1, 1, 0, 0, List.of()));
    assertThat(agent.tasks()).contains(before.get(0));
    assertThat(before.get(1).state()).isEqualTo("stopped");
  }

  @Test
  void optionValuesCompareByContentEvenForPatterns() {
    assertThat(ReloadPlan.sameValue(Pattern.compile("a+"), Pattern.compile("a+"))).isTrue();
    assertThat(ReloadPlan.sameValue(Pattern.compile("a+"), Pattern.compile("a+", Pattern.CASE_INSENSITIVE))).isFalse();
    assertThat(ReloadPlan.sameValue(List.of(Map.of("k", Pattern.compile("x"))), List.of(Map.of("k", Pattern.compile("x")))))
        .isTrue();
    assertThat(ReloadPlan.sameValue(List.of(1L, 2L), List.of(1L))).isFalse();
  }
}
