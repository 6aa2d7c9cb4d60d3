package io.swak.plugins.exec;

import java.time.Duration;

/**
 * How long in.Exec (stream mode) and in.Journald wait before starting a program that exited: {@code first},
 * doubling after each quick exit up to {@code max}; a run that lasted longer than {@code max} starts the
 * doubling again. Used by the task thread only.
 */
final class RestartBackoff {

  private final Duration first;
  private final Duration max;
  private int quickExits;
  private long startedNanos = System.nanoTime();

  RestartBackoff(Duration first, Duration max) {
    this.first = first;
    this.max = max;
  }

  /** A run started now. */
  void started() {
    startedNanos = System.nanoTime();
  }

  /** The run exited (or could not start): the wait before the next start. */
  Duration next() {
    if (System.nanoTime() - startedNanos > max.toNanos()) {
      quickExits = 0;
    }
    Duration d = first.multipliedBy(1L << Math.min(quickExits, 20));
    quickExits++;
    return d.compareTo(max) > 0 ? max : d;
  }
}
