package io.swak.support;

import io.swak.api.Batch;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;

/**
 * Batches between an input's network threads and its task thread, bounded in bytes (in.Forward, in.Tcp, in.Udp,
 * in.Syslog, in.OpenTelemetry). A producer whose offer is refused stops reading its socket and asks to be called
 * back when space frees up ({@link #whenSpace}), or refuses its client (a request answered "retry later"): the
 * backlog stays in the senders' buffers, not in this heap.
 */
public final class BatchQueue {

  /** Outcome of {@link #offerAll}. */
  public enum Offer { TAKEN, FULL, CLOSED }

  private final long limit;
  private final ArrayDeque<Batch> batches = new ArrayDeque<>();
  private final List<Runnable> waiting = new ArrayList<>();
  private long bytes;
  private boolean closed;

  public BatchQueue(long limit) {
    this.limit = limit;
  }

  /** Adds the batch if it fits; a batch larger than the limit still enters an empty queue (slow, not refused). */
  public synchronized boolean offer(Batch b) {
    if (closed || !batches.isEmpty() && bytes + b.length() > limit) {
      return false;
    }
    put(b);
    return true;
  }

  /** Adds all of {@code add} or none, as {@link #offer} does one batch. */
  public synchronized Offer offerAll(List<Batch> add) {
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

  /** Adds the batch whatever the queue holds: the last one of a connection that closed (nothing reads on). */
  public synchronized void put(Batch b) {
    batches.addLast(b);
    bytes += b.length();
    notifyAll();
  }

  /** True while the queue holds less than its limit: decoding the next batch is worth it. */
  public synchronized boolean hasRoom() {
    return batches.isEmpty() || bytes < limit;
  }

  /** Runs {@code r} after the next batch leaves the queue (at once if it is empty), to offer again. */
  public void whenSpace(Runnable r) {
    synchronized (this) {
      if (!batches.isEmpty()) {
        waiting.add(r);
        return;
      }
    }
    r.run();
  }

  /** The oldest batch, waiting up to {@code maxWait} for one; null after that, or once closed. */
  public Batch poll(Duration maxWait) throws InterruptedException {
    Batch b;
    List<Runnable> wake = null;
    synchronized (this) {
      long deadline = System.nanoTime() + maxWait.toNanos();
      while (batches.isEmpty()) {
        long left = deadline - System.nanoTime();
        if (left <= 0 || closed) {
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

  public synchronized long bytes() {
    return bytes;
  }

  /**
   * Refuses what comes later and forgets what waits (never acknowledged: its senders are told to send again);
   * the number of batches forgotten.
   */
  public synchronized int close() {
    closed = true;
    int n = batches.size();
    batches.clear();
    bytes = 0;
    notifyAll();
    return n;
  }
}
