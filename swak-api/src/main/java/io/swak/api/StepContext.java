package io.swak.api;

import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;

/**
 * What the runtime gives a step: where it is, a clock, the data directory, stop signalling, metrics,
 * the steps nested in its options and the store of its positions.
 */
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

  /**
   * Creates and starts a step configured in this step's options (a {@link NestedStep}), as the type
   * the caller uses it as ({@link Output} for failover's outputs). The caller owns it: it hands it
   * batches and closes it. Its metrics appear under this step's in the status and metrics.
   *
   * @throws IllegalArgumentException when the step is not a {@code type}
   */
  default <S extends Step> S open(NestedStep step, Class<S> type) throws Exception {
    throw new UnsupportedOperationException("this context cannot open nested steps");
  }

  /**
   * Creates and starts {@code steps} (configured in this step's options as a list of {@link NestedStep}) as a chain
   * of their own, built as the runtime builds a task's steps: outputs behind the runtime's delivery, steps with
   * {@code when:} running only for their events. {@code label} names the chain in messages and in the status,
   * where its steps' counters appear under this step's. The caller owns it: it hands it batches and closes it.
   */
  default Chain openChain(String label, java.util.List<? extends NestedStep> steps) throws Exception {
    throw new UnsupportedOperationException("this context cannot open chains of steps");
  }

  /**
   * Appends {@code batch}'s events to the task's dead-letter file as JSON lines with {@code reason}, counted as
   * {@code dead_lettered} and dropped: for a step that gives events up on purpose (a parser's
   * {@code on_error: dead_letter}). Throws when they could not be written.
   */
  default void deadLetter(Batch batch, String reason) throws java.io.IOException {
    throw new UnsupportedOperationException("this context has no dead-letter file");
  }

  /**
   * The store of this input's positions, kept by the runtime below the data directory under the name
   * its plugin gives ({@link Plugin#positionSource}): what the input reads, not where it stands in the
   * config, so renaming or reordering tasks keeps them. The runtime closes it after the step.
   */
  default Positions positions() throws java.io.IOException {
    throw new UnsupportedOperationException("this context keeps no positions");
  }

  /** The same in a directory the configuration names (e.g. in.FileTail's {@code pos_dir}). */
  default Positions positions(Path directory) throws java.io.IOException {
    throw new UnsupportedOperationException("this context keeps no positions");
  }
}
