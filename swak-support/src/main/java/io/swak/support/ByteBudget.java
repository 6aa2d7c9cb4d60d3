package io.swak.support;

import java.util.concurrent.atomic.AtomicLong;

/**
 * Bytes an input holds at once for all its connections together (request bodies being received and decoded,
 * messages being assembled). A request or message that would pass the limit is refused ("retry later", or its
 * connection closed) instead of read, so many slow or huge ones at once cannot exhaust the heap.
 */
public final class ByteBudget {

  private final long limit;
  private final AtomicLong used = new AtomicLong();

  public ByteBudget(long limit) {
    this.limit = limit;
  }

  /** Takes {@code n} bytes, or nothing and false when they are not left. */
  public boolean take(long n) {
    return take(n, 0);
  }

  /**
   * Takes {@code n} more bytes for a caller that already holds {@code mine}: past the limit only when nobody else
   * holds any, so one request larger than the limit is slow, not refused for ever.
   */
  public boolean take(long n, long mine) {
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

  public void give(long n) {
    used.addAndGet(-n);
  }

  public long limit() {
    return limit;
  }

  public long used() {
    return used.get();
  }
}
