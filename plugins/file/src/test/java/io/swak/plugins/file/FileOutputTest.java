package io.swak.plugins.file;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.swak.core.testing.AgentTestBase;
import io.swak.core.testing.SmallDisk;
import io.swak.core.testing.TestSource;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.stream.LongStream;
import org.junit.jupiter.api.Test;

/**
 * out.File through the real runtime: the task writes each batch itself (retrying it in place), and a
 * batch is acknowledged to its input only once written.
 */
class FileOutputTest extends AgentTestBase {

  long committed() {
    return TestSource.state(id).window.committed();
  }

  static List<String> expectedLines(long n) {
    return LongStream.rangeClosed(1, n).mapToObj(i -> "{\"seq\":" + i + "}").toList();
  }

  @Test
  void batchesAreWrittenInOrderAndAcknowledgedOnceWritten() throws Exception {
    Path out = dir.resolve("out.log");
    start("""
        - task:
          - in.TestSource: {name: %s, batch: 10, total: 2000}
          - out.File: {path: "%s", format: record}
        """.formatted(id, out));
    await().atMost(Duration.ofSeconds(10)).until(() -> committed() == 2000);
    assertThat(Files.readAllLines(out)).isEqualTo(expectedLines(2000));
  }

  @Test
  void aWriteThatFailsIsWrittenAgainOnceThePathWorks() throws Exception {
    Path blocker = dir.resolve("logs");
    Files.writeString(blocker, "a file where the output's directory should be");
    Path out = blocker.resolve("out.log");
    start("""
        - task:
          - in.TestSource: {name: %s, batch: 10, total: 50}
          - out.File: {path: "%s", format: record, retry_wait: 20ms, retry_max_wait: 50ms}
        """.formatted(id, out));
    await().atMost(Duration.ofSeconds(5))
        .until(() -> agent.tasks().get(0).counters().get(1).snapshot().get("retries") > 1);
    assertThat(committed()).isZero();
    Files.delete(blocker);
    await().atMost(Duration.ofSeconds(10)).until(() -> committed() == 50);
    // each batch once and in order: a failed batch is retried before the task reads on
    assertThat(Files.readAllLines(out)).isEqualTo(expectedLines(50));
  }

  @Test
  void aDiskThatFillsUpInTheMiddleOfABatchLeavesNoFragmentAndNoRepeatedLine() throws Exception {
    try (SmallDisk disk = SmallDisk.mount(dir, 2048)) {
      Path out = disk.dir().resolve("out.jsonl");
      disk.fill(300 << 10); // room for part of the events only: the disk fills up in the middle of a batch
      start("""
          - task:
            - in.TestSource: {name: %s, batch: 1000, total: 12000, pad: 40}
            - out.File: {path: "%s", format: record, retry_wait: 20ms, retry_max_wait: 50ms}
          """.formatted(id, out));
      await().atMost(Duration.ofSeconds(20))
          .until(() -> agent.tasks().get(0).counters().get(1).snapshot().getOrDefault("write_failures", 0L) >= 2);
      long whileFull = committed();
      assertThat(whileFull).isLessThan(12000);
      // what the file holds while the disk is full: whole lines only, each once
      List<String> partial = Files.readAllLines(out);
      assertThat(partial).hasSize((int) whileFull).allSatisfy(l -> assertThat(l).startsWith("{\"seq\":").endsWith("}"));
      disk.free();
      await().atMost(Duration.ofSeconds(20)).until(() -> committed() == 12000);
      List<String> lines = Files.readAllLines(out);
      assertThat(lines).hasSize(12000);
      assertThat(lines.stream().map(l -> l.substring(7, l.indexOf(','))).map(Long::parseLong).toList())
          .isEqualTo(LongStream.rangeClosed(1, 12000).boxed().toList());
    }
  }
}
