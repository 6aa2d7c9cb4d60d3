package io.swak.dist;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code swak start|stop|status|reload} when something is wrong: a config with a broken task, a task that
 * cannot start, a reload that needs a restart. The real launcher, a real background agent.
 */
class DaemonTroubleTest {

  private static final ObjectMapper JSON = new ObjectMapper();

  @TempDir
  Path dir;

  private Swak swak;
  private Path data;
  private Path pidFile;
  private Path config;

  @BeforeEach
  void setUp() {
    data = dir.resolve("own-data");
    pidFile = data.resolve("swak.pid");
    config = dir.resolve("swak.yml");
    // a data directory of the environment that is not the config's: the wrong pid file is not found by chance
    swak = Swak.ofRepo(dir, Map.of("SWAK_DATA_DIR", dir.resolve("env-data").toString()));
  }

  @AfterEach
  void stopWhatIsLeft() throws Exception {
    if (Files.exists(pidFile)) {
      swak.run("stop", "--pid-file", pidFile.toString());
    }
  }

  private String agent() {
    return "- agent:\n    data_dir: " + data + "\n    log_file: " + dir.resolve("swak.log") + "\n";
  }

  private static String nullTask(String name) {
    return "- task:\n  - in.FakeData: {type: json, rate: 20}\n  - out.Null\n  name: " + name + "\n";
  }

  private static String forwardTask(String name, int port) {
    return "- task:\n  - in.Forward: {bind: 127.0.0.1, port: " + port + "}\n  - out.Null\n  name: " + name + "\n";
  }

  private long supervisorPid() throws IOException {
    return Long.parseLong(Files.readString(pidFile).trim());
  }

  @Test
  void stopAndStatusFindTheAgentThroughAConfigWithABrokenTask() throws Exception {
    Files.writeString(config, agent() + nullTask("a"));
    swak.run("start", config.toString()).expect(0);
    long pid = supervisorPid();

    // the config is edited and now has a mistake in a task: its agent entry still says where the pid file is
    Files.writeString(config, agent() + nullTask("a").replace("out.Null", "out.Nul"));
    Swak.Result status = swak.run("status", config.toString()).expect(0);
    assertThat(status.out()).contains("pid file " + pidFile, "swak is running: pid " + pid);

    Swak.Result stop = swak.run("stop", config.toString()).expect(0);
    assertThat(stop.out()).contains("pid file " + pidFile, "swak stopped (pid " + pid);
    assertThat(Swak.running(pid)).isFalse();
  }

  @Test
  void aBrokenAgentEntryIsSaidAndNotGuessedAround() throws Exception {
    Files.writeString(config, agent().replace("data_dir", "data_dri") + nullTask("a"));
    Swak.Result status = swak.run("status", config.toString());
    assertThat(status.code()).as(status.out()).isEqualTo(4);
    assertThat(status.out()).contains("unknown option `data_dri`", "--pid-file").doesNotContain("not running");
    Swak.Result stop = swak.run("stop", config.toString()).expect(1);
    assertThat(stop.out()).contains("unknown option `data_dri`").doesNotContain("not running");
  }

  @Test
  void startFailsAndSaysWhichTaskCannotStartAndWhy() throws Exception {
    try (ServerSocket taken = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
      Files.writeString(config, agent() + nullTask("fine") + forwardTask("web", taken.getLocalPort()));
      Swak.Result start = swak.run("start", config.toString()).expect(1);
      assertThat(start.out()).contains("task 2 (web)", "failing", "cannot listen on 127.0.0.1:" + taken.getLocalPort())
          .doesNotContain("swak started");
      // nothing half-started is left behind
      assertThat(pidFile).doesNotExist();
      assertThat(swak.run("status", config.toString()).expect(3).out()).contains("not running");
    }
  }

  @Test
  void statusShowsAFailingTaskWithItsErrorAndAnExitCodeOfItsOwn() throws Exception {
    int port;
    try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
      port = s.getLocalPort();
    }
    Files.writeString(config, agent() + nullTask("fine") + forwardTask("web", port));
    swak.run("start", config.toString()).expect(0);
    try (ServerSocket taken = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
      Files.writeString(config, agent() + nullTask("fine") + forwardTask("web", taken.getLocalPort()));
      Swak.Result reload = swak.run("reload", config.toString());
      assertThat(reload.out()).contains("1 unchanged, 1 restarted", "task 2 (web) failing",
          "cannot listen on 127.0.0.1:" + taken.getLocalPort());

      Swak.Result status = swak.run("status", config.toString());
      assertThat(status.code()).as(status.out()).isEqualTo(150);
      assertThat(status.out()).contains("task 1 (fine): running", "task 2 (web): failing",
          "cannot listen on 127.0.0.1:" + taken.getLocalPort());
    }
  }

  @Test
  void reloadSaysOnceWhatIsWrongAndEchoesWhatNeedsARestart() throws Exception {
    Files.writeString(config, agent() + nullTask("a"));
    swak.run("start", config.toString()).expect(0);

    Files.writeString(config, agent() + nullTask("a").replace("out.Null", "out.Nul"));
    Swak.Result bad = swak.run("reload", config.toString()).expect(1);
    assertThat(bad.out().split("unknown plugin `out.Nul`", -1)).as(bad.out()).hasSize(2);

    Files.writeString(config, agent() + "    http: {bind: 127.0.0.1, port: 0}\n" + nullTask("a"));
    Swak.Result good = swak.run("reload", config.toString()).expect(0);
    assertThat(good.out()).contains("reloaded: 1 unchanged", "agent.http changed", "next restart");
    JsonNode st = JSON.readTree(data.resolve("swak.status.json").toFile());
    assertThat(st.get("last_reload").asText()).contains("agent.http changed");
    assertThat(Files.readString(dir.resolve("swak.log"))).contains("reload: agent.http changed");
  }
}
