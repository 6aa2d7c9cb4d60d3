package io.swak.plugins.syslog;

import io.swak.api.Batch;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;

/**
 * Batches between the network threads and the task thread, bounded in bytes. A producer whose offer
 * is refused stops reading its socket and registers to be called back when space frees up, so memory
 * does not grow with the backlog: the backlog stays in the senders' buffers.
 */
final class BatchQueue {

  private final long limit;
  private final ArrayDeque<Batch> batches = new ArrayDeque<>();
  private final List<Runnable> waiting = new ArrayList<>();
  private long bytes;

  BatchQueue(long limit) {
    this.limit = limit;
  }

  /** Adds the batch unless the queue is full; a batch larger than the limit still enters an empty queue. */
  synchronized boolean offer(Batch b) {
    if (!batches.isEmpty() && bytes + b.length() > limit) {
      return false;
    }
    batches.addLast(b);
    bytes += b.length();
    notifyAll();
    return true;
  }

  /** Runs {@code r} after the next batch leaves the queue (at once if it is empty), to offer again. */
  void whenSpace(Runnable r) {
    synchronized (this) {
      if (!batches.isEmpty()) {
        waiting.add(r);
        return;
      }
    }
    r.run();
  }

  Batch poll(Duration maxWait) throws InterruptedException {
    Batch b;
    List<Runnable> wake = null;
    synchronized (this) {
      long deadline = System.nanoTime() + maxWait.toNanos();
      while (batches.isEmpty()) {
        long left = deadline - System.nanoTime();
        if (left <= 0) {
          return null;
        }
        wait(Math.max(1, left / 1_000_000));
      }
      b = batches.pollFirst();
      bytes -= b.length();
      if (!waiting.isEmpty()) {
        wake = new ArrayList<>(waiting);
        waiting.clear();
      }
    }
    if (wake != null) {
      wake.forEach(Runnable::run);
    }
    return b;
  }

  synchronized long bytes() {
    return bytes;
  }
}
