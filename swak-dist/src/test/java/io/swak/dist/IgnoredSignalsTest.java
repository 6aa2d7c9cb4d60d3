package io.swak.dist;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Signals that were ignored when swak was started: under {@code nohup} HUP is ignored, in the background of a
 * script ({@code swak run x.yml &}) INT is. A JVM keeps an ignored signal ignored, so without the launcher
 * resetting them a reload or a stop would silently do nothing.
 */
class IgnoredSignalsTest {

  @TempDir
  Path dir;

  private long pid;

  @AfterEach
  void killLeftOver() {
    if (pid > 0) {
      ProcessHandle.of(pid).ifPresent(ProcessHandle::destroyForcibly);
    }
  }

  private Path config(Path out) throws Exception {
    Path cfg = dir.resolve("run.yml");
    Files.writeString(cfg, """
        - task:
          - in.FakeData: {type: json, count: 10}
          - out.File: {path: %s}
          - sleep: {ms: 50}
        """.formatted(out));
    return cfg;
  }

  /** Runs a shell script with $0 = the launcher, $1 = the config; its output in files. */
  private Process sh(String script, Path cfg, Path stdout, Path stderr) throws Exception {
    ProcessBuilder pb = new ProcessBuilder("sh", "-c", script, Launcher.SWAK.toString(), cfg.toString())
        .directory(dir.toFile()).redirectOutput(stdout.toFile()).redirectError(stderr.toFile());
    pb.environment().put("SWAK_DATA_DIR", dir.resolve("data").toString());
    pb.environment().remove("JAVA_TOOL_OPTIONS");
    return pb.start();
  }

  private static boolean ignores(long pid, int signal) throws Exception {
    for (String line : Files.readAllLines(Path.of("/proc/" + pid + "/status"))) {
      if (line.startsWith("SigIgn:")) {
        return (Long.parseUnsignedLong(line.substring(7).trim(), 16) & (1L << (signal - 1))) != 0;
      }
    }
    throw new AssertionError("no SigIgn in /proc/" + pid + "/status");
  }

  @Test
  void underNohupHupStillReloads() throws Exception {
    Path out = dir.resolve("out.log");
    Path log = dir.resolve("agent.err");
    Process p = sh("exec nohup \"$0\" run \"$1\"", config(out), dir.resolve("agent.out"), log);
    pid = p.pid();
    await().atMost(Duration.ofSeconds(30)).until(() -> Swak.lines(out).size() >= 20);
    assertThat(ignores(pid, 1)).as("SIGHUP ignored in the agent").isFalse();
    Swak.kill("HUP", pid);
    await().atMost(Duration.ofSeconds(20)).until(() -> Files.readString(log, StandardCharsets.UTF_8)
        .contains("reloaded"));
    assertThat(p.isAlive()).isTrue();
    Swak.kill("TERM", pid);
    assertThat(p.waitFor(30, TimeUnit.SECONDS)).isTrue();
    assertThat(p.exitValue()).isZero();
    assertThat(Files.readString(log)).contains("SIGHUP: reloading", "SIGTERM: stopping");
  }

  @Test
  void withoutEnvDefaultSignalPerlGivesHupBack() throws Exception {
    // an env older than coreutils 8.31 (no --default-signal) in front of the real one: bin/swak falls back on perl
    Path bin = Files.createDirectories(dir.resolve("old-env"));
    Path env = bin.resolve("env");
    Files.writeString(env, """
        #!/bin/sh
        case "$1" in --default-signal*) echo "env: unrecognized option '$1'" >&2; exit 125 ;; esac
        exec /usr/bin/env "$@"
        """);
    assertThat(env.toFile().setExecutable(true)).isTrue();
    Path out = dir.resolve("out.log");
    Path log = dir.resolve("agent.err");
    Process p = sh("PATH=\"" + bin + ":$PATH\"; export PATH; env --default-signal=HUP true 2>/dev/null && exit 99; "
        + "exec nohup \"$0\" run \"$1\"", config(out), dir.resolve("agent.out"), log);
    pid = p.pid();
    await().atMost(Duration.ofSeconds(30)).until(() -> Swak.lines(out).size() >= 20 || !p.isAlive());
    assertThat(p.isAlive()).as("exit %s: %s", p.isAlive() ? "" : p.exitValue(), Files.readString(log)).isTrue();
    assertThat(ignores(pid, 1)).as("SIGHUP ignored in the agent").isFalse();
    Swak.kill("HUP", pid);
    await().atMost(Duration.ofSeconds(20)).until(() -> Files.readString(log, StandardCharsets.UTF_8).contains("reloaded"));
    Swak.kill("TERM", pid);
    assertThat(p.waitFor(30, TimeUnit.SECONDS)).isTrue();
    assertThat(p.exitValue()).isZero();
  }

