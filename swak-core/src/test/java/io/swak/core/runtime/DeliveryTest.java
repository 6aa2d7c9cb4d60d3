package io.swak.core.runtime;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.swak.core.testing.AgentTestBase;
import io.swak.core.testing.TestSink;
import io.swak.core.testing.TestSource;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Retries, dead letters and the isolation of tasks, through the real runtime. */
class DeliveryTest extends AgentTestBase {


  @Test
  void aFailingOutputIsRetriedUntilItDeliversAndNothingIsLostOrDuplicated() throws Exception {
    TestSink.State sink = TestSink.state(id);
    sink.failing = true;
    agent = start("""
        - task:
          - in.TestSource: {name: %1$s, batch: 10, total: 200}
          - out.TestSink: {name: %1$s, retry_wait: 20ms, retry_max_wait: 50ms}
        """.formatted(id));
    await().atMost(Duration.ofSeconds(20)).until(() -> sink.failures.get() >= 5);
    assertThat(TestSource.state(id).window.committed()).isZero();
    sink.failing = false;
    await().atMost(Duration.ofSeconds(20)).until(() -> sink.received.size() == 200);
    assertThat(sink.seqs()).doesNotHaveDuplicates().isSorted();
    assertThat(agent.tasks().get(0).counters().get(1).snapshot().get("retries")).isGreaterThanOrEqualTo(5);
    await().atMost(Duration.ofSeconds(5)).until(() -> TestSource.state(id).window.committed() == 200);
  }

  @Test
  void givingUpSendsTheBatchToTheDeadLetterFileWithACount() throws Exception {
    TestSink.state(id).failing = true;
    Path dead = dir.resolve("dead.jsonl");
    agent = start("""
        - task:
          - in.TestSource: {name: %1$s, batch: 10, total: 30}
          - out.TestSink: {name: %1$s, retry_wait: 10ms, retry_max_times: 2, dead_letter_path: "${DIR}/dead.jsonl"}
        """.formatted(id));
    await().atMost(Duration.ofSeconds(20)).until(() -> Files.exists(dead) && Files.readAllLines(dead).size() == 30);
    assertThat(Files.readAllLines(dead).get(0)).contains("\"tag\":\"test\"").contains("\"seq\":1");
    var counters = agent.tasks().get(0).counters().get(1).snapshot();
    assertThat(counters.get("dead_lettered")).isEqualTo(30);
    assertThat(counters.get("dropped")).isEqualTo(30);
    // given up = consumed: the input moves on
    await().atMost(Duration.ofSeconds(5)).until(() -> TestSource.state(id).window.committed() == 30);
  }

  @Test
  void aPermanentRejectionIsNotRetried() throws Exception {
    TestSink.State sink = TestSink.state(id);
    sink.rejecting = true;
    agent = start("""
        - task:
          - in.TestSource: {name: %1$s, batch: 5, total: 10}
          - out.TestSink: {name: %1$s}
        """.formatted(id));
    Path dead = dir.resolve("data/dead-letter/task_1.jsonl");
    await().atMost(Duration.ofSeconds(20)).until(() -> Files.exists(dead) && Files.readAllLines(dead).size() == 10);
    assertThat(agent.tasks().get(0).counters().get(1).snapshot().get("retries")).isZero();
  }

  @Test
  void aWindowedOutputDeliversEverythingInOrder() throws Exception {
    agent = start("""
        - task:
          - in.TestSource: {name: %1$s, batch: 10, total: 2000}
          - out.TestSink: {name: %1$s, window: 8}
        """.formatted(id));
    TestSink.State sink = TestSink.state(id);
    await().atMost(Duration.ofSeconds(20)).until(() -> TestSource.state(id).window.committed() == 2000);
    assertThat(sink.seqs()).hasSize(2000).isSorted().doesNotHaveDuplicates();
    var c = agent.tasks().get(0).counters().get(1).snapshot();
    assertThat(c.get("errors")).isZero();
    assertThat(c.get("bytes_out")).isPositive();
  }

