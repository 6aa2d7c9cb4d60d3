package io.swak.plugins.route;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.swak.core.runtime.StepCounters;
import io.swak.core.testing.AgentTestBase;
import io.swak.core.testing.TestSink;
import io.swak.core.testing.TestSource;
import java.time.Duration;
import java.util.List;
import java.util.stream.LongStream;
import org.junit.jupiter.api.Test;

/** The route step in the real runtime: branches, else, acknowledgements, isolation by buffers, nesting. */
class RouteTest extends AgentTestBase {

  private static final Duration WAIT = Duration.ofSeconds(10);

  private TestSink.State sink(String name) {
    return TestSink.state(id + "-" + name);
  }

  private TestSource.State source() {
    return TestSource.state(id);
  }

  private static List<Long> seqs(long from, long to, java.util.function.LongPredicate p) {
    return LongStream.rangeClosed(from, to).filter(p).boxed().toList();
  }

  @Test
  void everyBranchThatTakesAnEventGetsItInOrderAndElseTheRest() throws Exception {
    start("""
        - task:
          - in.TestSource: {name: %1$s, total: 100, batch: 7}
          - route:
              fizz: {when: 'record.seq %% 3 == 0', steps: [{out.TestSink: {name: %1$s-fizz}}]}
              buzz:
                when: 'record.seq %% 5 == 0'
                steps:
                  - out.TestSink: {name: %1$s-buzz}
              else: [{out.TestSink: {name: %1$s-else}}]
        """.formatted(id));
    await().atMost(WAIT).until(() -> source().window.committed() == 100);
    assertThat(sink("fizz").seqs()).isEqualTo(seqs(1, 100, i -> i % 3 == 0));
    assertThat(sink("buzz").seqs()).isEqualTo(seqs(1, 100, i -> i % 5 == 0));
    assertThat(sink("else").seqs()).isEqualTo(seqs(1, 100, i -> i % 3 != 0 && i % 5 != 0));
    StepCounters route = agent.tasks().get(0).counters().get(1);
    assertThat(route.children().keySet()).containsExactly("fizz", "buzz", "else");
    assertThat(route.children().get("fizz").children().get("1 out.TestSink").snapshot().get("events_in")).isEqualTo(33);
  }

  @Test
  void matchRoutesByTagAndEventsNoBranchTakesAreDroppedAndCountedWithoutElse() throws Exception {
    start("""
        - task:
          - in.TestSource: {name: %1$s-web, total: 20, tag: web.access}
          - route: &r
              web: {match: "web.*", steps: [{out.TestSink: {name: %1$s-web}}]}
              deep: {match: ["db.**"], steps: [{out.TestSink: {name: %1$s-db}}]}
        - task:
          - in.TestSource: {name: %1$s-db, total: 30, tag: db.slow.query}
          - route: *r
        - task:
          - in.TestSource: {name: %1$s-other, total: 5, tag: cache}
          - route: *r
        """.formatted(id));
    await().atMost(WAIT).until(() -> TestSource.state(id + "-other").window.committed() == 5
        && TestSource.state(id + "-web").window.committed() == 20 && TestSource.state(id + "-db").window.committed() == 30);
    assertThat(sink("web").seqs()).isEqualTo(seqs(1, 20, i -> true));
    assertThat(sink("db").seqs()).isEqualTo(seqs(1, 30, i -> true));
    assertThat(agent.tasks().get(2).counters().get(1).snapshot()).containsEntry("unrouted", 5L).containsEntry("dropped", 5L);
  }

  @Test
  void aDeadBranchWithAFileBufferLetsTheLiveOneDeliverAndGetsEverythingWhenItComesBack() throws Exception {
    sink("dead").failing = true;
    start("""
        - task:
          - in.TestSource: {name: %1$s, total: 200, batch: 10}
          - route:
              dead: {steps: [{buffer: {type: file, flush_interval: 50ms}}, {out.TestSink: {name: %1$s-dead, retry_wait: 50ms, retry_max_wait: 100ms}}]}
              live: {steps: [{out.TestSink: {name: %1$s-live}}]}
        """.formatted(id));
    // the dead branch's events are durable in its buffer: the source's checkpoint moves to the end
    await().atMost(WAIT).until(() -> source().window.committed() == 200);
    assertThat(sink("live").seqs()).isEqualTo(seqs(1, 200, i -> true));
    assertThat(sink("dead").received).isEmpty();
    sink("dead").failing = false;
    await().atMost(WAIT).until(() -> sink("dead").received.size() >= 200);
    assertThat(sink("dead").seqs()).isEqualTo(seqs(1, 200, i -> true));
  }

