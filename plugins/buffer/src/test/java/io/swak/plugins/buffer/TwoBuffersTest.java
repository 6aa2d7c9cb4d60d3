package io.swak.plugins.buffer;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.swak.core.testing.AgentTestBase;
import io.swak.core.testing.TestSink;
import io.swak.core.testing.TestSource;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.stream.LongStream;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * Two file buffers in one task, each in the default directory: they keep their chunks apart (the second's name has
 * its position in the task), so nothing is overwritten or lost, through a restart while the output is down.
 */
class TwoBuffersTest extends AgentTestBase {

  private String config() {
    return """
        - task:
          - in.TestSource: {name: %s, batch: 10, total: 300}
          - buffer: {type: file, flush_interval: 20ms, chunk_lines: 25}
          - buffer: {type: file, flush_interval: 20ms, chunk_lines: 40}
          - out.TestSink: {name: %s, retry_wait: 20ms, retry_max_wait: 50ms}
        """.formatted(id, id);
  }

  private List<String> bufferDirs() throws Exception {
    Path root = dir.resolve("data").resolve("buffer");
    try (Stream<Path> s = Files.list(root)) {
      return s.filter(Files::isDirectory).map(p -> p.getFileName().toString()).sorted().toList();
    }
  }

  @Test
  void eachBufferKeepsItsOwnChunksAndEveryEventArrivesOnceInOrder() throws Exception {
    TestSink.State sink = TestSink.state(id);
    sink.failing = true;
    start(config());
    await().atMost(Duration.ofSeconds(20)).until(() -> TestSource.state(id).window.committed() == 300);
    assertThat(bufferDirs()).containsExactly("task_1-buffer", "task_1-buffer-3");
    agent.stop();
    agent = null;

    sink.failing = false;
    start(config());
    await().atMost(Duration.ofSeconds(30)).until(() -> sink.received.size() >= 300);
    assertThat(sink.seqs()).containsExactlyElementsOf(LongStream.rangeClosed(1, 300).boxed().toList());
  }
}
