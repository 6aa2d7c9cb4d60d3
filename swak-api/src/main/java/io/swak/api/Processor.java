package io.swak.api;

/** A stage that maps a batch to a batch: parsers, filters, record changes. Runs on the task thread. */
public interface Processor extends Stage {

  /** The changed batch, or {@code null} to drop it (it is then acknowledged as consumed). */
  Batch process(Batch batch) throws Exception;

  @Override
  default void accept(Batch batch, Emitter next) throws Exception {
    Batch out = process(batch);
    if (out == null) {
      batch.ack().done();
    } else {
      next.emit(out);
    }
  }
}
