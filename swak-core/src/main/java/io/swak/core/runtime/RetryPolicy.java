package io.swak.core.runtime;

import java.time.Duration;
import java.util.concurrent.ThreadLocalRandom;

/**
 * Exponential backoff with jitter: the n-th wait is {@code initial × 2^(n-1)}, capped at {@code max},
 * then spread by ±{@code jitter} so a fleet of agents does not retry in lockstep.
 */
public record RetryPolicy(Duration initial, Duration max, double jitter) {

  public static final RetryPolicy DEFAULT = new RetryPolicy(Duration.ofSeconds(1), Duration.ofSeconds(60), 0.2);

  /** The wait before retry number {@code attempt} (1-based). */
  public Duration delay(int attempt) {
    double base = initial.toNanos() * Math.pow(2, Math.min(attempt - 1, 40));
    double capped = Math.min(base, max.toNanos());
    double spread = capped * jitter * (ThreadLocalRandom.current().nextDouble() * 2 - 1);
    return Duration.ofNanos((long) Math.max(0, Math.min(capped + spread, max.toNanos())));
  }
}
