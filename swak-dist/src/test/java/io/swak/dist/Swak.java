package io.swak.dist;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/** Runs a launcher (bin/swak of the checkout or of an unpacked distribution) as a real subprocess. */
final class Swak {

  /** Exit code and everything the command printed. */
  record Result(int code, String out) {
    Result expect(int expected) {
      assertThat(code).as("exit code of a command that printed:\n%s", out).isEqualTo(expected);
      return this;
    }
  }

  private final Path launcher;
  private final Path workDir;
  private final Map<String, String> env;

  Swak(Path launcher, Path workDir, Map<String, String> env) {
    this.launcher = launcher;
    this.workDir = workDir;
    this.env = env;
  }

  static Path repo() {
    return Path.of(System.getProperty("swak.repo", "..")).toAbsolutePath().normalize();
  }

  /** The checkout's launcher (it finds swak-dist/target/lib). */
  static Swak ofRepo(Path workDir, Map<String, String> env) {
    return new Swak(repo().resolve("bin/swak"), workDir, env);
  }

  Path launcher() {
    return launcher;
  }

  Result run(String... args) throws IOException, InterruptedException {
    List<String> cmd = new ArrayList<>();
    cmd.add(launcher.toString());
    cmd.addAll(List.of(args));
    Path out = Files.createTempFile(workDir, "cmd", ".out");
    ProcessBuilder pb = new ProcessBuilder(cmd).directory(workDir.toFile()).redirectErrorStream(true)
        .redirectOutput(out.toFile()).redirectInput(ProcessBuilder.Redirect.from(Path.of("/dev/null").toFile()));
    pb.environment().putAll(env);
    Process p = pb.start();
    if (!p.waitFor(90, TimeUnit.SECONDS)) {
      p.destroyForcibly();
      throw new AssertionError("swak " + String.join(" ", args) + " did not finish in 90 s:\n" + Files.readString(out));
    }
    return new Result(p.exitValue(), Files.readString(out, StandardCharsets.UTF_8));
  }

  /** Sends a signal with kill(1). */
  static void kill(String signal, long pid) throws IOException, InterruptedException {
    if (pid <= 0) {
      // kill 0 or -1 would signal the test's own process group, or everything
      throw new IllegalArgumentException("no process to signal: pid " + pid);
    }
    Process p = new ProcessBuilder("kill", "-s", signal, Long.toString(pid)).inheritIO().start();
    assertThat(p.waitFor()).as("kill -s %s %d", signal, pid).isZero();
  }

  /** Signals every process of a process group; the group may be gone already. */
  static void killGroup(String signal, long pgid) throws IOException, InterruptedException {
    new ProcessBuilder("kill", "-s", signal, "--", "-" + pgid).redirectErrorStream(true)
        .redirectOutput(ProcessBuilder.Redirect.DISCARD).start().waitFor();
  }

  /** Alive and not a zombie waiting for init (here a container's first process) to reap it. */
  static boolean running(long pid) {
    return io.swak.core.service.PidFile.running(pid);
  }

  static List<String> lines(Path file) throws IOException {
    return Files.exists(file) ? Files.readAllLines(file, StandardCharsets.UTF_8) : List.of();
  }
}
