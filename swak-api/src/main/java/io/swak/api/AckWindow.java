package io.swak.api;

import java.util.ArrayDeque;

/**
 * The window of batches an input has emitted but that are not yet acknowledged, in emission order.
 * {@link #committed()} is the end position of the longest acknowledged prefix: a batch acknowledged
 * out of order never moves it past an earlier batch that is still in flight.
 *
 * <p>Positions are whatever the input counts in (file offset, row key); they must grow with each
 * {@link #add}. Thread-safe: batches are acknowledged from buffer flushers and output threads.
 */
public final class AckWindow {

  private final ArrayDeque<Entry> pending = new ArrayDeque<>();
  private final Runnable onAdvance;
  private long committed;

  /** Starts with {@code committed} as the position already saved. */
  public AckWindow(long committed) {
    this(committed, null);
  }

  /**
   * The same, calling {@code onAdvance} (outside the window's lock, on the thread of the ack) each
   * time {@link #committed()} moves — e.g. {@link Positions.Position#changed}.
   */
  public AckWindow(long committed, Runnable onAdvance) {
    this.committed = committed;
    this.onAdvance = onAdvance;
  }

  /** Registers a batch that ends at {@code endPosition}; the returned ack completes it. */
  public synchronized Ack add(long endPosition) {
    Entry e = new Entry(endPosition);
    pending.addLast(e);
    return e;
  }

  /** End position of the acknowledged prefix. */
  public synchronized long committed() {
    return committed;
  }

  /** Number of batches still waiting for their acknowledgement. */
  public synchronized int inFlight() {
    return pending.size();
  }

  /** Forgets everything in flight and restarts from {@code position} (the file was truncated or replaced). */
  public void reset(long position) {
    synchronized (this) {
      for (Entry e : pending) {
        e.orphaned = true;
      }
      pending.clear();
      committed = position;
    }
    if (onAdvance != null) {
      onAdvance.run();
    }
  }

  private void complete(Entry e) {
    boolean advanced = false;
    synchronized (this) {
      if (e.orphaned || e.acked) {
        return;
      }
      e.acked = true;
      while (!pending.isEmpty() && pending.peekFirst().acked) {
        committed = pending.pollFirst().end;
        advanced = true;
      }
    }
    if (advanced && onAdvance != null) {
      onAdvance.run();
    }
  }

  private final class Entry implements Ack {
    final long end;
    boolean acked;
    boolean orphaned;

    Entry(long end) {
      this.end = end;
    }

    @Override
    public void done() {
      complete(this);
    }
  }
}
