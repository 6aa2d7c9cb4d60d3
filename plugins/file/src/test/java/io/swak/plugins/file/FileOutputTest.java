package io.swak.plugins.file;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.swak.core.testing.AgentTestBase;
import io.swak.core.testing.SmallDisk;
import io.swak.core.testing.TestSource;
import java.io.ByteArrayInputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.LongStream;
import java.util.zip.GZIPInputStream;
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
    diskFillsUp("", 300 << 10);
  }

  @Test
  void aGzipMemberCutByAFullDiskAfterRotationsIsCutBackToo() throws Exception {
    // the failed batch's member is cut off the current file, the files rotated before are whole
    diskFillsUp(", compress: gzip, rotate_size: 16KiB", 24 << 10);
  }

  /** The lines of out and of its rotated files (.1 the oldest), gzip members read one after another. */
  static List<String> linesOf(Path out) throws Exception {
    List<Path> files = new ArrayList<>();
    for (int i = 1; Files.exists(Path.of(out + "." + i)); i++) {
      files.add(Path.of(out + "." + i));
    }
    files.add(out);
    List<String> lines = new ArrayList<>();
    for (Path f : files) {
      byte[] b = Files.readAllBytes(f);
      if (b.length > 1 && (b[0] & 0xff) == 0x1f && (b[1] & 0xff) == 0x8b) {
        try (var in = new GZIPInputStream(new ByteArrayInputStream(b))) {
          b = in.readAllBytes(); // every member: a torn one would fail here
        }
      }
      String text = new String(b, StandardCharsets.UTF_8);
      assertThat(text).as("%s ends with a whole line", f).matches("(?s)(.*\n)?");
      text.lines().forEach(lines::add);
    }
    return lines;
  }

  private void diskFillsUp(String options, long leave) throws Exception {
    try (SmallDisk disk = SmallDisk.mount(dir, 2048)) {
      Path out = disk.dir().resolve("out.jsonl");
      disk.fill(leave); // room for part of the events only: the disk fills up in the middle of a batch
      start("""
          - task:
            - in.TestSource: {name: %s, batch: 1000, total: 12000, pad: 40}
            - out.File: {path: "%s", format: record, retry_wait: 20ms, retry_max_wait: 50ms%s}
          """.formatted(id, out, options));
      await().atMost(Duration.ofSeconds(20))
          .until(() -> agent.tasks().get(0).counters().get(1).snapshot().getOrDefault("write_failures", 0L) >= 2);
      long whileFull = committed();
      assertThat(whileFull).isLessThan(12000);
      // what the files hold while the disk is full: whole lines only, each once
      List<String> partial = linesOf(out);
      assertThat(partial).hasSize((int) whileFull).allSatisfy(l -> assertThat(l).startsWith("{\"seq\":").endsWith("}"));
      disk.free();
      await().atMost(Duration.ofSeconds(20)).until(() -> committed() == 12000);
      List<String> lines = linesOf(out);
      assertThat(lines).hasSize(12000);
      assertThat(lines.stream().map(l -> l.substring(7, l.indexOf(','))).map(Long::parseLong).toList())
          .isEqualTo(LongStream.rangeClosed(1, 12000).boxed().toList());
      System.out.printf("MEASURED out.File disk full%s: %d lines written while full, after: %d lines, "
          + "0 lost, 0 duplicated, 0 malformed%n", options, whileFull, lines.size());
    }
  }
}
