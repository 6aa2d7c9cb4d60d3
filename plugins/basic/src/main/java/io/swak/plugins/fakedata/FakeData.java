package io.swak.plugins.fakedata;

import io.swak.api.Ack;
import io.swak.api.Batch;
import io.swak.api.BatchBuilder;
import io.swak.api.Input;
import io.swak.api.StepContext;
import io.swak.support.Pacer;
import java.time.Duration;
import java.util.Locale;
import java.util.Random;

/** Makes {@code count} events per poll, paced by {@code rate} or {@code schedule} when set. */
final class FakeData implements Input {

  private final FakeDataPlugin.Options options;
  private final String tag;
  private final BatchBuilder builder = new BatchBuilder();
  private final Generator generator;
  private StepContext context;
  private long made;
  private long nextDueNanos;
  /** The fire times of `schedule`, or null. */
  private Pacer pacer;

  FakeData(FakeDataPlugin.Options options) {
    this.options = options;
    this.tag = options.tag() != null ? options.tag() : "fake." + options.type().name().toLowerCase(Locale.ROOT);
    Random random = options.seed() != null ? new Random(options.seed()) : new Random();
    this.generator = Generator.of(options.type(), options.locale(), random);
  }

  @Override
  public void start(StepContext ctx) {
    this.context = ctx;
    this.nextDueNanos = System.nanoTime();
    if (options.schedule() != null) {
      pacer = new Pacer(null, options.schedule(), options.scheduleTimeZone(), ctx.clock());
    }
  }

  @Override
  public Batch poll(Duration maxWait) {
    long n = options.count();
    if (pacer != null) {
      if (!pacer.await(context, maxWait)) {
        return null;
      }
      pacer.done();
    }
    if (options.rate() > 0) {
      n = Math.max(n, (long) (options.rate() / 100)); // about 10 ms of events per batch
      long wait = nextDueNanos - System.nanoTime();
      if (wait > 0 && !context.sleep(Duration.ofNanos(Math.min(wait, maxWait.toNanos())))) {
        return null;
      }
      if (nextDueNanos - System.nanoTime() > 0) {
        return null;
      }
      nextDueNanos += (long) (n * 1e9 / options.rate());
    }
    if (options.total() > 0) {
      n = Math.min(n, options.total() - made);
      if (n <= 0) {
        context.sleep(maxWait);
        return null;
      }
    }
    long t = context.nowNanos();
    for (long i = 0; i < n; i++) {
      generator.add(builder, t);
    }
    made += n;
    return builder.build(tag, Ack.NONE);
  }
}
