package io.swak.core.runtime;

import io.swak.api.StepContext;
import io.swak.api.StepMetrics;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;

/** The {@link StepContext} of one step of a running task. */
final class StepRuntime implements StepContext {

  private final String taskName;
  private final String stepName;
  private final Path dataDir;
  private final Clock clock;
  private final StopSignal stop;
  private final StepCounters counters;

  StepRuntime(String taskName, String stepName, Path dataDir, Clock clock, StopSignal stop, StepCounters counters) {
    this.taskName = taskName;
    this.stepName = stepName;
    this.dataDir = dataDir;
    this.clock = clock;
    this.stop = stop;
    this.counters = counters;
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
    return stop.raised();
  }

  @Override
  public boolean sleep(Duration d) {
    return stop.sleep(d);
  }

  @Override
  public StepMetrics metrics() {
    return counters;
  }
}
