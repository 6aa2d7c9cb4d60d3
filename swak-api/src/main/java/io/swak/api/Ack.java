package io.swak.api;

import java.util.List;

/**
 * Acknowledgement handle carried by every {@link Batch}. It is completed exactly when the batch is
 * durably accepted: delivered by the last step of its task, or written and synced to a disk buffer.
 * An input advances its checkpoint only through acknowledgements (see {@link AckWindow}).
 *
 * <p>Nothing is signalled on failure: whoever holds the batch retries, spills it to disk or hands it
 * to a dead-letter output, and a batch that is never acknowledged is read again after a restart.
 */
@FunctionalInterface
public interface Ack {

  /** Marks the batch as durably accepted. Implementations tolerate being called more than once. */
  void done();

  /** For batches nobody waits for (generated data, replayed chunks whose file is deleted later). */
  Ack NONE = () -> { };

  /** One acknowledgement that completes all of {@code acks}: used when batches are merged into a chunk. */
  static Ack all(List<Ack> acks) {
    if (acks.isEmpty()) {
      return NONE;
    }
    if (acks.size() == 1) {
      return acks.get(0);
    }
    Ack[] copy = acks.toArray(new Ack[0]);
    return () -> {
      for (Ack a : copy) {
        a.done();
      }
    };
  }
}
