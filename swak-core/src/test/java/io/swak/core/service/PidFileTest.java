package io.swak.core.service;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class PidFileTest {

  @TempDir
  Path dir;

  private static long deadPid() throws Exception {
    Process p = new ProcessBuilder("true").start();
    p.waitFor();
    return p.pid();
  }

  @Test
  void aFileOfALiveSwakBlocksAClaimAndAStaleOneIsReplaced() throws Exception {
    PidFile f = new PidFile(dir.resolve("run/swak.pid"));
    assertThat(f.check().state()).isEqualTo(PidFile.State.ABSENT);
    long me = ProcessHandle.current().pid();
    Files.createDirectories(f.path().getParent());
    Files.writeString(f.path(), deadPid() + "\n");
    assertThat(f.check().state()).isEqualTo(PidFile.State.STALE);
    assertThat(f.claim(me)).isEmpty();
    assertThat(f.read()).contains(me);
  }

  @Test
  void aLivePidOfAnotherProgramIsStale() throws Exception {
    Process sleeper = new ProcessBuilder("sleep", "30").start();
    try {
      PidFile f = new PidFile(dir.resolve("swak.pid"));
      Files.writeString(f.path(), sleeper.pid() + "\n");
      assertThat(f.check()).isEqualTo(new PidFile.Check(PidFile.State.STALE, sleeper.pid()));
      assertThat(f.claim(42)).isEmpty();
    } finally {
      sleeper.destroyForcibly();
    }
  }

  @Test
  void anAgentWhoseMainClassComesAfterAVeryLongClassPathIsStillRecognised() throws Exception {
    // like the agent of an installed release: -cp with ~100 jars under a long directory, then the main class
    StringBuilder cp = new StringBuilder();
    for (int i = 0; i < 120; i++) {
      cp.append(i == 0 ? "" : ":").append(dir).append("/opt-swak/releases/0.1.0-SNAPSHOT/lib/some-library-").append(i)
          .append("-1.2.3.jar");
    }
    Process agent = new ProcessBuilder("sh", "-c", "sleep 30", "java", "-cp", cp.toString(),
        "io.swak.core.service.Supervisor").start();
    try {
      PidFile f = new PidFile(dir.resolve("swak.pid"));
      Files.writeString(f.path(), agent.pid() + "\n");
      assertThat(f.check()).isEqualTo(new PidFile.Check(PidFile.State.RUNNING, agent.pid()));
    } finally {
      agent.destroyForcibly();
    }
  }

  @Test
  void garbageIsStaleAndReleaseOnlyRemovesOurOwnFile() throws Exception {
    PidFile f = new PidFile(dir.resolve("swak.pid"));
    Files.writeString(f.path(), "\u0000garbage");
    assertThat(f.check().state()).isEqualTo(PidFile.State.STALE);
    Files.writeString(f.path(), "12345\n");
    f.release(999);
    assertThat(f.path()).exists();
    f.release(12345);
    assertThat(f.path()).doesNotExist();
  }
}
