package io.swak.plugins.sleep;

import io.swak.api.Batch;
import io.swak.api.Option;
import io.swak.api.Plugin;
import io.swak.api.Stage;
import io.swak.api.StepContext;
import io.swak.support.Schedule;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;

/** {@code sleep}: passes the batch on, then pauses the task, which makes its loop periodic. */
public final class SleepPlugin extends Plugin<SleepPlugin.Options> {

  /** Options of sleep; the given ones add up. */
  public record Options(
      @Option(value = "Seconds to pause (fractions allowed).", defaultValue = "0") double seconds,
      @Option(value = "Milliseconds to pause.", defaultValue = "0") long ms,
      @Option("Pause as a duration: 500ms, 5s, 1m.") Duration duration,
      @Option("Pause until the next fire time of a cron schedule (5 fields, or 6 with seconds first), @hourly/@daily…, "
          + "or `N seconds` — the seed's AnyEvent::Cron — instead of for a fixed time.") Schedule schedule,
      @Option("Time zone of `schedule`. Default: the system's.") ZoneId scheduleTimeZone) {

    Duration total() {
      Duration d = Duration.ofNanos((long) (seconds * 1e9)).plusMillis(ms);
      return duration == null ? d : d.plus(duration);
    }
  }

  public SleepPlugin() {
    super("sleep", "Pauses the task after each batch: makes polling inputs periodic.", Options.class,
        o -> new Sleep(o.total(), o.schedule(), o.scheduleTimeZone()), "wait");
  }

  @Override
  public String validate(Options o) {
    if (o.schedule() != null) {
      return o.total().isZero() ? null : "sleep takes a `schedule` or a time to pause (`seconds`, `ms`, `duration`), "
          + "not both";
    }
    if (o.seconds() < 0 || o.ms() < 0 || o.total().isNegative() || o.total().isZero()) {
      return "sleep needs a positive `seconds`, `ms` or `duration`, or a `schedule`, e.g. `- sleep: {seconds: 1}`";
    }
    return null;
  }

  static final class Sleep implements Stage {
    private final Duration pause;
    private final Schedule schedule;
    private final ZoneId zone;
    private StepContext context;

    Sleep(Duration pause, Schedule schedule, ZoneId zone) {
      this.pause = pause;
      this.schedule = schedule;
      this.zone = zone != null ? zone : ZoneId.systemDefault();
    }

    @Override
    public void start(StepContext ctx) {
      this.context = ctx;
    }

    @Override
    public void accept(Batch batch, Emitter next) throws Exception {
      next.emit(batch);
      if (schedule == null) {
        context.sleep(pause);
        return;
      }
      Instant now = context.clock().instant();
      Instant due = schedule.next(now, zone);
      // a schedule that never fires again pauses until the stop; a long pause is cut short by it too
      context.sleep(due.equals(Instant.MAX) ? Duration.ofDays(365) : Duration.between(now, due));
    }
  }
}
