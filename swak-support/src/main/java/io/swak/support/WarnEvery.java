package io.swak.support;

import java.time.Duration;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.LongSupplier;

/**
 * When a warning may be logged again: at most once a period, for the whole or per kind, so a flood of bad input is
 * one log line every ten seconds while the counters have every event. Safe for several threads (network threads of
 * one input): of calls at the same moment, one is told yes. Time comes from a nanosecond clock a test can step.
 */
public final class WarnEvery {

  private static final long NEVER = Long.MIN_VALUE;

  private final long periodNanos;
  private final LongSupplier nanoTime;
  private final AtomicLong last = new AtomicLong(NEVER);
  private final ConcurrentHashMap<String, AtomicLong> lastByKind = new ConcurrentHashMap<>();

  public WarnEvery(Duration period, LongSupplier nanoTime) {
    if (period.isNegative() || period.isZero()) {
      throw new IllegalArgumentException("the period of a warning must be positive, got " + period);
    }
    this.periodNanos = period.toNanos();
    this.nanoTime = nanoTime;
  }

  /** Once every ten seconds on the system's monotonic clock: what Swak's steps and inputs use. */
  public static WarnEvery tenSeconds() {
    return new WarnEvery(Duration.ofSeconds(10), System::nanoTime);
  }

  /** True when no warning was let through in the last period (and notes that this one is). */
  public boolean due() {
    return due(last);
  }

  /** The same for warnings of one kind, each kind on its own. */
  public boolean due(String kind) {
    return due(lastByKind.computeIfAbsent(kind, k -> new AtomicLong(NEVER)));
  }

  private boolean due(AtomicLong at) {
    long now = nanoTime.getAsLong();
    long before = at.get();
    return (before == NEVER || now - before >= periodNanos) && at.compareAndSet(before, now);
  }
}
