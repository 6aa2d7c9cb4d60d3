package io.swak.api;

/**
 * A step of a task: an {@link Input} first, then {@link Stage}s. Steps are created from their options
 * when the configuration loads, started before the first batch and closed when the task stops.
 */
public interface Step extends AutoCloseable {

  /** Opens what the step needs (files, sockets, threads). Failing here fails the task with a clear error. */
  default void start(StepContext context) throws Exception { }

  /** Releases everything; buffered data must be saved or delivered first (within the stop timeout). */
  @Override
  default void close() throws Exception { }
}
