package io.swak.core.service;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The supervisor loop with real worker processes (small shell scripts) and short delays. */
class SupervisorTest {

  @TempDir
  Path dir;

  private int supervise(String script, CrashBackoff backoff) {
    Path pid = dir.resolve("swak.pid");
    return new Supervisor(new PidFile(pid), StatusFile.besides(pid), dir.resolve("swak.log"),
        List.of("sh", "-c", script), backoff).run(false);
  }

  private long launches() throws Exception {
    return Files.exists(dir.resolve("launches")) ? Files.readAllLines(dir.resolve("launches")).size() : 0;
  }

  @Test
  void aWorkerThatKeepsCrashingSoonAfterComingUpIsRestartedThenGivenUpOn() throws Exception {
    // comes up (writes its status file), then dies as kill -9 would leave it
    String script = "echo x >> " + dir.resolve("launches") + "; echo '{}' > " + dir.resolve("swak.status.json")
        + "; kill -9 $$";
    int code = supervise(script, new CrashBackoff(Duration.ofMillis(10), Duration.ofMillis(40), Duration.ofSeconds(30), 3));
    assertThat(code).isEqualTo(1);
    assertThat(launches()).isEqualTo(4); // the first start and 3 restarts
    String log = Files.readString(dir.resolve("swak.log"));
    assertThat(log).contains("was killed by SIGKILL", "restarting it in 10 ms", "restarting it in 40 ms",
        "crashed 3 times in a row within 30 s of starting (last: was killed by SIGKILL); giving up");
    assertThat(dir.resolve("swak.pid")).as("released").doesNotExist();
    assertThat(dir.resolve("swak.status.json")).as("no status of a dead worker").doesNotExist();
  }

  @Test
  void aWorkerThatNeverCameUpIsNotRestarted() throws Exception {
    int code = supervise("echo x >> " + dir.resolve("launches") + "; exit 1", CrashBackoff.defaults());
    assertThat(code).isEqualTo(1);
    assertThat(launches()).isEqualTo(1);
    assertThat(Files.readString(dir.resolve("swak.log"))).contains("failed to start (crashed (exit code 1)); not restarting");
  }

  @Test
  void aWorkerThatEndsNormallyEndsTheSupervisor() throws Exception {
    assertThat(supervise("exit 0", CrashBackoff.defaults())).isZero();
    assertThat(Files.readString(dir.resolve("swak.log"))).contains("ended normally");
  }

  @Test
  void aSecondSupervisorForTheSamePidFileRefuses() throws Exception {
    // a live process whose command line names a Swak class, as a running supervisor's does
    Process other = new ProcessBuilder("sh", "-c", "sleep 30; true", "io.swak.core.service.Supervisor").start();
    try {
      Files.writeString(dir.resolve("swak.pid"), other.pid() + "\n");
      assertThat(supervise("echo x >> " + dir.resolve("launches"), CrashBackoff.defaults())).isEqualTo(1);
      assertThat(Files.readString(dir.resolve("swak.log"))).contains("already running (pid " + other.pid());
      assertThat(Files.readString(dir.resolve("swak.pid")).trim()).isEqualTo(Long.toString(other.pid()));
      assertThat(launches()).isZero();
    } finally {
      other.destroyForcibly();
    }
  }
}
