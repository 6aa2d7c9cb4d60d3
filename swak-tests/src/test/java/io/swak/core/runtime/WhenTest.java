package io.swak.core.runtime;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.swak.api.Event;
import io.swak.core.testing.AgentTestBase;
import io.swak.core.testing.TestSink;
import io.swak.core.testing.TestSource;
import java.time.Duration;
import java.util.List;
import java.util.stream.LongStream;
import org.junit.jupiter.api.Test;

/** when: and match: on steps in the real runtime, with the real modify step and the test source and sinks. */
class WhenTest extends AgentTestBase {

  private static final Duration WAIT = Duration.ofSeconds(10);

  private TestSink.State sink(String name) {
    return TestSink.state(id + "-" + name);
  }

  private static List<Long> all(long n) {
    return LongStream.rangeClosed(1, n).boxed().toList();
  }

  @Test
  void aProcessingStepRunsOnlyForItsEventsAndTheOthersKeepTheirPlace() throws Exception {
    start("""
        - task:
          - in.TestSource: {name: %1$s, total: 50, batch: 8}
          - modify: {set: {fizz: true}, when: 'record.seq %% 3 == 0'}
          - out.TestSink: {name: %1$s-all}
        """.formatted(id));
    await().atMost(WAIT).until(() -> TestSource.state(id).window.committed() == 50);
    List<Event> got = sink("all").received;
    assertThat(sink("all").seqs()).isEqualTo(all(50));
    for (Event e : got) {
      long seq = ((Number) e.record().get("seq")).longValue();
      assertThat(e.record().containsKey("fizz")).as("event %d", seq).isEqualTo(seq % 3 == 0);
    }
    assertThat(agent.tasks().get(0).counters().get(1).snapshot()).containsEntry("condition_skipped", 34L);
  }

  @Test
  void anOutputWithWhenSendsItsEventsAndPassesEverythingOn() throws Exception {
    start("""
        - task:
          - in.TestSource: {name: %1$s, total: 40, batch: 6}
          - out.TestSink: {name: %1$s-big, when: 'record.seq > 30'}
          - out.TestSink: {name: %1$s-web, match: "web.*"}
          - out.TestSink: {name: %1$s-all}
        """.formatted(id));
    await().atMost(WAIT).until(() -> TestSource.state(id).window.committed() == 40);
    assertThat(sink("big").seqs()).isEqualTo(LongStream.rangeClosed(31, 40).boxed().toList());
    assertThat(sink("web").received).as("the tag is `test`").isEmpty();
    assertThat(sink("all").seqs()).isEqualTo(all(40));
  }

  @Test
  void anEventTheConditionCannotBeEvaluatedOnIsNotTakenCountedAndNothingIsLost() throws Exception {
    start("""
        - task:
          - in.TestSource: {name: %1$s, total: 30, batch: 10}
          - out.TestSink: {name: %1$s-never, when: 'record.missing.deeper > 1'}
          - modify: {set: {x: 1}, when: 'record.seq > "abc"'}
          - out.TestSink: {name: %1$s-all}
        """.formatted(id));
    await().atMost(WAIT).until(() -> TestSource.state(id).window.committed() == 30);
    assertThat(sink("never").received).isEmpty();
    assertThat(sink("all").seqs()).isEqualTo(all(30));
    assertThat(sink("all").received).allSatisfy(e -> assertThat(e.record()).doesNotContainKey("x"));
    assertThat(agent.tasks().get(0).counters().get(1).snapshot()).containsEntry("condition_errors", 30L);
    assertThat(agent.tasks().get(0).counters().get(2).snapshot()).containsEntry("condition_errors", 30L);
    assertThat(agent.tasks().get(0).state()).isEqualTo("running");
    assertThat(TestSource.state(id).starts).as("no restart").isEqualTo(1);
  }

  @Test
  void aBufferWithWhenHoldsOnlyItsEvents() throws Exception {
    sink("slow").failing = true;
    start("""
        - task:
          - in.TestSource: {name: %1$s, total: 20, batch: 5}
          - buffer: {type: file, flush_interval: 50ms, when: 'record.seq %% 2 == 0'}
          - out.TestSink: {name: %1$s-slow, retry_wait: 50ms, retry_max_wait: 100ms}
        """.formatted(id));
    // the odd events went around the buffer, straight to the failing output: the task waits on them; the even ones
    // are in the buffer
    await().atMost(WAIT).until(() -> sink("slow").failures.get() > 1);
    sink("slow").failing = false;
    await().atMost(WAIT).until(() -> sink("slow").received.size() == 20);
    assertThat(sink("slow").seqs()).containsExactlyInAnyOrderElementsOf(all(20));
    await().atMost(WAIT).until(() -> TestSource.state(id).window.committed() == 20);
  }
}
