package io.swak.dist;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * What the packaged agent's log says while in.FileTail follows a path (issue 16): a directory that does not exist
 * yet is said to be waited for, not only "following 0 files"; a rename rotation is logged at info as a
 * copytruncate is.
 */
class FileTailLogTest {

  @TempDir
  Path dir;

  @Test
  void aMissingDirectoryIsSaidToBeWaitedForAndARenameRotationIsLoggedAtInfo() throws Exception {
    Path logs = dir.resolve("not-yet");
    Path out = dir.resolve("out.jsonl");
    Path config = dir.resolve("swak.yml");
    Files.writeString(config, """
        - task:
          - in.FileTail: {path: "%s/*.log"}
          - out.File: {path: "%s", format: record}
        """.formatted(logs, out));
    try (Launcher swak = Launcher.start(dir, Map.of(), "run", config.toString())) {
      await().atMost(Duration.ofSeconds(30)).until(() -> swak.err().contains("to appear"));
      assertThat(swak.err().lines().filter(l -> l.contains("following 0 file(s)")).findFirst().orElseThrow())
          .contains(" INFO ", "waiting for " + logs);
      Files.createDirectories(logs);
      Path app = logs.resolve("app.log");
      Files.writeString(app, "first\n");
      await().atMost(Duration.ofSeconds(30)).until(() -> Files.exists(out) && Files.readString(out).contains("first"));
      Files.move(app, logs.resolve("app.log.1"));
      Files.writeString(app, "second\n");
      await().atMost(Duration.ofSeconds(30)).until(() -> Files.readString(out).contains("second"));
      assertThat(swak.err().lines().filter(l -> l.contains("renamed or deleted (rotated)")).findFirst()
          .orElseThrow()).contains(" INFO ", app.toString());
      swak.signal("TERM");
      assertThat(swak.waitFor(Duration.ofSeconds(30))).isZero();
    }
  }
}
