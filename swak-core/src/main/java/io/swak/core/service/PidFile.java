package io.swak.core.service;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.Optional;

/**
 * The pid file of a started agent: the pid of its supervisor, one decimal line. A file whose process is
 * gone (or is now some other program reusing the pid) is stale and may be replaced.
 */
public final class PidFile {

  /** What the pid file says about the agent. */
  public enum State { ABSENT, RUNNING, STALE }

  /** The state and the pid read (0 when absent or unreadable). */
  public record Check(State state, long pid) { }

  private final Path path;

  public PidFile(Path path) {
    this.path = path.toAbsolutePath();
  }

  public Path path() {
    return path;
  }

  /** The pid written in the file, if any (an empty or garbled file counts as none). */
  public Optional<Long> read() throws IOException {
    try {
      String s = Files.readString(path, StandardCharsets.US_ASCII).trim();
      return s.matches("[0-9]{1,18}") ? Optional.of(Long.parseLong(s)) : Optional.empty();
    } catch (NoSuchFileException e) {
      return Optional.empty();
    }
  }

  public Check check() throws IOException {
    if (!Files.exists(path)) {
      return new Check(State.ABSENT, 0);
    }
    Optional<Long> pid = read();
    if (pid.isEmpty()) {
      return new Check(State.STALE, 0);
    }
    return new Check(isSwak(pid.get()) ? State.RUNNING : State.STALE, pid.get());
  }

  /**
   * True when {@code pid} is alive and is a Swak JVM. When the command line cannot be read (another
   * user's process on some systems) a live pid counts as Swak: refusing to start is the safe mistake.
   */
  static boolean isSwak(long pid) {
    Optional<ProcessHandle> ph = ProcessHandle.of(pid);
    if (ph.isEmpty() || !running(pid)) {
      return false;
    }
    try {
      // the whole command line: ProcessHandle's is cut short, and a class path of many jars under a long release
      // directory pushes the main class past the cut (an agent that runs was then called gone)
      byte[] line = Files.readAllBytes(Path.of("/proc", Long.toString(pid), "cmdline"));
      if (line.length > 0) {
        return new String(line, java.nio.charset.StandardCharsets.ISO_8859_1).contains("io.swak.core.");
      }
    } catch (IOException | RuntimeException e) {
      // no /proc (macOS) or not readable: what ProcessHandle can tell
    }
    Optional<String> cmd = ph.get().info().commandLine();
    if (cmd.isEmpty()) {
      cmd = ph.get().info().command();
      if (cmd.isEmpty()) {
        return true;
      }
      return cmd.get().contains("java");
    }
    return cmd.get().contains("io.swak.core.");
  }

  /**
   * Alive and not a zombie: a supervisor's parent is init (or a container's first process), which may
   * reap it a while after it ended.
   */
  public static boolean running(long pid) {
    if (!ProcessHandle.of(pid).map(ProcessHandle::isAlive).orElse(false)) {
      return false;
    }
    try {
      String stat = Files.readString(Path.of("/proc", Long.toString(pid), "stat"));
      return stat.charAt(stat.lastIndexOf(')') + 2) != 'Z';
    } catch (NoSuchFileException e) {
      return !Files.isDirectory(Path.of("/proc", "self")) && ProcessHandle.of(pid).map(ProcessHandle::isAlive)
          .orElse(false); // no /proc (macOS): trust isAlive
    } catch (IOException | RuntimeException e) {
      return true;
    }
  }

  /**
   * Writes this process's pid unless the file exists: the link is atomic, so of two agents started at
   * once only one wins. A stale file is replaced.
   *
   * @return empty when claimed, else the pid of the running agent that holds the file
   */
  public Optional<Long> claim(long pid) throws IOException {
    Files.createDirectories(path.getParent());
    Path tmp = Files.createTempFile(path.getParent(), path.getFileName().toString(), ".tmp");
    try {
      Files.writeString(tmp, pid + "\n", StandardCharsets.US_ASCII);
      for (int attempt = 0; attempt < 2; attempt++) {
        try {
          Files.createLink(path, tmp);
          return Optional.empty();
        } catch (FileAlreadyExistsException e) {
          Check c = check();
          if (c.state() == State.RUNNING) {
            return Optional.of(c.pid());
          }
          Files.deleteIfExists(path);
        } catch (UnsupportedOperationException e) {
          // no hard links on this file system: a plain move, without the race protection
          Check c = check();
          if (c.state() == State.RUNNING) {
            return Optional.of(c.pid());
          }
          Files.move(tmp, path, StandardCopyOption.REPLACE_EXISTING);
          return Optional.empty();
        }
      }
      Check c = check();
      return Optional.of(c.pid());
    } finally {
      Files.deleteIfExists(tmp);
    }
  }

  /** Removes the file if it still names {@code pid} (never another agent's file). */
  public void release(long pid) {
    try {
      if (read().orElse(-1L) == pid) {
        Files.deleteIfExists(path);
      }
    } catch (IOException e) {
      System.err.println("swak: cannot remove pid file " + path + ": " + e.getMessage());
    }
  }

  /** Removes a stale file. */
  public void delete() throws IOException {
    Files.deleteIfExists(path);
  }

  @Override
  public String toString() {
    return path.toString();
  }
}
