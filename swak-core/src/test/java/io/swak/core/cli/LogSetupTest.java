package io.swak.core.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

class LogSetupTest {

  private static final Logger LOG = LoggerFactory.getLogger("swak.test");

  @TempDir
  Path dir;

  @AfterEach
  void back() {
    LogSetup.toStderr();
  }

  @Test
  void theLogFileRotatesBySizeAndKeepsOnlyTheNewestFiles() throws Exception {
    Path log = dir.resolve("swak.log");
    LogSetup.toFile(log, 1024, 2);
    String line = "x".repeat(200);
    await().atMost(Duration.ofSeconds(20)).pollInSameThread().pollInterval(Duration.ofMillis(20)).until(() -> {
      LOG.info(line);
      return Files.exists(dir.resolve("swak.log.2"));
    });
    var before = Files.getLastModifiedTime(dir.resolve("swak.log.1"));
    await().atMost(Duration.ofSeconds(20)).pollInSameThread().pollInterval(Duration.ofMillis(20)).until(() -> {
      LOG.info(line); // one more rotation: the oldest file goes, no swak.log.3 appears
      return !Files.getLastModifiedTime(dir.resolve("swak.log.1")).equals(before);
    });
    assertThat(dir.resolve("swak.log.3")).doesNotExist();
    assertThat(log).exists();
  }

  @Test
  void reopenStartsANewFileAfterTheOldOneWasMoved() throws Exception {
    Path log = dir.resolve("swak.log");
    LogSetup.toFile(log, 10 << 20, 2);
    LOG.info("before the move");
    Files.move(log, dir.resolve("moved.log"));
    assertThat(LogSetup.reopen()).isTrue();
    LOG.info("after the move");
    assertThat(Files.readString(log)).contains("after the move").doesNotContain("before the move");
    assertThat(Files.readString(dir.resolve("moved.log"))).contains("before the move");
  }
}
