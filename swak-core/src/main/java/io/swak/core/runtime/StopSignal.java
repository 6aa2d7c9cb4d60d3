package io.swak.core.runtime;

import java.time.Duration;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

/** Raised once to ask a task to stop; every wait in a task is cut short by it. */
final class StopSignal {

  private final CountDownLatch latch = new CountDownLatch(1);

  void raise() {
    latch.countDown();
  }

  boolean raised() {
    return latch.getCount() == 0;
  }

  /** Waits {@code d} unless the signal is raised first; returns false when it was. */
  boolean sleep(Duration d) {
    try {
      return !latch.await(d.toNanos(), TimeUnit.NANOSECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return false;
    }
  }
}
