package io.swak.core.plugins.forward;

import io.swak.api.StepContext;
import io.swak.api.StepMetrics;
import io.swak.core.runtime.StepCounters;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

/** A step context for plugins run directly by tests. */
final class TestContext implements StepContext {

  final StepCounters counters = new StepCounters();
  private final CountDownLatch stop = new CountDownLatch(1);

  long count(String name) {
    return counters.snapshot().getOrDefault(name, 0L);
  }

  void stop() {
    stop.countDown();
  }

  @Override
  public String taskName() {
    return "test";
  }

  @Override
  public String stepName() {
    return "test";
  }

  @Override
  public Path dataDir() {
    return Path.of(System.getProperty("java.io.tmpdir"));
  }

  @Override
  public Clock clock() {
    return Clock.systemUTC();
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
