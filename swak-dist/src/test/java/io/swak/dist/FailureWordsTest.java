package io.swak.dist;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The agent's log says what went wrong in words: an output that may not write its file says "permission
 * denied" and the file, not a Java exception's class name or the bare path. Permissions mean nothing to
 * root, so the agent runs as user nobody (setpriv) when the tests run as root.
 */
class FailureWordsTest {

  @Test
  void anOutputThatMayNotWriteSaysPermissionDenied(@TempDir Path root) throws Exception {
    boolean asRoot = "root".equals(System.getProperty("user.name"));
    Assumptions.assumeTrue(!asRoot || Files.isExecutable(Path.of("/usr/bin/setpriv")), "needs setpriv to drop root");
    open(root);
    Path data = open(Files.createDirectories(root.resolve("data")));
    Path closed = Files.createDirectories(root.resolve("closed"));
    Files.setPosixFilePermissions(closed, PosixFilePermissions.fromString("r-xr-xr-x"));
    Path out = closed.resolve("out.log");
    Path config = root.resolve("swak.yml");
    Files.writeString(config, "- task:\n  - in.FakeData: {type: json, rate: 20}\n"
        + "  - out.File: {path: " + out + ", retry_wait: 100ms, retry_max_wait: 200ms}\n");
    Files.setPosixFilePermissions(config, PosixFilePermissions.fromString("rw-r--r--"));
    Path err = root.resolve("agent.err");
    String launcher = Path.of("..", "bin", "swak").toAbsolutePath().normalize().toString();
    List<String> cmd = asRoot
        ? List.of("/usr/bin/setpriv", "--reuid=65534", "--regid=65534", "--clear-groups", launcher, "run",
            config.toString())
        : List.of(launcher, "run", config.toString());
    ProcessBuilder pb = new ProcessBuilder(cmd).redirectOutput(root.resolve("agent.out").toFile())
        .redirectError(err.toFile());
    pb.environment().put("SWAK_DATA_DIR", data.toString());
    pb.environment().put("HOME", data.toString());
    Process agent = pb.start();
    try {
      await().atMost(Duration.ofSeconds(30)).until(() -> lines(err).stream().anyMatch(l -> l.contains(" WARN ")
          && l.contains("not delivered")));
      String warn = lines(err).stream().filter(l -> l.contains("not delivered")).findFirst().orElseThrow();
      assertThat(warn).contains("permission denied: " + out).doesNotContain("Exception");
    } finally {
      agent.destroy();
      agent.waitFor(20, TimeUnit.SECONDS);
    }
  }

  @Test
  void aForwardOutputThatNeverConnectedSaysConnectionRefusedNotUnconfirmed(@TempDir Path root) throws Exception {
    int port;
    try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
      port = s.getLocalPort(); // closed again: nobody listens there
    }
    Path config = root.resolve("swak.yml");
    Files.writeString(config, "- task:\n  - in.FakeData: {type: json, rate: 20}\n"
        + "  - out.Fluentd: {host: 127.0.0.1, port: " + port + ", retry_wait: 100ms, retry_max_wait: 200ms}\n");
    Path err = root.resolve("agent.err");
    String launcher = Path.of("..", "bin", "swak").toAbsolutePath().normalize().toString();
    ProcessBuilder pb = new ProcessBuilder(launcher, "run", config.toString())
        .redirectOutput(root.resolve("agent.out").toFile()).redirectError(err.toFile());
    pb.environment().put("SWAK_DATA_DIR", root.resolve("data").toString());
    Process agent = pb.start();
    try {
      await().atMost(Duration.ofSeconds(30)).until(() -> lines(err).stream().filter(l -> l.contains(" WARN ")
          && l.contains("not delivered")).count() >= 2);
      List<String> warns = lines(err).stream().filter(l -> l.contains("not delivered")).toList();
      assertThat(warns).allSatisfy(w -> assertThat(w).containsIgnoringCase("connection refused")
          .doesNotContain("not confirmed").doesNotContain("Exception"));
    } finally {
      agent.destroy();
      agent.waitFor(20, TimeUnit.SECONDS);
    }
  }

  private static Path open(Path dir) throws IOException {
    Files.setPosixFilePermissions(dir, PosixFilePermissions.fromString("rwxrwxrwx"));
    return dir;
  }

  private static List<String> lines(Path p) throws IOException {
    return Files.exists(p) ? Files.readAllLines(p, StandardCharsets.UTF_8) : List.of();
  }
}
