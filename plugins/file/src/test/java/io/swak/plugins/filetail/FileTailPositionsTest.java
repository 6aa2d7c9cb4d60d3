package io.swak.plugins.filetail;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.swak.core.config.AgentConfig;
import io.swak.core.config.ConfigLoader;
import io.swak.core.config.PluginRegistry;
import io.swak.core.runtime.SharedPositions;
import io.swak.core.runtime.Agent;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Positions belong to what a task reads, not to its place or name in the config. */
class FileTailPositionsTest {

  @TempDir
  Path dir;

  private Agent start(String yaml) throws Exception {
    AgentConfig c = new ConfigLoader(PluginRegistry.builtIn(), Map.of("DIR", dir.toString())).parse("t.yml", yaml);
    Agent a = new Agent(c, dir.resolve("data"), Clock.systemUTC());
    a.start();
    await().atMost(Duration.ofSeconds(10)).until(() -> a.tasks().stream().allMatch(t -> t.state().equals("running")));
    return a;
  }

  private void append(Path f, int from, int to) throws Exception {
    StringBuilder b = new StringBuilder();
    for (int i = from; i <= to; i++) {
      b.append("line ").append(i).append('\n');
    }
    Files.writeString(f, b, StandardCharsets.UTF_8, StandardOpenOption.CREATE, StandardOpenOption.APPEND);
  }

  private List<String> out() throws Exception {
    Path o = dir.resolve("out.log");
    return Files.exists(o) ? Files.readAllLines(o) : List.of();
  }

  private static final String TAIL = "  - in.FileTail: {path: \"${DIR}/logs/*.log\", read_from_head: true}\n"
      + "  - out.File: {path: \"${DIR}/out.log\", format: raw}\n";

  @Test
  void namingAndMovingTheTaskKeepsItsPositions() throws Exception {
    Path log = Files.createDirectories(dir.resolve("logs")).resolve("app.log");
    append(log, 1, 100);
    Agent a = start("- task:\n" + TAIL);
    await().atMost(Duration.ofSeconds(10)).until(() -> out().size() == 100);
    a.stop();
    append(log, 101, 150);
    // the docs recommend names: the task gets one and moves behind another task
    a = start("- task:\n  - in.FakeData: {type: people, count: 1, total: 1}\n  - out.Null\n- task:\n" + TAIL
        + "  name: web\n");
    try {
      await().atMost(Duration.ofSeconds(10)).until(() -> out().size() >= 150);
      assertThat(out()).hasSize(150).doesNotHaveDuplicates().endsWith("line 150");
    } finally {
      a.stop();
    }
  }

  @Test
  void theCheckpointsOfAnEarlierVersionAreTakenOverOnce() throws Exception {
    Path log = Files.createDirectories(dir.resolve("logs")).resolve("app.log");
    append(log, 1, 100);
    long offset = Files.readString(log).indexOf("line 61\n");
    // what an earlier version left: one checkpoint file per followed file, in a folder named after the task
    Path old = Files.createDirectories(dir.resolve("data/filetail/task-1"));
    FileIdentity id = FileIdentity.stat(log).id();
    Fingerprint fp;
    try (FileChannel ch = FileChannel.open(log, StandardOpenOption.READ)) {
      fp = Fingerprint.of(ch, ch.size());
    }
    Files.writeString(old.resolve(id.key() + ".pos"), "offset=" + offset + "\nfingerprint=" + fp + "\npath=" + log + "\n");
    Files.writeString(old.resolve("started"), "");
    Agent a = start("- task:\n" + TAIL);
    try {
      await().atMost(Duration.ofSeconds(10)).until(() -> out().size() >= 40);
      assertThat(out()).hasSize(40).startsWith("line 61").endsWith("line 100");
    } finally {
      a.stop();
    }
    assertThat(dir.resolve("data/filetail/task-1")).doesNotExist();
    assertThat(dir.resolve("data/filetail/task-1.migrated")).isDirectory();
  }

  @Test
  void aStoreNamedByAnEarlierBuildIsFoundByItsSource() throws Exception {
    Path log = Files.createDirectories(dir.resolve("logs")).resolve("app.log");
    append(log, 1, 100);
    Agent a = start("- task:\n" + TAIL);
    await().atMost(Duration.ofSeconds(10)).until(() -> out().size() == 100);
    a.stop();
    // an earlier build named the store with 12 hex digits of SHA-256; same SOURCE inside
    Path store;
    try (var dirs = Files.list(dir.resolve("data/positions"))) {
      store = dirs.findFirst().orElseThrow();
    }
    Path earlier = store.resolveSibling("in.FileTail-0123456789ab");
    Files.move(store, earlier);
    append(log, 101, 150);
    a = start("- task:\n" + TAIL);
    try {
      await().atMost(Duration.ofSeconds(10)).until(() -> out().size() >= 150);
      assertThat(out()).hasSize(150).doesNotHaveDuplicates().endsWith("line 150");
    } finally {
      a.stop();
    }
    assertThat(earlier).doesNotExist();
    assertThat(store.resolve("positions.log")).isRegularFile();
  }

  @Test
  void twoTasksReadingTheSameFilesAreWarnedAbout() throws Exception {
    AgentConfig c = new ConfigLoader(PluginRegistry.builtIn(), Map.of("DIR", dir.toString())).parse("t.yml",
        "- task:\n" + TAIL + "- task:\n" + TAIL.replace("out.log", "copy.log")
            + "- task:\n" + TAIL.replace("read_from_head: true", "read_from_head: true, pos_dir: \"${DIR}/own\""));
    List<String> w = SharedPositions.warnings(c, dir.resolve("data"));
    assertThat(w).hasSize(1);
    assertThat(w.get(0)).startsWith("task 1 and task 2 read the same source").contains("pos_dir");
  }
}
