package io.swak.plugins.filetail;

import static org.assertj.core.api.Assertions.assertThat;

import io.swak.api.Batch;
import io.swak.api.DataSize;
import io.swak.core.runtime.PositionStore;
import io.swak.core.testing.TestContext;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The input on its own, polled by the test as the task thread would: batch sizes, fairness, acks. */
class FileTailPollTest {

  private static FileTailPlugin.Options options(Path dir, int bufferKiB) {
    return new FileTailPlugin.Options(List.of(dir + "/*.log"), List.of(), dir.resolve("pos"), true,
        StandardCharsets.UTF_8, "t.*", null, null, "message", null, DataSize.ofMiB(1),
        FileTailPlugin.LongLines.TRUNCATE, Duration.ofSeconds(5), Duration.ofSeconds(10), 16,
        DataSize.ofKiB(bufferKiB), Duration.ofMillis(200), null, null);
  }

  private static void fill(Path f, int lines) throws Exception {
    StringBuilder sb = new StringBuilder();
    for (int i = 0; i < lines; i++) {
      sb.append(f.getFileName()).append(" line ").append(i).append(" lorem ipsum dolor sit amet\n");
    }
    Files.writeString(f, sb.toString());
  }

  @Test
  void eachPollReturnsOneBlockOfOneFileAndBusyFilesTakeTurns(@TempDir Path dir) throws Exception {
    fill(dir.resolve("a.log"), 50_000);
    fill(dir.resolve("b.log"), 50_000);
    TestContext ctx = new TestContext(dir.resolve("data"), Clock.systemUTC(), "poll test", "in.FileTail");
    try (FileTail tail = new FileTail(options(dir, 16))) {
      tail.start(ctx);
      List<String> tags = new ArrayList<>();
      for (int i = 0; i < 20; i++) {
        Batch b = tail.poll(Duration.ofSeconds(1));
        assertThat(b).isNotNull();
        // a 16 KiB block of ~40-byte lines: a few hundred events, encoded in less than twice the block
        assertThat(b.length()).isLessThan(2 * 16 * 1024);
        assertThat(b.count()).isBetween(100, 16 * 1024 / 30);
        tags.add(b.tag());
        b.ack().done();
      }
      String a = "t." + dir.toString().substring(1).replace('/', '.') + ".a.log";
      long fromA = tags.stream().filter(a::equals).count();
      assertThat(fromA).isEqualTo(10); // round-robin: neither file starves the other
      for (int i = 1; i < tags.size(); i++) {
        assertThat(tags.get(i)).isNotEqualTo(tags.get(i - 1));
      }
    }
  }

  @Test
  void theCheckpointFollowsAcknowledgementsNotReads(@TempDir Path dir) throws Exception {
    fill(dir.resolve("a.log"), 20_000);
    TestContext ctx = new TestContext(dir.resolve("data"), Clock.systemUTC(), "poll test", "in.FileTail");
    Batch first;
    Batch second;
    Batch third;
    try (FileTail tail = new FileTail(options(dir, 16))) {
      tail.start(ctx);
      first = tail.poll(Duration.ofSeconds(1));
      second = tail.poll(Duration.ofSeconds(1));
      third = tail.poll(Duration.ofSeconds(1));
      second.ack().done();
      third.ack().done();
    }
    ctx.closeStores();
    // nothing before the unacknowledged first batch was committed: a restart reads from 0
    Map<String, String> pos = PositionStore.read(dir.resolve("pos"));
    assertThat(pos).hasSize(1);
    assertThat(Checkpoints.parse(pos.values().iterator().next()).offset()).isZero();
    first.ack().done(); // too late for that run: the window is gone with it
    try (FileTail tail = new FileTail(options(dir, 16))) {
      tail.start(ctx);
      Batch again = tail.poll(Duration.ofSeconds(1));
      assertThat(again.events().get(0).record().get("message")).isEqualTo("a.log line 0 lorem ipsum dolor sit amet");
      again.ack().done();
      tail.poll(Duration.ofSeconds(1)).ack().done();
    }
    ctx.closeStores();
    long offset = Checkpoints.parse(PositionStore.read(dir.resolve("pos")).values().iterator().next()).offset();
    assertThat(offset).isPositive().isLessThanOrEqualTo(2 * 16 * 1024);
    assertThat(Files.readString(dir.resolve("a.log")).charAt((int) offset - 1)).isEqualTo('\n');
  }
}
