package io.swak.core.testing;

import io.swak.api.StepContext;
import io.swak.api.StepMetrics;
import io.swak.core.runtime.StepCounters;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

/** A step context for plugins run directly by tests: counters to read, a stop to raise. */
public final class TestContext implements StepContext {

  public final StepCounters counters = new StepCounters();
  private final CountDownLatch stop = new CountDownLatch(1);
  private final Path dataDir;
  private final Clock clock;
  private final String taskName;
  private final String stepName;

  /** Data in the temp directory, the system clock, task and step "test". */
  public TestContext() {
    this(Path.of(System.getProperty("java.io.tmpdir")), Clock.systemUTC(), "test", "test");
  }

  public TestContext(Path dataDir, Clock clock, String taskName, String stepName) {
    this.dataDir = dataDir;
    this.clock = clock;
    this.taskName = taskName;
    this.stepName = stepName;
  }

  /** A counter's value, 0 when never counted. */
  public long count(String name) {
    return counters.snapshot().getOrDefault(name, 0L);
  }

  public void stop() {
    stop.countDown();
  }

  @Override
  public String taskName() {
    return taskName;
  }

  @Override
  public String stepName() {
    return stepName;
  }

  @Override
  public Path dataDir() {
    return dataDir;
  }

  @Override
  public Clock clock() {
    return clock;
  }

  @Override
  public boolean stopping() {
    return stop.getCount() == 0;
  }

  @Override
  public boolean sleep(Duration d) {
    try {
      return !stop.await(d.toNanos(), TimeUnit.NANOSECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return false;
    }
  }

  @Override
  public StepMetrics metrics() {
    return counters;
  }
}
