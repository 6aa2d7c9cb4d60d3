package io.swak.api;

import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;

/** What the runtime gives a step: where it is, a clock, the data directory, stop signalling, metrics. */
public interface StepContext {

  /** Name of the task, e.g. {@code task 1} or the name set in the config. */
  String taskName();

  /** Name of the step as written in the config, e.g. {@code in.FileTail}. */
  String stepName();

  /** The agent's data directory; steps keep their state below it unless told otherwise. */
  Path dataDir();

  /** Injected so tests control time. */
  Clock clock();

  /** The clock's time as nanoseconds since the epoch, the time events carry. */
  default long nowNanos() {
    return Event.epochNanos(clock().instant());
  }

  /** True once the task has been asked to stop. */
  boolean stopping();

  /**
   * Waits for {@code d} or until the task stops, whichever is first.
   *
   * @return false if the wait was cut short by a stop
   */
  boolean sleep(Duration d);

  /** Metrics of this step. */
  StepMetrics metrics();
}
