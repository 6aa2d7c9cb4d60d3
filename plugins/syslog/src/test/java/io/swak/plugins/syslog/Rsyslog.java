package io.swak.plugins.syslog;

import static org.junit.jupiter.api.Assumptions.abort;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * A real rsyslogd (the Debian package) run by a test with a config of its own on loopback ports. When the
 * binary is missing the set-up installs the package (as root, with apt-get), so a clean CI machine that only
 * runs {@code mvn verify} has it; where installing is impossible the test is skipped with the reason.
 */
final class Rsyslog implements AutoCloseable {

  private static Path binary;
  private static String unavailable;

  private final Process process;
  private final Path log;

  private Rsyslog(Process process, Path log) {
    this.process = process;
    this.log = log;
  }

  /** The rsyslogd binary, installed first if needed; aborts (skips) the test when there is none. */
  static synchronized Path binary() {
    if (binary != null) {
      return binary;
    }
    if (unavailable == null) {
      Path found = find();
      if (found == null) {
        unavailable = install();
        found = unavailable == null ? find() : null;
        if (found == null && unavailable == null) {
          unavailable = "apt-get installed rsyslog but no rsyslogd binary was found";
        }
      }
      binary = found;
    }
    if (binary == null) {
      abort("rsyslogd is not available: " + unavailable);
    }
    return binary;
  }

  /** util-linux logger, which Debian always has; skips the test when missing. */
  static Path logger() {
    for (String p : List.of("/usr/bin/logger", "/bin/logger")) {
      if (Files.isExecutable(Path.of(p))) {
        return Path.of(p);
      }
    }
    abort("util-linux logger is not installed");
    return null;
  }

  private static Path find() {
    for (String p : List.of("/usr/sbin/rsyslogd", "/sbin/rsyslogd", "/usr/local/sbin/rsyslogd")) {
      if (Files.isExecutable(Path.of(p))) {
        return Path.of(p);
      }
    }
    return null;
  }

  /** Null when installed, else why not. */
  private static String install() {
    if (!"root".equals(System.getProperty("user.name"))) {
      return "it is not installed, and installing it needs root (run `apt-get install rsyslog`)";
    }
    if (!Files.isExecutable(Path.of("/usr/bin/apt-get"))) {
      return "it is not installed and this machine has no apt-get";
    }
    String first = run("apt-get", "install", "-y", "--no-install-recommends", "rsyslog");
    if (first == null) {
      return null;
    }
    // the package lists may be missing or stale on a fresh machine
    String update = run("apt-get", "update");
    String second = run("apt-get", "install", "-y", "--no-install-recommends", "rsyslog");
    return second == null ? null : "apt-get install rsyslog failed: " + second
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

  /**
   * Starts rsyslogd in the foreground with {@code config} (its work directory and pid file in {@code dir}).
   * When {@code tcpPort} is above 0, waits until rsyslog accepts connections on it.
   */
  static Rsyslog start(Path dir, String config, int tcpPort) throws Exception {
    Path bin = binary();
    Files.createDirectories(dir);
    Path conf = dir.resolve("rsyslog.conf");
    Files.writeString(conf, "global(workDirectory=\"" + dir + "\")\n" + config);
    Path log = dir.resolve("rsyslogd.log");
    Process p = new ProcessBuilder(bin.toString(), "-n", "-f", conf.toString(), "-i", dir.resolve("rsyslogd.pid")
        .toString()).redirectErrorStream(true).redirectOutput(log.toFile()).start();
    Rsyslog r = new Rsyslog(p, log);
    if (tcpPort > 0) {
      long deadline = System.nanoTime() + Duration.ofSeconds(20).toNanos();
      while (true) {
        if (!p.isAlive()) {
          throw new IllegalStateException("rsyslogd exited with " + p.exitValue() + ": " + r.output());
        }
        try (Socket s = new Socket()) {
          s.connect(new InetSocketAddress("127.0.0.1", tcpPort), 200);
          break;
        } catch (IOException notYet) {
          if (System.nanoTime() > deadline) {
            r.close();
            throw new IllegalStateException("rsyslogd did not listen on " + tcpPort + ": " + r.output());
          }
          p.waitFor(50, TimeUnit.MILLISECONDS); // the wait is for the port; rsyslogd exiting ends it early
        }
      }
    }
    return r;
  }

  /** A connection to a loopback port whose listener may still be starting (waits up to 20 s). */
  static Socket connect(int port) {
    return org.awaitility.Awaitility.await().atMost(Duration.ofSeconds(20)).pollInterval(Duration.ofMillis(20))
        .ignoreExceptions().until(() -> {
          Socket s = new Socket();
          try {
            s.connect(new InetSocketAddress("127.0.0.1", port), 200);
            return s;
          } catch (IOException notYet) {
            s.close();
            throw notYet;
          }
        }, s -> s != null);
  }

  String output() throws IOException {
    return Files.exists(log) ? Files.readString(log, StandardCharsets.UTF_8) : "";
  }

  boolean alive() {
    return process.isAlive();
  }

  /** SIGTERM: rsyslogd flushes its queues and files, then exits. */
  @Override
  public void close() throws Exception {
    process.destroy();
    if (!process.waitFor(15, TimeUnit.SECONDS)) {
      process.destroyForcibly();
      process.waitFor(5, TimeUnit.SECONDS);
    }
  }
}
