package io.swak.core.testing;

import io.swak.api.NestedStep;
import io.swak.api.Positions;
import io.swak.api.Step;
import io.swak.api.StepContext;
import io.swak.api.StepMetrics;
import io.swak.core.config.StepConfig;
import io.swak.core.runtime.PositionStore;
import io.swak.core.runtime.StepCounters;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.time.Clock;
import java.time.Duration;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

/**
 * A step context for plugins run directly by tests: counters to read, a stop to raise, the runtime's
 * real position store (closed, and so saved, by {@link #closeStores}) and nested steps.
 */
public final class TestContext implements StepContext {

  private final List<PositionStore> stores = new ArrayList<>();

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

  @Override
  public <S extends Step> S open(NestedStep step, Class<S> type) throws Exception {
    Step s = ((StepConfig) step).create();
    if (!type.isInstance(s)) {
      throw new IllegalArgumentException(step.where() + ": not a " + type.getSimpleName());
    }
    s.start(new TestContext(dataDir, clock, taskName, step.name()));
    return type.cast(s);
  }

  @Override
  public Positions positions() throws IOException {
    return positions(null);
  }

  /** {@code dir} null: {@code <data>/positions/<step>}. */
  @Override
  public Positions positions(Path dir) throws IOException {
    PositionStore s = PositionStore.open(dir != null ? dir : dataDir.resolve("positions").resolve(stepName), null);
    s.start();
    stores.add(s);
    return s;
  }

  /** Saves and releases the position stores, as the runtime does after a step closed. */
  public void closeStores() {
    stores.forEach(PositionStore::close);
    stores.clear();
  }
}
