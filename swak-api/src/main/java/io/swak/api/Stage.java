package io.swak.api;

/**
 * Any step after the input. A stage receives each batch and decides what goes on: the same batch,
 * a changed one, several, or none (then it must complete the batch's ack itself, or hold it until
 * the data is safe, as buffers do). Most plugins implement {@link Processor} or {@link Output}.
 */
public interface Stage extends Step {

  void accept(Batch batch, Emitter next) throws Exception;

  /**
   * Called once before the first batch with the rest of the task, for stages that emit on their
   * own threads (buffers deliver chunks left from the last run before any new batch arrives).
   */
  default void connect(Emitter next) { }

  /** The rest of the task after a stage. */
  @FunctionalInterface
  interface Emitter {
    void emit(Batch batch) throws Exception;
  }
}
