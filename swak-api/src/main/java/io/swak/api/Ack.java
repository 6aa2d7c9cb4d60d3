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

  /**
   * Splits {@code whole} into {@code parts} acknowledgements that complete it once every one of them is done
   * (each may be called more than once): for a step that sends the events of one batch different ways, such as
   * a condition (matching events through the step, the others past it) or a route (a part per branch).
   */
  static Ack[] split(Ack whole, int parts) {
    if (parts < 1) {
      throw new IllegalArgumentException("parts must be at least 1, got " + parts);
    }
    Ack[] out = new Ack[parts];
    if (parts == 1) {
      out[0] = whole;
      return out;
    }
    java.util.concurrent.atomic.AtomicInteger left = new java.util.concurrent.atomic.AtomicInteger(parts);
    for (int i = 0; i < parts; i++) {
      java.util.concurrent.atomic.AtomicBoolean once = new java.util.concurrent.atomic.AtomicBoolean();
      out[i] = () -> {
        if (once.compareAndSet(false, true) && left.decrementAndGet() == 0) {
          whole.done();
        }
      };
    }
    return out;
  }

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