  @Test
  void withAMemoryBufferTheCheckpointWaitsForTheDeadBranch() throws Exception {
    sink("dead").failing = true;
    start("""
        - task:
          - in.TestSource: {name: %1$s, total: 100, batch: 10}
          - route:
              dead: {steps: [{buffer: {type: memory, flush_interval: 50ms}}, {out.TestSink: {name: %1$s-dead, retry_wait: 50ms, retry_max_wait: 100ms}}]}
              live: {steps: [{out.TestSink: {name: %1$s-live}}]}
        """.formatted(id));
    await().atMost(WAIT).until(() -> sink("live").received.size() == 100);
    await().atMost(WAIT).until(() -> sink("dead").failures.get() > 2);
    assertThat(source().window.committed()).as("a memory buffer acknowledges on delivery").isZero();
    sink("dead").failing = false;
    await().atMost(WAIT).until(() -> source().window.committed() == 100);
    assertThat(sink("dead").seqs()).isEqualTo(seqs(1, 100, i -> true));
    assertThat(sink("live").seqs()).isEqualTo(seqs(1, 100, i -> true));
  }

  @Test
  void aFullBranchBufferDropsByItsOwnOverflowPolicyAndTheOtherBranchKeepsEverything() throws Exception {
    sink("dead").failing = true;
    start("""
        - task:
          - in.TestSource: {name: %1$s, total: 2000, batch: 50, pad: 100}
          - route:
              dead: {steps: [{buffer: {type: memory, total_limit: 20KiB, chunk_bytes: 4KiB, overflow: drop_newest}}, {out.TestSink: {name: %1$s-dead, retry_wait: 50ms}}]}
              live: {steps: [{out.TestSink: {name: %1$s-live}}]}
        """.formatted(id));
    await().atMost(WAIT).until(() -> sink("live").received.size() == 2000);
    StepCounters buffer = agent.tasks().get(0).counters().get(1).children().get("dead").children().get("1 buffer");
    await().atMost(WAIT).until(() -> buffer.snapshot().get("dropped") > 0);
    assertThat(sink("live").seqs()).isEqualTo(seqs(1, 2000, i -> true));
  }

  @Test
  void routesNestInBranchesAndStepsInBranchesTakeConditions() throws Exception {
    start("""
        - task:
          - in.TestSource: {name: %1$s, total: 60, batch: 9}
          - route:
              even:
                when: 'record.seq %% 2 == 0'
                steps:
                  - out.TestSink: {name: %1$s-even-copy, when: 'record.seq > 50'}
                  - route:
                      four: {when: 'record.seq %% 4 == 0', steps: [{out.TestSink: {name: %1$s-four}}]}
                      else: [{out.TestSink: {name: %1$s-two}}]
        """.formatted(id));
    await().atMost(WAIT).until(() -> source().window.committed() == 60);
    assertThat(sink("four").seqs()).isEqualTo(seqs(1, 60, i -> i % 4 == 0));
    assertThat(sink("two").seqs()).isEqualTo(seqs(1, 60, i -> i % 2 == 0 && i % 4 != 0));
    assertThat(sink("even-copy").seqs()).isEqualTo(seqs(51, 60, i -> i % 2 == 0));
  }

  @Test
  void twoBranchesFileBuffersKeepTheirChunksApartAcrossARestart() throws Exception {
    sink("odd").failing = true;
    sink("even").failing = true;
    String yaml = """
        - task:
          - in.TestSource: {name: %1$s, total: 60, batch: 6}
          - route:
              odd: {when: 'record.seq %% 2 == 1', steps: [{buffer: {type: file, flush_interval: 50ms}}, {out.TestSink: {name: %1$s-odd, retry_wait: 50ms}}]}
              even: {when: 'record.seq %% 2 == 0', steps: [{buffer: {type: file, flush_interval: 50ms}}, {out.TestSink: {name: %1$s-even, retry_wait: 50ms}}]}
        """.formatted(id);
    start(yaml);
    await().atMost(WAIT).until(() -> source().window.committed() == 60);
    agent.stop();
    assertThat(java.nio.file.Files.list(dir.resolve("data/buffer")).map(p -> p.getFileName().toString()).sorted().toList())
        .containsExactly("task_1-route.even.buffer", "task_1-route.odd.buffer");
    sink("odd").failing = false;
    sink("even").failing = false;
    start(yaml);
    await().atMost(WAIT).until(() -> sink("odd").received.size() >= 30 && sink("even").received.size() >= 30);
    assertThat(sink("odd").seqs()).isEqualTo(seqs(1, 60, i -> i % 2 == 1));
    assertThat(sink("even").seqs()).isEqualTo(seqs(1, 60, i -> i % 2 == 0));
  }
}
