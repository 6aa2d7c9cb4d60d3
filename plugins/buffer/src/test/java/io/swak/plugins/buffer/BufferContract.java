package io.swak.plugins.buffer;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.swak.core.testing.AgentTestBase;
import io.swak.core.testing.TestSink;
import io.swak.core.testing.TestSource;
import java.time.Duration;
import java.util.stream.LongStream;
import org.junit.jupiter.api.Test;

/**
 * What every buffer type must do; run against memory and file buffers by the subclasses.
 */
abstract class BufferContract extends AgentTestBase {

  /** The buffer step's YAML, e.g. {@code buffer: {type: memory}}; extra options are appended. */
  abstract String buffer(String extra);

  String config(long total, String extra) {
    return """
        - agent: {shutdown_timeout: 5s}
        - task:
          - in.TestSource: {name: %s, batch: 10, total: %d}
          - %s
          - out.TestSink: {name: %s, retry_wait: 50ms, retry_max_wait: 200ms}
        """.formatted(id, total, buffer(extra), id);
  }

  @Test
  void deliversEverythingInOrderAndThenAcknowledges() throws Exception {
    agent = start(config(1000, "flush_interval: 100ms, chunk_lines: 100"));
    TestSink.State sink = TestSink.state(id);
    await().atMost(Duration.ofSeconds(20)).until(() -> sink.received.size() == 1000);
    assertThat(sink.seqs()).containsExactlyElementsOf(LongStream.rangeClosed(1, 1000).boxed().toList());
    assertThat(sink.batchSizes).allMatch(n -> n <= 100);
    await().atMost(Duration.ofSeconds(10)).until(() -> TestSource.state(id).window.committed() == 1000);
  }

  @Test
  void aTaskRestartDoesNotWaitForeverOnAnOutputThatKeepsFailing() throws Exception {
    TestSink.State sink = TestSink.state(id);
    TestSource.State src = TestSource.state(id);
    sink.failing = true;
    Duration production = Buffer.closeWait;
    Buffer.closeWait = Duration.ofMillis(300);
    try {
      agent = start(config(50, "flush_interval: 50ms"));
      await().atMost(Duration.ofSeconds(20)).until(() -> src.emitted == 50 && sink.failures.get() >= 2);
      // the input fails: the task closes its steps to restart; the buffer's flusher is still retrying and
      // would never finish, so close gives it closeWait (30 s in production), then goes on
      src.failOnPoll = true;
      await().atMost(Duration.ofSeconds(10)).until(() -> src.starts >= 2); // restarted (1 s backoff)
      src.failOnPoll = false;
      sink.failing = false;
      // nothing is lost: what was buffered is read again (memory) or still on disk (file), and delivered
      await().atMost(Duration.ofSeconds(20)).until(() -> sink.seqs().stream().distinct().count() == 50);
      await().atMost(Duration.ofSeconds(10)).until(() -> src.window.committed() == 50);
    } finally {
      Buffer.closeWait = production;
    }
  }

  @Test
  void keepsEverythingWhileTheOutputIsDownAndDeliversWhenItReturns() throws Exception {
    TestSink.State sink = TestSink.state(id);
    sink.failing = true;
    agent = start(config(500, "flush_interval: 50ms"));
    await().atMost(Duration.ofSeconds(20)).until(() -> sink.failures.get() >= 3);
    assertThat(sink.received).isEmpty();
    sink.failing = false;
    await().atMost(Duration.ofSeconds(20)).until(() -> sink.received.size() >= 500);
    assertThat(sink.seqs()).containsExactlyElementsOf(LongStream.rangeClosed(1, 500).boxed().toList());
  }

  @Test
  void memoryStaysBoundedWhenTheOutputIsDown() throws Exception {
    TestSink.State sink = TestSink.state(id);
    sink.failing = true;
    // ~100 bytes an event: 1,000,000 events would be ~100 MB; the buffer holds at most 64 KiB
    agent = start("""
        - agent: {shutdown_timeout: 5s}
        - task:
          - in.TestSource: {name: %s, batch: 100, total: 1000000, pad: 80}
          - %s
          - out.TestSink: {name: %s, retry_wait: 50ms, retry_max_wait: 100ms}
        """.formatted(id, buffer("total_limit: 64KiB, chunk_bytes: 16KiB, flush_interval: 50ms"), id));
    TestSource.State src = TestSource.state(id);
    await().atMost(Duration.ofSeconds(20)).until(() -> sink.failures.get() >= 5);
    long emitted = src.emitted;
    // the input is held back: what it emitted fits the limit (plus the batch that waits for room)
    assertThat(emitted * 100).isLessThan(64 * 1024 + 2 * 100 * 100 + 16 * 1024);
    // the gauge status and metrics show agrees: at most the limit plus one batch is held
    assertThat(agent.tasks().get(0).counters().get(1).gauges().get("buffer_bytes"))
        .isPositive().isLessThanOrEqualTo(64 * 1024 + 100 * 100);
    sink.failing = false;
    await().atMost(Duration.ofSeconds(30)).until(() -> src.emitted > emitted + 1000);
  }

  private long dropped() {
    return agent.tasks().get(0).counters().get(1).snapshot().get("dropped");
  }

  @Test
  void dropNewestCountsWhatItDrops() throws Exception {
    TestSink.State sink = TestSink.state(id);
    sink.failing = true;
    agent = start("""
        - task:
          - in.TestSource: {name: %s, batch: 100, total: 20000, pad: 80}
          - %s
          - out.TestSink: {name: %s, retry_wait: 50ms, retry_max_wait: 100ms}
        """.formatted(id, buffer("total_limit: 32KiB, chunk_bytes: 8KiB, overflow: drop_newest"), id));
    TestSource.State src = TestSource.state(id);
    // the input is never blocked: it runs to the end, and what did not fit is dropped and counted
    await().atMost(Duration.ofSeconds(20)).until(() -> src.emitted == 20000);
    sink.failing = false;
    // every batch acknowledged: delivered or dropped (the last ones emitted may have reached the buffer
    // only now, so the drop counter is read after this)
    await().atMost(Duration.ofSeconds(20)).until(() -> src.window.committed() == 20000);
    // a file buffer acknowledges what it synced before delivering it: what is neither dropped nor received
    // yet is still on its way
    await().atMost(Duration.ofSeconds(20)).until(() -> sink.received.size() + dropped() >= 20000);
    assertThat(dropped()).isGreaterThan(15000);
    assertThat(sink.received.size() + dropped()).isEqualTo(20000);
  }
}
