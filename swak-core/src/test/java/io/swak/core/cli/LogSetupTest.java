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

  @Test
  void logTimesAreLocalWithTheirOffsetAcrossDaylightSaving() {
    // 2026-03-08 06:29:59.007 UTC: just before New York moves its clocks (07:00 UTC); St John's moved at 05:30
    // UTC, from -03:30 to -02:30
    long millis = java.time.Instant.parse("2026-03-08T06:29:59.007Z").toEpochMilli();
    assertThat(time("UTC", millis)).isEqualTo("2026-03-08T06:29:59.007Z");
    assertThat(time("Asia/Seoul", millis)).isEqualTo("2026-03-08T15:29:59.007+09:00");
    assertThat(time("America/New_York", millis)).isEqualTo("2026-03-08T01:29:59.007-05:00");
    assertThat(time("America/New_York", millis + 3_600_000)).isEqualTo("2026-03-08T03:29:59.007-04:00");
    assertThat(time("America/St_Johns", millis)).isEqualTo("2026-03-08T03:59:59.007-02:30");
    assertThat(time("UTC", -1)).isEqualTo("1969-12-31T23:59:59.999Z");
  }

  private static String time(String zone, long millis) {
    StringBuilder sb = new StringBuilder();
    new LogLineEncoder(java.util.TimeZone.getTimeZone(zone)).time(sb, millis);
    return sb.toString();
  }
}
