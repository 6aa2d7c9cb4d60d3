package io.swak.api;

/**
 * A stage that sends batches somewhere and passes them on unchanged, so outputs in a row copy the
 * stream. {@link #write} throws when the batch was not delivered; the runtime retries it with
 * backoff (or a {@code failover} step moves to the next output), so an output never retries itself
 * and never drops data silently.
 */
public interface Output extends Stage {

  void write(Batch batch) throws Exception;

  /** Empty batches are not written. */
  @Override
  default void accept(Batch batch, Emitter next) throws Exception {
    if (!batch.isEmpty()) {
      write(batch);
    }
    next.emit(batch);
  }
}
