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
    while (true) {
      long u = used.get();
      if (u + n > limit && u > 0) {
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
