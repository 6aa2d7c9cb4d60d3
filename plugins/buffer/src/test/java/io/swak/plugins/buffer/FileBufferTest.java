package io.swak.plugins.buffer;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import io.swak.core.testing.SmallDisk;
import io.swak.core.testing.TestSink;
import io.swak.core.testing.TestSource;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.stream.LongStream;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.slf4j.LoggerFactory;

class FileBufferTest extends BufferContract {

  @Override
  String buffer(String extra) {
    return "buffer: {type: file, path: \"${DIR}/buf\"" + (extra.isEmpty() ? "" : ", " + extra) + "}";
  }

  @Test
  void acknowledgesOnceSyncedAndDeliversAfterARestart() throws Exception {
    TestSink.State sink = TestSink.state(id);
    sink.failing = true;
    agent = start(config(400, "flush_interval: 50ms, fsync: interval, fsync_interval: 50ms"));
    // synced to disk = accepted: the input's checkpoint moves although nothing was delivered
    await().atMost(Duration.ofSeconds(20)).until(() -> TestSource.state(id).window.committed() == 400);
    assertThat(sink.received).isEmpty();
    agent.stop();
    assertThat(chunks()).isNotEmpty();

    sink.failing = false;
    agent = start(config(400, "flush_interval: 50ms"));
    await().atMost(Duration.ofSeconds(20)).until(() -> sink.received.size() >= 400);
    assertThat(sink.seqs()).containsExactlyElementsOf(LongStream.rangeClosed(1, 400).boxed().toList());
    await().atMost(Duration.ofSeconds(10)).until(() -> chunks().isEmpty());
  }

  @Test
  void sealedChunksAreSyncedAtOnceAndAStopSyncsTheOpenOne() throws Exception {
    TestSink.State sink = TestSink.state(id);
    sink.failing = true;
    // an hour between interval syncs: only sealing a chunk (every 100 lines) or stopping syncs
    agent = start(config(450, "flush_interval: 1h, chunk_lines: 100, fsync: interval, fsync_interval: 1h"));
    TestSource.State src = TestSource.state(id);
    // the open chunk's last 50 wait for a sync
    await().atMost(Duration.ofSeconds(20)).until(() -> src.emitted == 450 && src.window.committed() == 400);
    agent.stop();
    assertThat(src.window.committed()).isEqualTo(450);
    assertThat(sink.received).isEmpty();
    assertThat(chunks()).hasSize(5);
  }

  @Test
  void aDamagedChunkIsKeptAsideAWriteCutShortIsNotAndTheRestIsDelivered() throws Exception {
    TestSink.State sink = TestSink.state(id);
    var files = chunksLeftWhileTheOutputIsDown(200);
    assertThat(files).hasSizeGreaterThanOrEqualTo(4);
    // tear the last chunk in the middle of a frame and flip a byte in the first one
    Path last = files.get(files.size() - 1);
    byte[] b = Files.readAllBytes(last);
    Files.write(last, java.util.Arrays.copyOf(b, b.length - 7));
    Path first = files.get(0);
    byte[] f = Files.readAllBytes(first);
    f[f.length - 3] ^= 0x5a;
    Files.write(first, f);
    Files.write(dir.resolve("buf/000000000099.chunk"), "garbage, not a chunk".getBytes());

    agent = start(config(200, "flush_interval: 50ms"));
    // damage (a flipped bit, a file that is no chunk) is kept in corrupt/ for a look; a last write cut short
    // (a crash, a full disk) is ordinary and only cut off
    await().atMost(Duration.ofSeconds(20)).until(() -> Files.list(dir.resolve("buf/corrupt")).count() == 2);
    // the damaged frames are gone (each was one batch of 10); every other event arrives once
    await().atMost(Duration.ofSeconds(20)).until(() -> sink.received.size() >= 180);
    assertThat(sink.seqs()).doesNotHaveDuplicates().hasSize(180);
    var counters = agent.tasks().get(0).counters().get(1).snapshot();
    assertThat(counters.get("corrupt_chunks")).isEqualTo(2);
    assertThat(counters.get("torn_chunks")).isEqualTo(1);
  }

