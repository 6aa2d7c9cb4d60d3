package io.swak.dist;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;
import java.util.stream.LongStream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The supervisor of swak start brings a worker killed with SIGKILL back, and the data is all there. */
class SupervisionIT {

  private static final ObjectMapper JSON = new ObjectMapper();

  @TempDir
  Path dir;

  private Swak swak;
  private Path config;

  @AfterEach
  void stopIt() throws Exception {
    if (swak != null) {
      swak.run("stop", config.toString());
    }
  }

  private long workerPid(Path statusFile) {
    try {
      return JSON.readTree(statusFile.toFile()).path("pid").asLong();
    } catch (Exception e) {
      return 0; // not written yet, or being replaced
    }
  }

  @Test
  void aWorkerKilledWithSigkillIsRestartedAndNothingIsLost() throws Exception {
    Path data = dir.resolve("data");
    Path out = dir.resolve("people.log");
    config = dir.resolve("swak.yml");
    Files.writeString(config, "- agent: {data_dir: " + data + "}\n"
        + "- task:\n  - in.FakeData: {type: people, count: 10, total: 1500, seed: 11, rate: 500}\n"
        + "  - out.File: {path: " + out + ", format: record}\n");
    swak = Swak.ofRepo(dir, Map.of());
    swak.run("start", config.toString()).expect(0);
    Path statusFile = data.resolve("swak.status.json");
    long first = workerPid(statusFile);
    long supervisor = Long.parseLong(Files.readString(data.resolve("swak.pid")).trim());

    await().atMost(Duration.ofSeconds(20)).until(() -> Swak.lines(out).size() >= 200);
    Swak.kill("KILL", first);
    await().atMost(Duration.ofSeconds(10)).until(() -> !Swak.running(first));

    await().atMost(Duration.ofSeconds(30)).until(() -> workerPid(statusFile) != 0 && workerPid(statusFile) != first);
    assertThat(Swak.running(supervisor)).isTrue();
    // the new worker starts over from what was durable (FakeData keeps no checkpoint: from the start), so every
    // record is there at least once and none is torn
    await().atMost(Duration.ofSeconds(30)).until(() -> new TreeSet<>(ids(out)).size() == 1500
        && ids(out).size() >= 1500 + 200);
    assertThat(new TreeSet<>(ids(out))).containsExactlyElementsOf(LongStream.rangeClosed(1, 1500).boxed().toList());
    assertThat(Files.readString(data.resolve("swak.out"))).contains("was killed by SIGKILL", "restarting it in");
    assertThat(swak.run("status", config.toString()).expect(0).out()).contains("worker: pid " + workerPid(statusFile));
  }

  @Test
  void startSaysWhyTheAgentCouldNotStart() throws Exception {
    Path data = dir.resolve("data");
    config = dir.resolve("swak.yml");
    Swak cli = Swak.ofRepo(dir, Map.of());
    // a config error: found before anything runs in the background
    Files.writeString(config, "- agent: {data_dir: " + data + "}\n- task:\n  - in.FakeData: {tpye: people}\n  - out.Null\n");
    assertThat(cli.run("start", config.toString()).expect(1).out()).contains("tpye", "did you mean");
    assertThat(data.resolve("swak.pid")).doesNotExist();

    // a failure of the worker itself (its HTTP port is taken): start prints the log and gives up, no restart loop
    try (java.net.ServerSocket taken = new java.net.ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
      Files.writeString(config, "- agent: {data_dir: " + data + ", http: {port: " + taken.getLocalPort() + "}}\n"
          + "- task:\n  - in.FakeData: {type: people}\n  - out.Null\n");
      String out = cli.run("start", config.toString()).expect(1).out();
      assertThat(out).contains("swak failed to start", "cannot listen for HTTP on 127.0.0.1:" + taken.getLocalPort(),
          "not restarting");
    }
    assertThat(data.resolve("swak.pid")).doesNotExist();
    assertThat(cli.run("status", config.toString()).expect(3).out()).contains("not running");
  }

  private static List<Long> ids(Path file) throws Exception {
    List<Long> ids = new ArrayList<>();
    for (String line : Swak.lines(file)) {
      ids.add(JSON.readTree(line).get("id").asLong());
    }
    return ids;
  }
}
