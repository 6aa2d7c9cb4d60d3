package io.swak.core.testing;

import static org.junit.jupiter.api.Assumptions.abort;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;

/**
 * Real programs from Debian packages for tests (rsyslogd, systemd-journal-remote …): the first test that needs
 * one installs its package when the binary is missing (as root, with apt-get, updating the package lists once
 * if the first try fails), so a clean CI machine that only runs {@code mvn verify} has it; where installing
 * is impossible the test is skipped with the reason, never passed.
 */
public final class DebianPackages {

  /** Package → the binary found, or why there is none. */
  private static final Map<String, Object> FOUND = new ConcurrentHashMap<>();

  private DebianPackages() { }

  /**
   * The first executable of {@code candidates}, installing {@code pkg} first when none is there; aborts (skips)
   * the calling test with the reason when it cannot be had.
   */
  public static Path binary(String pkg, String... candidates) {
    Object found = FOUND.computeIfAbsent(pkg, p -> {
      Path b = find(candidates);
      if (b != null) {
        return b;
      }
      String why = install(pkg);
      b = why == null ? find(candidates) : null;
      return b != null ? b : why != null ? why : "apt-get installed " + pkg + " but none of " + List.of(candidates)
          + " is there";
    });
    if (found instanceof Path p) {
      return p;
    }
    abort(candidates[0] + " is not available: " + found);
    return null;
  }

  /**
   * The first executable of {@code candidates}, not installed when missing (part of Debian's base system, such
   * as util-linux logger or systemd's journalctl); aborts (skips) the calling test with {@code why} otherwise.
   */
  public static Path present(String why, String... candidates) {
    Path b = find(candidates);
    if (b == null) {
      abort(why);
    }
    return b;
  }

  private static Path find(String... candidates) {
    for (String c : candidates) {
      if (Files.isExecutable(Path.of(c))) {
        return Path.of(c);
      }
    }
    return null;
  }

  /** Null when installed, else why not. */
  private static String install(String pkg) {
    if (!"root".equals(System.getProperty("user.name"))) {
      return "it is not installed, and installing it needs root (run `apt-get install " + pkg + "`)";
    }
    if (!Files.isExecutable(Path.of("/usr/bin/apt-get"))) {
      return "it is not installed and this machine has no apt-get";
    }
    String first = run("apt-get", "install", "-y", "--no-install-recommends", pkg);
    if (first == null) {
      return null;
    }
    // the package lists may be missing or stale on a fresh machine
    String update = run("apt-get", "update");
    String second = run("apt-get", "install", "-y", "--no-install-recommends", pkg);
    return second == null ? null : "apt-get install " + pkg + " failed: " + second
        + (update != null ? "; apt-get update failed too: " + update : "");
  }

  /** Null when the command succeeded, else the end of its output. */
  private static String run(String... command) {
    try {
      Path out = Files.createTempFile("apt", ".log");
      ProcessBuilder pb = new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(out.toFile());
      pb.environment().put("DEBIAN_FRONTEND", "noninteractive");
      Process p = pb.start();
      if (!p.waitFor(10, TimeUnit.MINUTES)) {
        p.destroyForcibly();
        return String.join(" ", command) + " took more than 10 minutes";
      }
      String text = Files.readString(out);
      Files.deleteIfExists(out);
      if (p.exitValue() == 0) {
        return null;
      }
      return "exit " + p.exitValue() + ": " + text.substring(Math.max(0, text.length() - 400)).strip();
    } catch (IOException e) {
      return e.getMessage();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return "interrupted";
    }
  }
}
