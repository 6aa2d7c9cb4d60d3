package io.swak.core.testing;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.swak.api.Event;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * What every input must do, shown through the real runtime: the input under test reads events numbered 1, 2,
 * 3… from a source the test feeds, and {@code out.TestSink} (windowed, so acknowledgements come later, from
 * another thread) receives them and can hold its acknowledgements back.
 *
 * <ul>
 *   <li>every event arrives, once, in the source's order, and every batch carries an acknowledgement;</li>
 *   <li>the position advances only over acknowledged batches: a restart before any acknowledgement reads
 *       everything again;</li>
 *   <li>a restart resumes after the last acknowledged batch: nothing acknowledged is read twice.</li>
 * </ul>
 * The position cases apply to inputs that keep positions (files, tables); inputs whose senders resend
 * (network servers) show instead that a sender's acknowledgement waits for delivery.
 */
public abstract class InputContract extends AgentTestBase {

  /** Where the input under test reads from, fed by the test. */
  public interface Source extends AutoCloseable {

    /** The input step as YAML, e.g. {@code in.FileTail: {path: "/tmp/x/*.log", read_from_head: true}}. */
    String step();

    /** Makes the events numbered {@code from} to {@code from + n - 1} available to the input. */
    void produce(long from, int n) throws Exception;

    /** The number an event carries: by default its {@code seq} field, or the number in its {@code message}. */
    default long seqOf(Event e) {
      Object seq = e.record().get("seq");
      if (seq instanceof Number n) {
        return n.longValue();
      }
      String m = String.valueOf(e.record().get("message"));
      return Long.parseLong(m.replaceAll("\\D+", " ").trim().split(" ")[0]);
    }

    /** True when the input resumes from positions of its own after a restart. */
    boolean keepsPositions();

    @Override
    default void close() throws Exception { }
  }

  /** How long a case waits for what it expects; the suites' own tests of broken plugins wait less. */
  protected Duration patience() {
    return Duration.ofSeconds(30);
  }

  /** A fresh source for one test; {@code dir} is the test's temporary directory. */
  protected abstract Source source(Path dir) throws Exception;

  private final List<Source> opened = new ArrayList<>();

  private Source open() throws Exception {
    Source s = source(dir);
    opened.add(s);
    return s;
  }

  @AfterEach
  void closeSources() throws Exception {
    if (agent != null) {
      agent.stop();
      agent = null;
    }
    for (Source s : opened) {
      s.close();
    }
  }

  private String config(Source s) {
    return """
        - task:
          - %s
          - out.TestSink: {name: %s, window: 4}
        """.formatted(s.step().strip(), id);
  }

  private TestSink.State sink() {
    return TestSink.state(id);
  }

  private List<Long> received(Source s) {
    return sink().received.stream().map(s::seqOf).toList();
  }

  private void restart(Source s) throws Exception {
    agent.stop();
    start(config(s));
  }

  @Test
  void everyEventArrivesOnceInTheSourcesOrder() throws Exception {
    Source s = open();
    start(config(s));
    s.produce(1, 500);
    await().atMost(patience()).until(() -> sink().received.size() >= 500);
    assertThat(received(s)).containsExactlyElementsOf(OutputContract.range(1, 500));
  }

  @Test
  void thePositionAdvancesOnlyOverAcknowledgedBatches() throws Exception {
    Source s = open();
    assumeTrue(s.keepsPositions(), "this input's senders resend; it keeps no positions");
    sink().holding = true; // nothing the input emits is acknowledged
    start(config(s));
    s.produce(1, 300);
    await().atMost(patience()).until(() -> !sink().log.isEmpty());
    agent.stop();
    sink().holding = false;
    sink().received.clear();
    start(config(s));
    // nothing was acknowledged, so nothing may be skipped after the restart
    await().atMost(patience()).until(() -> sink().received.size() >= 300);
    assertThat(received(s)).containsExactlyElementsOf(OutputContract.range(1, 300));
  }

  @Test
  void aRestartResumesAfterTheLastAcknowledgedBatch() throws Exception {
    Source s = open();
    assumeTrue(s.keepsPositions(), "this input's senders resend; it keeps no positions");
    start(config(s));
    s.produce(1, 200);
    await().atMost(patience()).until(() -> sink().received.size() >= 200);
    restart(s); // a stop saves the positions of what was acknowledged
    s.produce(201, 100);
    await().atMost(patience()).until(() -> sink().received.size() >= 300);
    assertThat(received(s)).as("nothing acknowledged is read twice").containsExactlyElementsOf(
        OutputContract.range(1, 300));
  }
}
