package io.swak.dist;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
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
    Path source = dir.resolve("app.log");
    Path out = dir.resolve("copy.log");
    config = dir.resolve("swak.yml");
    Files.writeString(source, "");
    Files.writeString(config, "- agent: {data_dir: " + data + "}\n"
        + "- task:\n  - in.FileTail: {path: " + source + ", pos_dir: " + data.resolve("pos") + ", read_from_head: true}\n"
        + "  - out.File: {path: " + out + ", format: raw}\n");
    swak = Swak.ofRepo(dir, Map.of());
    swak.run("start", config.toString()).expect(0);
    Path statusFile = data.resolve("swak.status.json");
    long first = await().atMost(Duration.ofSeconds(30)).until(() -> workerPid(statusFile), pid -> pid > 0);
    long supervisor = Long.parseLong(Files.readString(data.resolve("swak.pid")).trim());

    // an application writing 200 lines every 20 ms while its collector is killed and restarted
    int total = 30_000;
    AtomicInteger written = new AtomicInteger();
    ScheduledExecutorService app = Executors.newSingleThreadScheduledExecutor();
    app.scheduleAtFixedRate(() -> {
      StringBuilder b = new StringBuilder();
      for (int i = 0; i < 200 && written.get() < total; i++) {
        b.append(String.format("line-%06d%n", written.incrementAndGet()));
      }
      try {
        Files.writeString(source, b, StandardOpenOption.APPEND);
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      }
    }, 0, 20, TimeUnit.MILLISECONDS);
    try {
      await().atMost(Duration.ofSeconds(20)).until(() -> Swak.lines(out).size() >= 3000);
      Swak.kill("KILL", first);
      assertThat(written.get()).as("killed while the application still writes").isLessThan(total);
      await().atMost(Duration.ofSeconds(10)).until(() -> !Swak.running(first));

      await().atMost(Duration.ofSeconds(30)).until(() -> workerPid(statusFile) != 0 && workerPid(statusFile) != first);
      assertThat(Swak.running(supervisor)).isTrue();
      // every line arrives, whole; only lines of the unacknowledged window may come twice
      await().atMost(Duration.ofSeconds(60)).until(() -> new TreeSet<>(Swak.lines(out)).size() >= total);
    } finally {
      app.shutdownNow();
    }
    List<String> lines = Swak.lines(out);
    assertThat(lines).allMatch(l -> l.matches("line-\\d{6}"));
    assertThat(new TreeSet<>(lines)).hasSize(total).first().isEqualTo("line-000001");
    assertThat(new TreeSet<>(lines).last()).isEqualTo(String.format("line-%06d", total));
    assertThat(lines.size() - total).as("duplicates (the unacknowledged window)").isLessThan(total / 2);
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
}