  @Test
  void chunksOfANewerFormatStopTheStartAndAreKeptAsTheyAre() throws Exception {
    TestSink.State sink = TestSink.state(id);
    var files = chunksLeftWhileTheOutputIsDown(100);
    assertThat(files).hasSizeGreaterThanOrEqualTo(2);
    // what a later release with chunk format 2 left behind, found by this one after a rollback
    Path newer = files.get(files.size() - 1);
    byte[] written = Files.readAllBytes(newer);
    written[4] = (byte) (ChunkFile.VERSION + 1);
    Files.write(newer, written);
    byte[] older = Files.readAllBytes(files.get(0));

    agent = start(config(100, "flush_interval: 50ms"));
    var task = agent.tasks().get(0);
    await().atMost(Duration.ofSeconds(20)).until(() -> task.lastError() != null);
    assertThat(task.lastError()).contains(newer.getFileName().toString(), "newer swak", "chunk format 2",
        "this release reads format 1", "swak rollback");
    // not taken for damage: nothing delivered, deleted, cut or set aside
    assertThat(sink.received).isEmpty();
    assertThat(Files.readAllBytes(newer)).isEqualTo(written);
    assertThat(Files.readAllBytes(files.get(0))).isEqualTo(older);
    assertThat(chunks()).isEqualTo(files);
    assertThat(dir.resolve("buf/corrupt")).doesNotExist();
    agent.stop();

    // the release that reads it (here: the header as it was) delivers everything once
    written[4] = (byte) ChunkFile.VERSION;
    Files.write(newer, written);
    agent = start(config(100, "flush_interval: 50ms"));
    await().atMost(Duration.ofSeconds(20)).until(() -> sink.received.size() >= 100);
    assertThat(sink.seqs()).containsExactlyElementsOf(LongStream.rangeClosed(1, 100).boxed().toList());
  }

  /** Runs the buffer (chunks of 50 events) with its output down until the input's checkpoint passed {@code total}. */
  private java.util.List<Path> chunksLeftWhileTheOutputIsDown(long total) throws Exception {
    TestSink.state(id).failing = true;
    agent = start(config(total, "flush_interval: 50ms, chunk_lines: 50, fsync: always"));
    await().atMost(Duration.ofSeconds(20)).until(() -> TestSource.state(id).window.committed() == total);
    agent.stop();
    TestSink.state(id).failing = false;
    return chunks();
  }

  private java.util.List<Path> chunks() throws Exception {
    try (Stream<Path> s = Files.list(dir.resolve("buf"))) {
      return s.filter(p -> p.toString().endsWith(".chunk")).sorted().toList();
    }
  }

  @Test
  void aFullDiskMakesTheInputWaitAndLosesNothing() throws Exception {
    Logger bufferLog = (Logger) LoggerFactory.getLogger("swak.buffer");
    ListAppender<ILoggingEvent> logged = new ListAppender<>();
    logged.start();
    bufferLog.addAppender(logged);
    try (SmallDisk disk = SmallDisk.mount(dir, 1024)) {
      TestSink.State sink = TestSink.state(id);
      sink.failing = true;
      agent = start("""
          - task:
            - in.TestSource: {name: %s, batch: 100, total: 20000, pad: 100}
            - buffer: {type: file, path: "%s", chunk_bytes: 64KiB, flush_interval: 50ms}
            - out.TestSink: {name: %s, retry_wait: 20ms, retry_max_wait: 50ms}
          """.formatted(id, disk.dir().resolve("buf"), id));
      // ~2.5 MB of events into 1 MiB: the buffer fills the disk, and the input waits instead of failing
      await().atMost(Duration.ofSeconds(20))
          .until(() -> agent.tasks().get(0).counters().get(1).snapshot().getOrDefault("disk_full_waits", 0L) >= 2);
      assertThat(agent.tasks().get(0).state()).isEqualTo("running");
      assertThat(TestSource.state(id).window.committed()).isLessThan(20000);
      // said as a full disk, with the file that could not be written, not as damage
      assertThat(logged.list.stream().map(ILoggingEvent::getFormattedMessage).filter(m -> m.contains("disk full")))
          .isNotEmpty().allSatisfy(m -> assertThat(m).contains("disk full: cannot write the buffer (")
              .contains(disk.dir().resolve("buf").toString())
              .doesNotContain("damaged"));
      sink.failing = false; // delivered chunks are deleted: room again
      await().atMost(Duration.ofSeconds(30)).until(() -> sink.received.size() >= 20000);
      assertThat(sink.seqs()).containsExactlyElementsOf(LongStream.rangeClosed(1, 20000).boxed().toList());
      assertThat(Files.exists(disk.dir().resolve("buf/corrupt"))).isFalse();
    } finally {
      bufferLog.detachAppender(logged);
    }
  }

  @Test
  void aChunkCutShortByAFullDiskIsReadUpToItsLastWholeFrame() throws Exception {
    TestSink.State sink = TestSink.state(id);
    sink.failing = true;
    agent = start(config(100, "flush_interval: 1h, fsync: always"));
    await().atMost(Duration.ofSeconds(20)).until(() -> TestSource.state(id).window.committed() == 100);
    agent.stop();
    Path chunk = chunks().get(0);
    // what a write that ran out of room in its last frame leaves: a frame header and part of its entries
    Files.write(chunk, new byte[] {0, 0, 0, 100, 0, 0, 0, 10, 1, 2, 3, 4, 5, 6}, java.nio.file.StandardOpenOption.APPEND);
    sink.failing = false;
    agent = start(config(100, "flush_interval: 50ms"));
    await().atMost(Duration.ofSeconds(20)).until(() -> sink.received.size() >= 100);
    assertThat(sink.seqs()).containsExactlyElementsOf(LongStream.rangeClosed(1, 100).boxed().toList());
    assertThat(Files.exists(dir.resolve("buf/corrupt"))).isFalse();
  }
}
