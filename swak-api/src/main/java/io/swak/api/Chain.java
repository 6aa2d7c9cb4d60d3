package io.swak.api;

/**
 * Steps configured in a step's options and opened as a chain of their own, as a task's steps after its input are
 * (see {@link StepContext#openChain}): a route's branch. Each output in it has the runtime's delivery (its window,
 * retries, dead letters and counters), each buffer its own threads, and the steps' counters appear nested under
 * the step that opened it.
 */
public interface Chain extends AutoCloseable {

  /**
   * Runs {@code batch} through the chain's first step on the calling thread. Its ack completes when the chain is
   * done with it: delivered by the last output, made durable by a buffer, or dropped by a filter — or never, when
   * the chain cannot take it (then the input reads it again after a restart). Throws what the chain's steps throw
   * that the runtime does not handle itself (a failing output without a buffer before it: the task restarts).
   */
  void emit(Batch batch) throws Exception;

  /** Closes the steps in order, so buffers flush into outputs that are still open. */
  @Override
  void close();
}
