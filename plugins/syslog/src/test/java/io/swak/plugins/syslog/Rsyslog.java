package io.swak.plugins.syslog;

import io.swak.core.testing.DebianPackages;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.TimeUnit;

/**
 * A real rsyslogd (the Debian package) run by a test with a config of its own on loopback ports, installed
 * by {@link DebianPackages} when missing; where installing is impossible the test is skipped with the reason.
 */
final class Rsyslog implements AutoCloseable {

  private final Process process;
  private final Path log;

  private Rsyslog(Process process, Path log) {
    this.process = process;
    this.log = log;
  }

  /** The rsyslogd binary, installed first if needed; aborts (skips) the test when there is none. */
  static Path binary() {
    return DebianPackages.binary("rsyslog", "/usr/sbin/rsyslogd", "/sbin/rsyslogd", "/usr/local/sbin/rsyslogd");
  }

  /** util-linux logger, which Debian always has; skips the test when missing. */
  static Path logger() {
    return DebianPackages.present("util-linux logger is not installed", "/usr/bin/logger", "/bin/logger");
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
