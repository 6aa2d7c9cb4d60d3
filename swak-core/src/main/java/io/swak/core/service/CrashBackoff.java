package io.swak.core.service;

import java.time.Duration;

/**
 * When to restart a crashed worker: after 1 s, doubling while it keeps crashing soon after start, up to
 * a limit; a run longer than {@code fastCrash} counts as healthy and resets the count. After
 * {@code maxFastCrashes} fast crashes in a row the supervisor gives up: restarting a worker that cannot
 * stay up only fills the log.
 */
final class CrashBackoff {

  private final Duration first;
  private final Duration max;
  private final Duration fastCrash;
  private final int maxFastCrashes;
  private int fastCrashes;

  CrashBackoff(Duration first, Duration max, Duration fastCrash, int maxFastCrashes) {
    this.first = first;
    this.max = max;
    this.fastCrash = fastCrash;
    this.maxFastCrashes = maxFastCrashes;
  }

  static CrashBackoff defaults() {
    return new CrashBackoff(Duration.ofSeconds(1), Duration.ofSeconds(30), Duration.ofSeconds(30), 5);
  }

  /** The wait before the next start of a worker that crashed after running {@code ran}, or null to give up. */
  Duration afterCrash(Duration ran) {
    if (ran.compareTo(fastCrash) >= 0) {
      fastCrashes = 0;
    }
    fastCrashes++;
    if (fastCrashes > maxFastCrashes) {
      return null;
    }
    long ms = first.toMillis() << Math.min(fastCrashes - 1, 20);
    return Duration.ofMillis(Math.min(ms, max.toMillis()));
  }

  int fastCrashes() {
    return fastCrashes;
  }

  int maxFastCrashes() {
    return maxFastCrashes;
  }

  Duration fastCrash() {
    return fastCrash;
  }
}
