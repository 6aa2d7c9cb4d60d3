package io.swak.plugins.otlp;

import java.util.concurrent.atomic.AtomicLong;

/**
 * Bytes of request bodies held at once, all connections together: bodies being received and decoded. A request
 * that would pass the limit is answered "retry later" instead of being read, so many slow or huge requests at once
 * cannot exhaust the heap.
 */
final class ByteBudget {

  private final long limit;
  private final AtomicLong used = new AtomicLong();

  ByteBudget(long limit) {
    this.limit = limit;
  }

  /** Takes {@code n} bytes, or nothing and false when they are not left. */
  boolean take(long n) {
    return take(n, 0);
  }

  /**
   * Takes {@code n} more bytes for a caller that already holds {@code mine}: past the limit only when nobody else
   * holds any, so one request larger than the limit is slow, not refused for ever.
   */
  boolean take(long n, long mine) {
    while (true) {
      long u = used.get();
      if (u + n > limit && u > mine) {
        return false;
      }
      if (used.compareAndSet(u, u + n)) {
        return true;
      }
    }
  }

  void give(long n) {
    used.addAndGet(-n);
  }

  long used() {
    return used.get();
  }
}
