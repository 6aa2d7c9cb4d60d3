package io.swak.plugins.buffer;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.swak.core.testing.TestSink;
import io.swak.core.testing.TestSource;
import java.time.Duration;
import org.junit.jupiter.api.Test;

class MemoryBufferTest extends BufferContract {

  @Override
  String buffer(String extra) {
    return "buffer: {type: memory" + (extra.isEmpty() ? "" : ", " + extra) + "}";
  }

  @Test
  void acknowledgesOnlyWhatWasDelivered() throws Exception {
    TestSink.State sink = TestSink.state(id);
    sink.failing = true;
    agent = start(config(300, "flush_interval: 50ms"));
    await().atMost(Duration.ofSeconds(20)).until(() -> sink.failures.get() >= 2);
    assertThat(TestSource.state(id).window.committed()).isZero();
    sink.failing = false;
    await().atMost(Duration.ofSeconds(20)).until(() -> TestSource.state(id).window.committed() == 300);
  }

  @Test
  void spillsToDiskPastItsMemoryLimitAndDeliversEverything() throws Exception {
    TestSink.State sink = TestSink.state(id);
    sink.failing = true;
    agent = start("""
        - task:
          - in.TestSource: {name: %s, batch: 100, total: 5000, pad: 80}
          - buffer: {type: memory, path: "${DIR}/spill", total_limit: 16KiB, chunk_bytes: 8KiB}
          - out.TestSink: {name: %s, retry_wait: 50ms, retry_max_wait: 100ms}
        """.formatted(id, id));
    TestSource.State src = TestSource.state(id);
    await().atMost(Duration.ofSeconds(20)).until(() -> src.emitted == 5000); // memory alone could not hold it
    assertThat(agent.tasks().get(0).counters().get(1).snapshot()).containsKey("spilled_chunks");
    sink.failing = false;
    await().atMost(Duration.ofSeconds(20)).until(() -> sink.received.size() == 5000);
    assertThat(sink.seqs()).doesNotHaveDuplicates().hasSize(5000).isSorted();
  }

  @Test
  void linedBufferDeliversInGroupsOfLines() throws Exception {
    agent = start("""
        - task:
          - in.TestSource: {name: %s, batch: 7, total: 350}
          - out.LinedBuffer: {lines: 100}
          - out.TestSink: {name: %s}
        """.formatted(id, id));
    TestSink.State sink = TestSink.state(id);
    await().atMost(Duration.ofSeconds(20)).until(() -> sink.received.size() >= 300);
    assertThat(sink.batchSizes).allMatch(n -> n >= 100 && n < 107);
    agent.stop(); // the rest is delivered at stop
    agent = null;
    assertThat(sink.received).hasSize(350);
  }
}
