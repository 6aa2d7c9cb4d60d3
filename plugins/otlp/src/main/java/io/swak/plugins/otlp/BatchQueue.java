package io.swak.plugins.otlp;

import io.swak.api.Batch;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.List;

/**
 * Batches between the network threads and the task thread, bounded in bytes. A request whose batches do not fit
 * is refused whole (its client is told to retry later): the backlog stays with the senders, not in this heap.
 */
final class BatchQueue {

  private final long limit;
  private final ArrayDeque<Batch> batches = new ArrayDeque<>();
  private long bytes;
  private boolean closed;

  BatchQueue(long limit) {
    this.limit = limit;
  }

  /** Outcome of {@link #offerAll}. */
  enum Offer { TAKEN, FULL, CLOSED }

  /**
   * Adds all of {@code add} or none. A request larger than the limit still enters an empty queue, so a big request
   * is slow, not refused for ever.
   */
  synchronized Offer offerAll(List<Batch> add) {
    if (closed) {
      return Offer.CLOSED;
    }
    long n = 0;
    for (Batch b : add) {
      n += b.length();
    }
    if (!batches.isEmpty() && bytes + n > limit) {
      return Offer.FULL;
    }
    batches.addAll(add);
    bytes += n;
    notifyAll();
    return Offer.TAKEN;
  }

  synchronized Batch poll(Duration maxWait) throws InterruptedException {
    long deadline = System.nanoTime() + maxWait.toNanos();
    while (batches.isEmpty()) {
      long left = deadline - System.nanoTime();
      if (left <= 0 || closed) {
        return null;
      }
      wait(Math.max(1, left / 1_000_000));
    }
    Batch b = batches.pollFirst();
    bytes -= b.length();
    return b;
  }

  synchronized long bytes() {
    return bytes;
  }

  /** Refuses what comes later and forgets what waits (never acknowledged: its senders are told to send again). */
  synchronized int close() {
    closed = true;
    int n = batches.size();
    batches.clear();
    bytes = 0;
    notifyAll();
    return n;
  }
}
