package io.swak.support;

import io.swak.api.StepContext;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;

/**
 * When a polling input looks next: after its {@code interval}, or at the fire times of its {@code schedule}
 * (which wins when both are set), on the step's clock ({@link StepContext#clock()}, so tests control time).
 * in.MySQLTail, in.Exec and in.FakeData pace themselves with it.
 *
 * <p>A look that takes longer than the gap to the next fire time does not make up for the fire times it
 * missed: the next look is the first fire time after it ended (as cron does with a job still running).
 * Used by the task thread only.
 */
public final class Pacer {

  private final Duration interval;
  private final Schedule schedule;
  private final ZoneId zone;
  private final Clock clock;
  private Instant due;

  /**
   * @param interval the gap between looks when there is no schedule (may be null with a schedule)
   * @param schedule the fire times, or null
   * @param zone the time zone of the schedule's fields, null for the system's
   */
  public Pacer(Duration interval, Schedule schedule, ZoneId zone, Clock clock) {
    if (interval == null && schedule == null) {
      throw new IllegalArgumentException("a pacer needs an interval or a schedule");
    }
    this.interval = interval;
    this.schedule = schedule;
    this.zone = zone != null ? zone : ZoneId.systemDefault();
    this.clock = clock;
    Instant now = clock.instant();
    this.due = schedule == null ? now : schedule.next(now, this.zone);
  }

  /** When the next look is due. */
  public Instant due() {
    return due;
  }

  /** True when the next look is due now. */
  public boolean isDue() {
    return !clock.instant().isBefore(due);
  }

  /**
   * Waits until the next look is due, at most {@code maxWait}, cut short when the task stops.
   *
   * @return true when it is due now
   */
  public boolean await(StepContext ctx, Duration maxWait) {
    Duration left = Duration.between(clock.instant(), due);
    if (left.isNegative() || left.isZero()) {
      return true;
    }
    ctx.sleep(left.compareTo(maxWait) < 0 ? left : maxWait);
    return isDue();
  }

  /** A look ended: the next one comes after the interval, or at the schedule's next fire time. */
  public void done() {
    Instant now = clock.instant();
    if (schedule == null) {
      due = now.plus(interval);
    } else {
      due = schedule.next(now.isAfter(due) ? now : due, zone);
    }
  }

  /** The next look comes at once (the last one found a full batch: more is waiting). */
  public void now() {
    due = clock.instant();
  }

  /** The next look comes after {@code wait} whatever the schedule says (a backoff after a failure). */
  public void after(Duration wait) {
    due = clock.instant().plus(wait);
  }

  /** The schedule, for log lines: "every 1s" or the cron line. */
  @Override
  public String toString() {
    return schedule != null ? "on schedule " + schedule + " (" + zone + ")"
        : "every " + io.swak.api.Durations.format(interval);
  }
}
