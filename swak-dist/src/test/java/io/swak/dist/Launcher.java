package io.swak.dist;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * Runs the real launcher, {@code bin/swak}, as a user would: a subprocess whose standard output and
 * error go to files the test reads while it runs.
 */
final class Launcher implements AutoCloseable {

  /** The checkout's root: swak-dist's parent. */
  static final Path ROOT = Path.of("").toAbsolutePath().getParent();
  static final Path SWAK = ROOT.resolve("bin/swak");

  final Process process;
  final Path stdout;
  final Path stderr;

  private Launcher(Process process, Path stdout, Path stderr) {
    this.process = process;
    this.stdout = stdout;
    this.stderr = stderr;
  }

  /** Starts {@code bin/swak args…} in {@code dir}, with extra environment variables. */
  static Launcher start(Path dir, Map<String, String> env, String... args) throws IOException {
    List<String> cmd = new ArrayList<>();
    cmd.add(SWAK.toString());
    cmd.addAll(List.of(args));
    Path out = Files.createTempFile(dir, "stdout", ".txt");
    Path err = Files.createTempFile(dir, "stderr", ".txt");
    ProcessBuilder pb = new ProcessBuilder(cmd).directory(ROOT.toFile())
        .redirectOutput(out.toFile()).redirectError(err.toFile()).redirectInput(ProcessBuilder.Redirect.PIPE);
    // the JVM announces these on standard error ("Picked up …"), which tests read as the agent's log
    pb.environment().remove("JAVA_TOOL_OPTIONS");
    pb.environment().remove("JDK_JAVA_OPTIONS");
    pb.environment().putAll(env);
    pb.environment().putIfAbsent("SWAK_DATA_DIR", dir.resolve("data").toString());
    return new Launcher(pb.start(), out, err);
  }

  /** Runs to completion (at most a minute) and returns the exit code. */
  static Launcher run(Path dir, String... args) throws Exception {
    Launcher l = start(dir, Map.of(), args);
    if (!l.process.waitFor(60, TimeUnit.SECONDS)) {
      l.close();
      throw new AssertionError("swak " + String.join(" ", args) + " did not finish within a minute");
    }
    return l;
  }

  int exitCode() {
    return process.exitValue();
  }

  String out() throws IOException {
    return Files.readString(stdout, StandardCharsets.UTF_8);
  }

  String err() throws IOException {
    return Files.readString(stderr, StandardCharsets.UTF_8);
  }

  List<String> outLines() throws IOException {
    return Files.readAllLines(stdout, StandardCharsets.UTF_8);
  }

  /** Sends a signal (INT, TERM, KILL, HUP…) to the launched process only. */
  void signal(String name) throws Exception {
    Process kill = new ProcessBuilder("kill", "-" + name, Long.toString(process.pid())).inheritIO().start();
    if (kill.waitFor() != 0) {
      throw new IllegalStateException("kill -" + name + " " + process.pid() + " failed");
    }
  }

  /** Waits for the process to exit and returns its code. */
  int waitFor(Duration timeout) throws InterruptedException {
    if (!process.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
      throw new AssertionError("swak did not exit within " + timeout);
    }
    return process.exitValue();
  }

  @Override
  public void close() {
    if (process.isAlive()) {
      process.destroyForcibly();
    }
  }
}
