package io.swak.dist;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import jdk.jfr.consumer.RecordedEvent;
import jdk.jfr.consumer.RecordingFile;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A JFR recording of a running agent, the way an operator takes one ({@code jcmd PID JFR.start}). HotSpot suspends
 * the threads it samples with SIGUSR2 unless given another signal, and swak's own USR2 (reopen the log file) took
 * that signal from it: every sample reopened the log and the recording held no execution samples. The launcher
 * gives the JVM a signal of its own; USR2 still reopens the log.
 */
class JfrSamplingTest {

  @TempDir
  Path dir;

  @Test
  void aJfrRecordingOfARunningAgentHasExecutionSamplesAndUsr2StillReopensTheLog() throws Exception {
    Path cfg = dir.resolve("busy.yml");
    Files.writeString(cfg, """
        - task:
          - in.FakeData: {rate: 5000000}
          - out.Null
        """);
    Path javaHome = Path.of(System.getProperty("java.home"));
    Path jcmd = javaHome.resolve("bin/jcmd");
    try (Launcher agent = Launcher.start(dir, Map.of("JAVA_HOME", javaHome.toString()), "run", cfg.toString())) {
      await().atMost(Duration.ofSeconds(30)).until(() -> agent.err().contains("started 1 task"));
      Path recording = dir.resolve("agent.jfr");
      String pid = Long.toString(agent.process.pid());
      jcmd(jcmd, pid, "JFR.start", "name=swak", "settings=profile");
      // dumped until it holds samples: on the old launcher it never did (each sample was taken for a USR2)
      await().atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(500)).until(() -> {
        jcmd(jcmd, pid, "JFR.dump", "name=swak", "filename=" + recording);
        return samples(recording) > 0;
      });
      jcmd(jcmd, pid, "JFR.stop", "name=swak");
      assertThat(agent.err()).as("JFR's sampling is not taken for the operator's USR2").doesNotContain("SIGUSR2");

      agent.signal("USR2");
      await().atMost(Duration.ofSeconds(20)).until(() -> agent.err().contains("SIGUSR2: "));
    }
  }

  private static void jcmd(Path jcmd, String... args) throws Exception {
    String[] cmd = new String[args.length + 1];
    cmd[0] = jcmd.toString();
    System.arraycopy(args, 0, cmd, 1, args.length);
    Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
    String out = new String(p.getInputStream().readAllBytes());
    assertThat(p.waitFor(60, TimeUnit.SECONDS)).isTrue();
    assertThat(p.exitValue()).as(String.join(" ", cmd) + ": " + out).isZero();
  }

  private static long samples(Path recording) throws Exception {
    long n = 0;
    try (RecordingFile f = new RecordingFile(recording)) {
      while (f.hasMoreEvents()) {
        RecordedEvent e = f.readEvent();
        if (e.getEventType().getName().equals("jdk.ExecutionSample")) {
          n++;
        }
      }
    }
    return n;
  }
}
