package io.swak.dist;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A file the agent may not read gives one clear log line, does not hold up the other files, and is
 * read once its permissions are fixed. Permissions mean nothing to root, so the packaged agent runs as
 * user nobody (setpriv) when the tests run as root.
 */
class FileTailUnreadableTest {

  @Test
  void anUnreadableFileIsReportedOnceRetriedAndHarmsNoOther(@TempDir Path root) throws Exception {
    boolean asRoot = "root".equals(System.getProperty("user.name"));
    Assumptions.assumeTrue(!asRoot || Files.isExecutable(Path.of("/usr/bin/setpriv")), "needs setpriv to drop root");
    open(root);
    Path logs = open(Files.createDirectories(root.resolve("logs")));
    Path data = open(Files.createDirectories(root.resolve("data")));
    Path ok = logs.resolve("ok.log");
    Path secret = logs.resolve("secret.log");
    Files.writeString(ok, "ok 1\n");
    Files.writeString(secret, "secret 1\n");
    Files.setPosixFilePermissions(ok, PosixFilePermissions.fromString("rw-rw-rw-"));
    Files.setPosixFilePermissions(secret, PosixFilePermissions.fromString("---------"));
    Path out = root.resolve("out.log");
    Path config = root.resolve("swak.yml");
    Files.writeString(config, "- task:\n"
        + "  - in.FileTail:\n"
        + "      path: " + logs + "/*.log\n"
        + "      pos_dir: " + data.resolve("pos") + "\n"
        + "      read_from_head: true\n"
        + "      refresh_interval: 100ms\n"
        + "  - out.File:\n"
        + "      path: " + out + "\n"
        + "      format: raw\n");
    Files.setPosixFilePermissions(config, PosixFilePermissions.fromString("rw-r--r--"));
    Path err = root.resolve("agent.err");
    String launcher = Path.of("..", "bin", "swak").toAbsolutePath().normalize().toString();
    List<String> cmd = asRoot
        ? List.of("/usr/bin/setpriv", "--reuid=65534", "--regid=65534", "--clear-groups", launcher, "run",
            config.toString())
        : List.of(launcher, "run", config.toString());
    ProcessBuilder pb = new ProcessBuilder(cmd).redirectErrorStream(false)
        .redirectOutput(root.resolve("agent.out").toFile()).redirectError(err.toFile());
    pb.environment().put("SWAK_DATA_DIR", data.toString());
    pb.environment().put("HOME", data.toString());
    Process agent = pb.start();
    try {
      await().atMost(Duration.ofSeconds(30)).until(() -> lines(out).contains("ok 1"));
      // many scans later (100 ms apart) the other file still flows and the problem was logged once
      Files.writeString(ok, "ok 2\n", StandardOpenOption.APPEND);
      await().atMost(Duration.ofSeconds(10)).until(() -> lines(out).contains("ok 2"));
      await().atMost(Duration.ofSeconds(10)).until(() -> count(err, "cannot read " + secret) >= 1);
      Files.writeString(ok, "ok 3\n", StandardOpenOption.APPEND);
      await().atMost(Duration.ofSeconds(10)).until(() -> lines(out).contains("ok 3"));
      assertThat(count(err, "cannot read " + secret)).isEqualTo(1);
      assertThat(lines(out)).doesNotContain("secret 1");
      Files.setPosixFilePermissions(secret, PosixFilePermissions.fromString("rw-r--r--"));
      await().atMost(Duration.ofSeconds(10)).until(() -> lines(out).contains("secret 1"));
      assertThat(count(err, secret + " is readable again")).isEqualTo(1);
    } finally {
      agent.destroy();
      agent.waitFor(20, TimeUnit.SECONDS);
    }
    assertThat(lines(out)).containsExactlyInAnyOrder("ok 1", "ok 2", "ok 3", "secret 1");
  }

  private static Path open(Path dir) throws IOException {
    Files.setPosixFilePermissions(dir, PosixFilePermissions.fromString("rwxrwxrwx"));
    return dir;
  }

  private static List<String> lines(Path p) throws IOException {
    return Files.exists(p) ? Files.readAllLines(p, StandardCharsets.UTF_8) : List.of();
  }

  private static long count(Path log, String text) throws IOException {
    return lines(log).stream().filter(l -> l.contains(text)).count();
  }
}
