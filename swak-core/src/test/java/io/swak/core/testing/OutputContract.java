package io.swak.core.testing;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * What every output must do, shown through the real runtime (JCTools' QueueSanityTest, Vector's component
 * spec): {@code in.TestSource} numbers events {@code seq} 1, 2, 3… and keeps an acknowledgement window, the
 * output under test delivers them to a destination the test reads and breaks. A subclass says how to point
 * the output at such a destination; each new output's module runs this suite.
 *
 * <ul>
 *   <li>it delivers every event, in order, and its counters say so;</li>
 *   <li>a failure is retried: nothing is lost and nothing acknowledged before it was delivered;</li>
 *   <li>a permanent rejection goes to the dead-letter file, counted;</li>
 *   <li>a stop leaves nothing acknowledged that the destination does not have.</li>
 * </ul>
 * Duplicates are allowed where at-least-once allows them (a batch sent again after a failure that came
 * after the destination had it); lost or reordered first arrivals are not.
 */
public abstract class OutputContract extends AgentTestBase {

  /** A destination the output under test delivers to, which the test can read and break. */
  public interface Destination extends AutoCloseable {

    /** The output step as YAML, e.g. {@code out.File: {path: "/tmp/x/out.log"}}. */
    String step();

    /** The {@code seq} of every event the destination has, in arrival order; null when it cannot be read. */
    List<Long> received() throws Exception;

    /** Makes deliveries fail until {@link #repair}; false when this destination cannot be broken. */
    default boolean breakDown() throws Exception {
      return false;
    }

    default void repair() throws Exception { }

    /** Makes the destination refuse every batch for good; false when it cannot. */
    default boolean rejectAll() throws Exception {
      return false;
    }

    @Override
    default void close() throws Exception { }
  }

  /** How long a case waits for what it expects; the suites' own tests of broken plugins wait less. */
  protected Duration patience() {
    return Duration.ofSeconds(30);
  }

  /** A fresh destination for one test; {@code dir} is the test's temporary directory. */
  protected abstract Destination destination(Path dir) throws Exception;

  private Destination open() throws Exception {
    Destination d = destination(dir);
    opened.add(d);
    return d;
  }

  private final List<Destination> opened = new ArrayList<>();

  @org.junit.jupiter.api.AfterEach
  void closeDestinations() throws Exception {
    if (agent != null) {
      agent.stop();
      agent = null;
    }
    for (Destination d : opened) {
      d.close();
    }
  }

  private String config(Destination d, long total, String delivery) {
    String step = d.step().strip();
    if (!delivery.isEmpty()) {
      // the runtime's retry options go beside the output's own: `out.X: {…, retry_wait: …}`
      int brace = step.lastIndexOf('}');
      step = brace > 0 ? step.substring(0, brace).stripTrailing() + (step.substring(0, brace).strip().endsWith("{")
          ? "" : ", ") + delivery + "}" : step + ": {" + delivery + "}";
    }
    return """
        - task:
          - in.TestSource: {name: %s, batch: 50, total: %d}
          - %s
        """.formatted(id, total, step);
  }

  private Map<String, Long> outputCounters() {
    return agent.tasks().get(0).counters().get(1).snapshot();
  }

  private TestSource.State source() {
    return TestSource.state(id);
  }

  @Test
  void deliversEveryEventInOrderAndCountsThem() throws Exception {
    Destination d = open();
    start(config(d, 3000, ""));
    await().atMost(patience()).until(() -> source().window.committed() == 3000);
    List<Long> got = d.received();
    if (got != null) {
      await().atMost(patience()).until(() -> d.received().size() >= 3000);
      assertThat(d.received()).as("what the destination has").containsExactlyElementsOf(range(1, 3000));
    }
    Map<String, Long> c = outputCounters();
    assertThat(c.get("events_out")).as("events_out").isEqualTo(3000);
    assertThat(c.get("bytes_out")).as("bytes_out").isPositive();
    assertThat(c.get("errors")).as("errors").isZero();
    assertThat(c.get("retries")).as("retries").isZero();
  }

  @Test
  void aFailureIsRetriedAndNothingIsLostOrAcknowledgedBeforeItWasDelivered() throws Exception {
    Destination d = open();
    assumeTrue(d.breakDown(), "this destination cannot be broken");
    start(config(d, 1000, "retry_wait: 20ms, retry_max_wait: 100ms"));
    await().atMost(patience()).until(() -> outputCounters().get("errors") >= 3);
    long committedWhileDown = source().window.committed();
    List<Long> whileDown = d.received();
    if (whileDown != null) {
      // what was acknowledged while the destination was down had reached it before it broke
      assertThat(whileDown).as("received while down").containsAll(range(1, committedWhileDown));
    }
    d.repair();
    await().atMost(patience()).until(() -> source().window.committed() == 1000);
    assertThat(outputCounters().get("retries")).as("retries").isPositive();
    List<Long> got = d.received();
    if (got != null) {
      await().atMost(patience()).until(() -> new LinkedHashSet<>(d.received()).size() >= 1000);
      List<Long> first = new ArrayList<>(new LinkedHashSet<>(d.received()));
      assertThat(first).as("first arrivals: none lost, none reordered").containsExactlyElementsOf(range(1, 1000));
    }
  }

  @Test
  void aPermanentRejectionGoesToTheDeadLetterFileAndIsCounted() throws Exception {
    Destination d = open();
    assumeTrue(d.rejectAll(), "this destination cannot reject");
    start(config(d, 200, "dead_letter_path: \"${DIR}/dead.jsonl\""));
    Path dead = dir.resolve("dead.jsonl");
    await().atMost(patience()).until(() -> source().window.committed() == 200);
    await().atMost(patience()).until(() -> Files.exists(dead) && Files.readAllLines(dead).size() == 200);
    assertThat(Files.readAllLines(dead)).allSatisfy(l -> assertThat(l).contains("\"seq\":").contains("\"reason\":"));
    // not retried for ever: given up on at once (an output made of outputs may first try the others)
    assertThat(outputCounters().get("dead_lettered")).isEqualTo(200);
  }

  @Test
  void aStopLeavesNothingAcknowledgedThatTheDestinationDoesNotHave() throws Exception {
    Destination d = open();
    start(config(d, 100_000, ""));
    await().atMost(patience()).until(() -> source().window.committed() >= 500);
    agent.stop();
    agent = null;
    long committed = source().window.committed();
    List<Long> got = d.received();
    if (got != null) {
      assertThat(new LinkedHashSet<>(got)).as("acknowledged means delivered").containsAll(range(1, committed));
    }
  }

  static List<Long> range(long from, long to) {
    List<Long> out = new ArrayList<>();
    for (long i = from; i <= to; i++) {
      out.add(i);
    }
    return out;
  }
}