  @Test
  void afterALostConnectionWhatWasOnItsWayIsSentAgainFirstAndNothingOvertakesIt() throws Exception {
    TestSink.State sink = TestSink.state(id);
    sink.breakAfter.set(30); // the 31st batch and all sent behind it fail, as over a broken connection
    agent = start("""
        - task:
          - in.TestSource: {name: %1$s, batch: 10, total: 2000}
          - out.TestSink: {name: %1$s, window: 8, retry_wait: 10ms, retry_max_wait: 50ms}
        """.formatted(id));
    await().atMost(Duration.ofSeconds(20)).until(() -> TestSource.state(id).window.committed() == 2000);
    // the sink takes batches only in order: had anything overtaken the resend it would have failed again
    assertThat(sink.seqs()).hasSize(2000).isSorted().doesNotHaveDuplicates();
    List<String> log = List.copyOf(sink.log);
    int failAt = log.indexOf("fail 301");
    assertThat(failAt).isPositive();
    // once the loss was known, the next batch sent is the lost one (alone: the probe), then the rest in order
    List<String> after = log.subList(failAt, log.size()).stream().filter(l -> !l.startsWith("fail")).toList();
    assertThat(after.get(0)).isEqualTo("301");
    assertThat(agent.tasks().get(0).counters().get(1).snapshot().get("retries")).isPositive();
  }

  @Test
  void aBatchFailedInsideTheSendIsNotOvertakenByTheNextOne() throws Exception {
    TestSink.State sink = TestSink.state(id);
    sink.failing = true;
    agent = start("""
        - task:
          - in.TestSource: {name: %1$s, batch: 10, total: 200}
          - out.TestSink: {name: %1$s, window: 8, retry_wait: 20ms, retry_max_wait: 50ms}
        """.formatted(id));
    await().atMost(Duration.ofSeconds(20)).until(() -> sink.failures.get() >= 5);
    // while the destination is down only the oldest batch is tried again: nothing behind it is sent
    assertThat(sink.log.stream().filter(l -> !l.startsWith("fail")).distinct().count()).isLessThanOrEqualTo(8);
    assertThat(TestSource.state(id).window.committed()).isZero();
    sink.failing = false;
    await().atMost(Duration.ofSeconds(20)).until(() -> TestSource.state(id).window.committed() == 200);
    assertThat(sink.seqs()).hasSize(200).isSorted().doesNotHaveDuplicates();
  }

  @Test
  void aStallingOutputHoldsTheInputsPositionAndTheTaskWaitsForItsWindow() throws Exception {
    TestSink.State sink = TestSink.state(id);
    sink.holding = true;
    agent = start("""
        - task:
          - in.TestSource: {name: %1$s, batch: 10, total: 2000}
          - out.TestSink: {name: %1$s, window: 4}
        """.formatted(id));
    await().atMost(Duration.ofSeconds(10)).until(() -> sink.log.size() >= 4);
    // the window is full: the task waits, and nothing is acknowledged before the receipts come
    assertThat(TestSource.state(id).emitted).isLessThanOrEqualTo(50);
    assertThat(TestSource.state(id).window.committed()).isZero();
    sink.holding = false;
    await().atMost(Duration.ofSeconds(20)).until(() -> TestSource.state(id).window.committed() == 2000);
  }

  @Test
  void aTaskThatCannotStartRestartsAndDoesNotStopTheOthers() throws Exception {
    TestSource.state(id + "-bad").failOnStart = true;
    agent = start("""
        - task:
          - in.TestSource: {name: %1$s-bad, total: 10}
          - out.TestSink: {name: %1$s-bad}
        - task:
          - in.TestSource: {name: %1$s-good, total: 100}
          - out.TestSink: {name: %1$s-good}
        """.formatted(id));
    await().atMost(Duration.ofSeconds(20)).until(() -> TestSink.state(id + "-good").received.size() == 100);
    assertThat(agent.tasks().get(0).state()).isIn("restarting", "starting");
    await().atMost(Duration.ofSeconds(20)).until(() -> agent.tasks().get(0).restarts() >= 1);
    assertThat(agent.tasks().get(1).restarts()).isZero();
    TestSource.state(id + "-bad").failOnStart = false; // the cause goes away: the task recovers on its own
    await().atMost(Duration.ofSeconds(20)).until(() -> TestSink.state(id + "-bad").received.size() == 10);
  }

  @Test
  void aProcessorThatFailsOnABatchDropsOnlyThatBatchWithACount() throws Exception {
    agent = start("""
        - task:
          - in.TestSource: {name: %1$s, batch: 10, total: 100}
          - test.Exploder: {bad: 55}
          - out.TestSink: {name: %1$s}
        """.formatted(id));
    TestSink.State sink = TestSink.state(id);
    await().atMost(Duration.ofSeconds(20)).until(() -> TestSource.state(id).window.committed() == 100);
    assertThat(sink.seqs()).hasSize(90).doesNotContain(51L, 55L, 60L).contains(50L, 61L);
    var counters = agent.tasks().get(0).counters().get(1).snapshot();
    assertThat(counters.get("dropped")).isEqualTo(10);
    assertThat(counters.get("errors")).isEqualTo(1);
  }
}
