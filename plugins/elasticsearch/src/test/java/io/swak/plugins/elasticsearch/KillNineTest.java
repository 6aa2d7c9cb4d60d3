package io.swak.plugins.elasticsearch;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.swak.core.testing.AgentProcess;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import java.util.stream.LongStream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * kill -9 of an agent (a JVM of its own, `swak run`) tailing a file of JSON lines into the real node with
 * generate_id, while the node throttles a third of the documents (item-level 429s, {@link ThrottlingNode}): the
 * other documents of the batch are indexed, its checkpoint is not saved, so the restarted agent reads and sends
 * them again; the node answers 409 for each and the index ends with every line exactly once.
 */
class KillNineTest {

  private static final int LINES = 600;
  private static final Duration PATIENCE = Duration.ofSeconds(90);

  @TempDir
  Path dir;

  private OpenSearchNode os;
  private ThrottlingNode proxy;
  private Process agent;

  @BeforeEach
  void nodes() throws Exception {
    os = SharedOpenSearch.node();
    proxy = new ThrottlingNode(os);
  }

  @AfterEach
  void stopAll() throws Exception {
    AgentProcess.printLogsAndKill(agent, dir.resolve("agent-1.log"), dir.resolve("agent-2.log"));
    proxy.close();
  }

  private Process startAgent(Path cfg, int n) throws IOException {
    return AgentProcess.start(cfg, dir.resolve("agent-" + n + ".log"));
  }

  private static List<Long> oneTo(long n) {
    return LongStream.rangeClosed(1, n).boxed().toList();
  }

  @Test
  void aKillNineWhileTheNodeThrottlesLosesAndDuplicatesNothingWithGenerateId() throws Exception {
    String index = "kill9-" + dir.getFileName().toString().toLowerCase().replaceAll("[^a-z0-9]", "");
    os.request("PUT", "/" + index, "{\"settings\":{\"number_of_shards\":1}}", 200);
    Path app = dir.resolve("app.log");
    StringBuilder b = new StringBuilder();
    for (int i = 1; i <= LINES; i++) {
      b.append("{\"@timestamp\":\"2026-12-02T10:00:%02d.%06dZ\",\"seq\":%d,\"level\":\"INFO\",\"msg\":\"order %d paid\"}\n"
          .formatted(i % 60, i, i, i));
    }
    Files.writeString(app, b);
    Path cfg = dir.resolve("agent.yml");
    Files.writeString(cfg, """
        - agent: {data_dir: "%s"}
        - task:
          - in.FileTail: {path: "%s", read_from_head: true, read_buffer_size: 8KiB, format: json,
                          time_key: "@timestamp"}
          - out.Elasticsearch: {hosts: ["%s"], index: "%s", generate_id: true, retry_wait: 50ms,
                                retry_max_wait: 200ms}
        """.formatted(dir.resolve("data"), app, proxy.url(), index));

    proxy.mode = ThrottlingNode.Mode.THROTTLE_ALWAYS;
    agent = startAgent(cfg, 1);
    // the first batch: its unthrottled documents are indexed, its throttled ones (seq % 3 == 0) sent again and again
    await().atMost(PATIENCE).until(() -> Documents.count(os, index) > 0
        && proxy.throttled.stream().collect(Collectors.groupingBy(s -> s, Collectors.counting())).values().stream()
            .anyMatch(n -> n >= 3));
    agent.destroyForcibly(); // SIGKILL: no shutdown hook, no last checkpoint
    assertThat(agent.waitFor(20, TimeUnit.SECONDS)).isTrue();
    assertThat(agent.exitValue()).as("killed by signal 9").isEqualTo(137);
    long before = Documents.count(os, index);
    assertThat(before).as("part of the file was indexed, not all").isBetween(1L, LINES - 1L);
    int sentBefore = proxy.sent.size();

    proxy.mode = ThrottlingNode.Mode.PASS;
    agent = startAgent(cfg, 2);
    await().atMost(PATIENCE).until(() -> Documents.count(os, index) >= LINES
        && proxy.sent.subList(sentBefore, proxy.sent.size()).containsAll(oneTo(LINES)));

    List<Long> got = new ArrayList<>(Documents.seqs(os, index));
    Collections.sort(got);
    assertThat(got).as("every line once: none lost, none duplicated").containsExactlyElementsOf(oneTo(LINES));
    // the restarted agent did send again what the node had indexed before the kill (the case this is about)
    Map<Long, Long> times = proxy.sent.stream().collect(Collectors.groupingBy(s -> s, Collectors.counting()));
    long indexedTwiceOver = times.entrySet().stream().filter(e -> e.getKey() % 3 != 0 && e.getValue() >= 2).count();
    assertThat(indexedTwiceOver).as("documents indexed before the kill and sent again after it").isPositive();
  }
}
