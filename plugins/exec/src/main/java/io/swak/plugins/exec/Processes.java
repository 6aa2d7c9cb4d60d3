package io.swak.plugins.exec;

import java.io.IOException;
import java.io.RandomAccessFile;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * How out.Exec, in.Exec and in.Journald run programs. On Linux a command starts through util-linux
 * {@code setsid}, which makes it the leader of a process group of its own (its pid is the group's id, as the
 * JVM's child is never a group leader, setsid execs without forking); a kill then signals the whole group, so
 * the shell's children and what they left in the background die with it, even those that no longer descend
 * from it. Without setsid (other systems) the process and its descendants found at kill time are killed.
 */
final class Processes {

  private static final Path SETSID = findExecutable("/usr/bin/setsid", "/bin/setsid");
  private static final Path KILL = findExecutable("/usr/bin/kill", "/bin/kill");
  /** How much of the end of a command's stderr a failure or a run event quotes by default. */
  static final int TAIL_BYTES = 1024;

  private Processes() { }

  /** True when commands get a process group of their own (setsid and kill are there). */
  static boolean groups() {
    return SETSID != null && KILL != null;
  }

  /**
   * Starts {@code command} as {@code pb} says (redirections, environment, directory), in a group of its own
   * where possible.
   *
   * @throws IOException "cannot run PROGRAM: why" when it cannot start
   */
  static Process start(ProcessBuilder pb, List<String> command) throws IOException {
    List<String> args = new ArrayList<>(command.size() + 1);
    if (groups()) {
      // setsid would start and then exit 127 for a missing program: say it as the JVM would
      String missing = missing(command.get(0), pb);
      if (missing != null) {
        throw new IOException("cannot run " + command.get(0) + ": " + missing);
      }
      args.add(SETSID.toString());
    }
    args.addAll(command);
    try {
      return pb.command(args).start();
    } catch (IOException e) {
      // "Cannot run program …: error=2, No such file or directory": the cause says it without the repetition
      String why = e.getCause() != null ? e.getCause().getMessage() : e.getMessage();
      throw new IOException("cannot run " + command.get(0) + ": " + why, e);
    }
  }

  /** Why {@code program} cannot be run (as execvp would find it), or null when it can. */
  private static String missing(String program, ProcessBuilder pb) {
    List<Path> candidates = new ArrayList<>();
    if (program.contains("/")) {
      Path p = Path.of(program);
      candidates.add(p.isAbsolute() || pb.directory() == null ? p : pb.directory().toPath().resolve(p));
    } else {
      String path = pb.environment().getOrDefault("PATH", "/usr/local/bin:/usr/bin:/bin");
      for (String d : path.split(":")) {
        candidates.add(Path.of(d.isEmpty() ? "." : d, program));
      }
    }
    boolean exists = false;
    for (Path c : candidates) {
      if (Files.isRegularFile(c)) {
        if (Files.isExecutable(c)) {
          return null;
        }
        exists = true;
      }
    }
    return exists ? "Permission denied" : "No such file or directory";
  }

  /**
   * Ends the process and its group: SIGTERM first when {@code grace} is positive (so a program can flush),
   * SIGKILL once it has not exited within {@code grace}; waits up to 5 s for the process to go.
   */
  static void kill(Process p, Duration grace) {
    List<ProcessHandle> family = p.descendants().toList(); // before it dies: orphans no longer descend from it
    try {
      if (!grace.isZero() && p.isAlive()) {
        signal(p, "-TERM");
        if (!groups()) {
          p.destroy();
        }
        if (p.waitFor(grace.toNanos(), TimeUnit.NANOSECONDS) && !groups()) {
          family.forEach(ProcessHandle::destroyForcibly);
          return;
        }
      }
      signal(p, "-KILL"); // the group: also what the leader left behind when it exited on TERM
      p.destroyForcibly();
      family.forEach(ProcessHandle::destroyForcibly);
      p.waitFor(5, TimeUnit.SECONDS);
    } catch (InterruptedException e) {
      p.destroyForcibly();
      family.forEach(ProcessHandle::destroyForcibly);
      Thread.currentThread().interrupt();
    }
  }

  /** Sends a signal to the process's group (its pid is the group id under setsid). */
  private static void signal(Process p, String signal) throws InterruptedException {
    if (!groups()) {
      return;
    }
    try {
      Process k = new ProcessBuilder(KILL.toString(), signal, "--", "-" + p.pid())
          .redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.DISCARD).start();
      if (!k.waitFor(5, TimeUnit.SECONDS)) {
        k.destroyForcibly();
      }
    } catch (IOException e) {
      // cannot fork kill: the JVM's own destroy below still ends the leader
    }
  }

  /** {@code ": <the last KiB of a command's output on one line>"}, or nothing when it wrote nothing. */
  static String tail(Path log) {
    try (RandomAccessFile f = new RandomAccessFile(log.toFile(), "r")) {
      long from = Math.max(0, f.length() - TAIL_BYTES);
      byte[] b = new byte[(int) (f.length() - from)];
      f.seek(from);
      f.readFully(b);
      String text = oneLine(b, 0, b.length);
      return text.isEmpty() ? "" : ": " + (from > 0 ? "…" : "") + text;
    } catch (IOException e) {
      return "";
    }
  }

  /** Output as one line for a log message: blank lines and line ends become " | ". */
  static String oneLine(byte[] b, int off, int len) {
    return new String(b, off, len, StandardCharsets.UTF_8).strip().replaceAll("\\s*[\\r\\n]+\\s*", " | ");
  }

  private static Path findExecutable(String... candidates) {
    if (System.getProperty("os.name").startsWith("Windows")) {
      return null;
    }
    for (String c : candidates) {
      Path p = Path.of(c);
      if (Files.isExecutable(p)) {
        return p;
      }
    }
    return null;
  }
}
