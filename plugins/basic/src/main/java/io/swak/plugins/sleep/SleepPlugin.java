package io.swak.plugins.sleep;

import io.swak.api.Batch;
import io.swak.api.Option;
import io.swak.api.Plugin;
import io.swak.api.Stage;
import io.swak.api.StepContext;
import java.time.Duration;

/** {@code sleep}: passes the batch on, then pauses the task, which makes its loop periodic. */
public final class SleepPlugin extends Plugin<SleepPlugin.Options> {

  /** Options of sleep; the given ones add up. */
  public record Options(
      @Option(value = "Seconds to pause (fractions allowed).", defaultValue = "0") double seconds,
      @Option(value = "Milliseconds to pause.", defaultValue = "0") long ms,
      @Option("Pause as a duration: 500ms, 5s, 1m.") Duration duration) {

    Duration total() {
      Duration d = Duration.ofNanos((long) (seconds * 1e9)).plusMillis(ms);
      return duration == null ? d : d.plus(duration);
    }
  }

  public SleepPlugin() {
    super("sleep", "Pauses the task after each batch: makes polling inputs periodic.", Options.class,
        o -> new Sleep(o.total()), "wait");
  }

  @Override
  public String validate(Options o) {
    if (o.seconds() < 0 || o.ms() < 0 || o.total().isNegative() || o.total().isZero()) {
      return "sleep needs a positive `seconds`, `ms` or `duration`, e.g. `- sleep: {seconds: 1}`";
    }
    return null;
  }

  static final class Sleep implements Stage {
    private final Duration pause;
    private StepContext context;

    Sleep(Duration pause) {
      this.pause = pause;
    }

    @Override
    public void start(StepContext ctx) {
      this.context = ctx;
    }

    @Override
    public void accept(Batch batch, Emitter next) throws Exception {
      next.emit(batch);
      context.sleep(pause);
    }
  }
}
