package io.swak.plugins.metrics;

import io.swak.api.Ack;
import io.swak.api.Batch;
import io.swak.api.BatchBuilder;
import io.swak.api.Input;
import io.swak.api.StepContext;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * An input that takes a reading every {@code interval}: {@link #read} returns the events of one reading, each with
 * its tag (a batch has one tag, so they leave one batch per tag). The readings are aligned to the first one, so a
 * slow reading does not make the rhythm drift. Nothing is kept between runs: a reading is of now.
 */
abstract class PeriodicInput implements Input {

  private static final Logger LOG = LoggerFactory.getLogger("swak.metrics");

  /** One event of a reading. */
  record Reading(String tag, Map<String, Object> record) { }

  private final Duration interval;
  /** Key of this machine's name in every event, or null. */
  private final String hostKey;
  private final ArrayDeque<Batch> ready = new ArrayDeque<>();
  private final Map<String, String> lastProblem = new HashMap<>();
  protected StepContext context;
  private long dueNanos;

  PeriodicInput(Duration interval, String hostKey) {
    this.interval = interval;
    this.hostKey = hostKey == null || hostKey.isEmpty() ? null : hostKey;
  }

  @Override
  public void start(StepContext ctx) throws Exception {
    this.context = ctx;
    prepare();
    dueNanos = System.nanoTime() + interval.toNanos();
  }

  /** Checks the system and takes the first sample of what is reported as a difference. */
  abstract void prepare() throws Exception;

  /** The events of one reading. A part that fails is reported with {@link #problem} and left out. */
  abstract List<Reading> read();

  @Override
  public Batch poll(Duration maxWait) {
    if (!ready.isEmpty()) {
      return ready.poll();
    }
    long wait = dueNanos - System.nanoTime();
    if (wait > 0) {
      if (!context.sleep(Duration.ofNanos(Math.min(wait, maxWait.toNanos()))) || dueNanos - System.nanoTime() > 0) {
        return null;
      }
    }
    long now = System.nanoTime();
    dueNanos += interval.toNanos();
    if (dueNanos - now < 0) { // a reading took longer than the interval (or the task was held up): skip the lost turns
      dueNanos = now + interval.toNanos();
    }
    long t = context.nowNanos();
    Map<String, BatchBuilder> byTag = new java.util.LinkedHashMap<>();
    for (Reading r : read()) {
      Map<String, Object> record = r.record();
      if (hostKey != null) { // first, as Vector's host tag: which machine the figures are of
        record = new java.util.LinkedHashMap<>();
        record.put(hostKey, io.swak.support.HostName.of());
        record.putAll(r.record());
      }
      byTag.computeIfAbsent(r.tag(), k -> new BatchBuilder()).add(t, record);
    }
    byTag.forEach((tag, b) -> ready.add(b.build(tag, Ack.NONE)));
    Batch first = ready.poll();
    return first != null ? first : Batch.empty("metrics", Ack.NONE);
  }

  /**
   * A part of the reading failed (a file that cannot be read, text that is not what the kernel writes): counted as
   * an error and under {@code counter}, logged when it differs from the last problem of that part, so a part that
   * keeps failing does not fill the log; the other parts go on.
   */
  void problem(String part, String counter, Exception e) {
    context.metrics().errors(1);
    context.metrics().count(counter, 1);
    String m = e instanceof ProcFiles.BadProcText ? e.getMessage() : io.swak.support.FailureText.of(e);
    if (!m.equals(lastProblem.put(part, m))) {
      LOG.warn("{}: {} left out of this reading: {}", context.stepName(), part, m);
    }
  }

  /** The part worked again: its next problem is logged. */
  void fine(String part) {
    lastProblem.remove(part);
  }

  @Override
  public void close() { }
}