  @Test
  void swakStartUnderNohupGivesItsAgentHupBack() throws Exception {
    Path out = dir.resolve("out.log");
    Path cfg = config(out);
    Map<String, String> env = Map.of("SWAK_DATA_DIR", dir.resolve("data").toString());
    Process p = sh("exec nohup \"$0\" start \"$1\"", cfg, dir.resolve("start.out"), dir.resolve("start.err"));
    assertThat(p.waitFor(60, TimeUnit.SECONDS)).isTrue();
    assertThat(p.exitValue()).as(Files.readString(dir.resolve("start.err"))).isZero();
    Swak swak = Swak.ofRepo(dir, env);
    try {
      await().atMost(Duration.ofSeconds(30)).until(() -> Swak.lines(out).size() >= 20);
      long worker = workerPid();
      pid = worker;
      assertThat(ignores(worker, 1)).as("SIGHUP ignored in the agent that swak start started").isFalse();
      swak.run("reload").expect(0);
      Path log = dir.resolve("data/swak.out"); // the agent's console: no log_file in the config
      await().atMost(Duration.ofSeconds(20)).until(() -> Files.exists(log) && Files.readString(log).contains("reloaded"));
      assertThat(Swak.running(worker)).as("reloaded, not ended").isTrue();
    } finally {
      swak.run("stop").expect(0);
    }
  }

  /** The worker of the agent swak start started: the java process whose command line runs `swak run` of it. */
  private long workerPid() throws Exception {
    long supervisor = Long.parseLong(Files.readString(dir.resolve("data/swak.pid")).trim());
    return ProcessHandle.of(supervisor).orElseThrow().descendants()
        .filter(h -> h.info().commandLine().orElse("").contains("--supervised"))
        .mapToLong(ProcessHandle::pid).findFirst().orElse(supervisor);
  }

  @Test
  void inTheBackgroundOfAScriptIntStops() throws Exception {
    Path out = dir.resolve("out.log");
    Path log = dir.resolve("agent.err");
    Path pidOut = dir.resolve("pid.txt");
    // a non-interactive shell starts `&` jobs with SIGINT and SIGQUIT ignored
    Process script = sh("\"$0\" run \"$1\" 2> \"$PWD/agent.err\" & echo $! > \"$PWD/pid.txt\"; wait $!; echo \"exit=$?\"",
        config(out), dir.resolve("script.out"), dir.resolve("script.err"));
    await().atMost(Duration.ofSeconds(30)).until(() -> Files.exists(pidOut) && !Files.readString(pidOut).isBlank());
    pid = Long.parseLong(Files.readString(pidOut).trim());
    await().atMost(Duration.ofSeconds(30)).until(() -> Swak.lines(out).size() >= 20);
    assertThat(ignores(pid, 2)).as("SIGINT ignored in the agent").isFalse();
    Swak.kill("INT", pid);
    assertThat(script.waitFor(30, TimeUnit.SECONDS)).as("the agent stopped on SIGINT").isTrue();
    assertThat(Files.readString(dir.resolve("script.out"))).contains("exit=0");
    assertThat(Files.readString(log)).contains("SIGINT: stopping");
  }
}
