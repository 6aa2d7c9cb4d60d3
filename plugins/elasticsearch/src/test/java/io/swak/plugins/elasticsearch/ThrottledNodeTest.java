package io.swak.plugins.elasticsearch;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.swak.core.testing.AgentTestBase;
import io.swak.core.testing.Pipelines;
import io.swak.core.testing.TestSource;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import java.util.stream.LongStream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Item-level 429s from a node under load ({@link ThrottlingNode} in front of the real node): only the throttled
 * documents are sent again; a restart in the middle with generate_id loses and duplicates nothing; a node that
 * refuses the credentials or answers garbage loses nothing either.
 */
class ThrottledNodeTest extends AgentTestBase {

  private static final Duration PATIENCE = Duration.ofSeconds(40);
  private OpenSearchNode os;
  private ThrottlingNode proxy;
  private String index;

  @BeforeEach
  void proxy() throws Exception {
    os = SharedOpenSearch.node();
    proxy = new ThrottlingNode(os);
    index = "throttled-" + id;
    os.request("PUT", "/" + index, "{\"settings\":{\"number_of_shards\":1}}", 200);
  }

  @AfterEach
  void close() {
    proxy.close();
  }

  private String config(String extra) {
    return """
        - task:
          - in.TestSource: {name: %s, batch: 50, total: 300}
          - out.Elasticsearch: {hosts: ["%s"], index: "%s", retry_wait: 50ms, retry_max_wait: 200ms%s}
        """.formatted(id, proxy.url(), index, extra);
  }

  private Map<String, Long> counters() {
    return agent.tasks().get(0).counters().get(1).snapshot();
  }

  private static List<Long> oneTo(long n) {
    return LongStream.rangeClosed(1, n).boxed().toList();
  }

  /** 429 (a full write queue) and 5xx (a shard that failed) items: only those documents go again. */
  @ParameterizedTest
  @ValueSource(ints = {429, 503})
  void onlyTheThrottledOrFailedDocumentsAreSentAgain(int status) throws Exception {
    proxy.mode = ThrottlingNode.Mode.THROTTLE_ONCE;
    proxy.itemStatus = status;
    start(config(""));
    await().atMost(PATIENCE).until(() -> TestSource.state(id).window.committed() == 300);

    List<Long> got = new ArrayList<>(Documents.seqs(os, index));
    Collections.sort(got);
    assertThat(got).as("each document once").containsExactlyElementsOf(oneTo(300));
    // every document was sent once, the throttled ones (seq divisible by 3) once more, and nothing else again
    Map<Long, Long> times = proxy.sent.stream().collect(Collectors.groupingBy(s -> s, Collectors.counting()));
    assertThat(times).hasSize(300);
    times.forEach((seq, n) -> assertThat(n).as("times seq %d was sent", seq).isEqualTo(seq % 3 == 0 ? 2L : 1L));
    Map<String, Long> c = counters();
    assertThat(c.get("entries_retried")).isEqualTo(100);
    assertThat(c.get("entries_retried." + status)).isEqualTo(100);
    assertThat(c.get("items_retried." + status)).isEqualTo(100);
    assertThat(c.get("docs_indexed")).isEqualTo(300);
    assertThat(c.getOrDefault("dead_lettered", 0L)).isZero();
  }

  /** A node that answers 503 to whole requests, then none at all: retried, and with generate_id nothing twice. */
  @Test
  void wholeRequestFailuresAndRequestTimeoutsAreSentAgain() throws Exception {
    proxy.mode = ThrottlingNode.Mode.OVERLOADED;
    start(config(", request_timeout: 500ms, generate_id: true"));
    await().atMost(PATIENCE).until(() -> counters().getOrDefault("requests_failed.503", 0L) >= 3);
    assertThat(TestSource.state(id).window.committed()).isZero();
    proxy.mode = ThrottlingNode.Mode.HANG;
    await().atMost(PATIENCE).until(() -> counters().getOrDefault("requests_failed.timeout", 0L) >= 2);
    assertThat(TestSource.state(id).window.committed()).isZero();
    assertThat(proxy.hung.get()).isPositive();
    proxy.mode = ThrottlingNode.Mode.PASS;
    proxy.unhang.countDown();
    await().atMost(PATIENCE).until(() -> TestSource.state(id).window.committed() == 300);
    List<Long> got = new ArrayList<>(Documents.seqs(os, index));
    Collections.sort(got);
    assertThat(got).as("each document once").containsExactlyElementsOf(oneTo(300));
    assertThat(counters().getOrDefault("dead_lettered", 0L)).isZero();
  }

  /**
   * An in-JVM restart (the agent stopped while a third of the first batch is throttled: the batch keeps its place,
   * so the later ones wait behind it): the resent documents the node already has answer 409 and count as done.
   * {@link KillNineTest} does the same with a kill -9 of an agent process.
   */
  @Test
  void aRestartInTheMiddleWithGenerateIdLosesAndDuplicatesNothing() throws Exception {
    proxy.mode = ThrottlingNode.Mode.THROTTLE_ALWAYS;
    start(config(", generate_id: true"));
    // of seq 1..50, all but the 16 multiples of 3
    await().atMost(PATIENCE).until(() -> Documents.count(os, index) == 34);
    await().atMost(PATIENCE).until(() -> counters().get("retries") >= 3); // the 16 sent again, and again
    assertThat(TestSource.state(id).window.committed()).as("the first batch is not wholly indexed").isZero();
    agent.stop();
    agent = null;

    proxy.mode = ThrottlingNode.Mode.PASS;
    agent = Pipelines.start(dir, config(", generate_id: true"));
    await().atMost(PATIENCE).until(() -> TestSource.state(id).window.committed() == 300);
    List<Long> got = new ArrayList<>(Documents.seqs(os, index));
    Collections.sort(got);
    assertThat(got).as("each document once: the ones indexed before the restart were not indexed again")
        .containsExactlyElementsOf(oneTo(300));
    Map<String, Long> c = counters();
    assertThat(c.get("docs_already_indexed")).as("sent again, answered 409: already there").isEqualTo(34);
    assertThat(c.get("docs_indexed")).isEqualTo(266);
  }

  @Test
  void refusedCredentialsAndGarbageAnswersLoseNothing() throws Exception {
    proxy.mode = ThrottlingNode.Mode.UNAUTHORIZED;
    start(config(", user: writer, password: s3cret"));
    await().atMost(PATIENCE).until(() -> counters().get("errors") >= 3);
    assertThat(TestSource.state(id).window.committed()).isZero();
    assertThat(proxy.authorizations).allMatch(a -> a.equals("Basic d3JpdGVyOnMzY3JldA=="));
    proxy.mode = ThrottlingNode.Mode.GARBAGE;
    long errors = counters().get("errors");
    await().atMost(PATIENCE).until(() -> counters().get("errors") >= errors + 3);
    assertThat(TestSource.state(id).window.committed()).isZero();
    proxy.mode = ThrottlingNode.Mode.PASS;
    await().atMost(PATIENCE).until(() -> TestSource.state(id).window.committed() == 300);
    List<Long> got = new ArrayList<>(Documents.seqs(os, index));
    assertThat(got).containsExactlyElementsOf(oneTo(300));
    assertThat(counters().getOrDefault("dead_lettered", 0L)).isZero();
    assertThat(counters().get("requests_failed.401")).isPositive();
    assertThat(counters().get("requests_failed.answer")).isPositive();
  }
}
