package io.swak.plugins.buffer;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.swak.core.testing.TestSink;
import io.swak.core.testing.TestSource;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.stream.LongStream;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

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
  void aDamagedChunkIsQuarantinedAndTheRestDelivered() throws Exception {
    TestSink.State sink = TestSink.state(id);
    sink.failing = true;
    agent = start(config(200, "flush_interval: 50ms, chunk_lines: 50, fsync: always"));
    await().atMost(Duration.ofSeconds(20)).until(() -> TestSource.state(id).window.committed() == 200);
    agent.stop();
    var files = chunks();
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

    sink.failing = false;
    agent = start(config(200, "flush_interval: 50ms"));
    await().atMost(Duration.ofSeconds(20)).until(() -> Files.list(dir.resolve("buf/corrupt")).count() == 3);
    // the damaged frames are gone (each was one batch of 10); every other event arrives once
    await().atMost(Duration.ofSeconds(20)).until(() -> sink.received.size() >= 180);
    assertThat(sink.seqs()).doesNotHaveDuplicates().hasSize(180);
    assertThat(agent.tasks().get(0).counters().get(1).snapshot().get("corrupt_chunks")).isEqualTo(3);
  }

  private java.util.List<Path> chunks() throws Exception {
    try (Stream<Path> s = Files.list(dir.resolve("buf"))) {
      return s.filter(p -> p.toString().endsWith(".chunk")).sorted().toList();
    }
  }
}
