package io.swak.sample;

import io.swak.api.Ack;
import io.swak.api.Batch;
import io.swak.api.BatchBuilder;
import io.swak.api.Input;
import io.swak.api.StepContext;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;

/** Order N lines, N counting from 1, {@code count} per poll. */
final class MyLogLines implements Input {

  private static final DateTimeFormatter DATE = DateTimeFormatter.ofPattern("yyyy-MM-dd HH:mm:ss.SSS")
      .withZone(ZoneOffset.UTC);
  private static final byte[] MESSAGE = BatchBuilder.key("message");
  private static final String[] LEVELS = {"INFO", "INFO", "INFO", "WARN", "ERROR"};

  private final MyLogLinesPlugin.Options options;
  private final BatchBuilder builder = new BatchBuilder();
  private StepContext context;
  private long made;

  MyLogLines(MyLogLinesPlugin.Options options) {
    this.options = options;
  }

  @Override
  public void start(StepContext ctx) {
    this.context = ctx;
  }

  @Override
  public Batch poll(Duration maxWait) {
    long n = options.count();
    if (options.total() > 0) {
      n = Math.min(n, options.total() - made);
      if (n <= 0) {
        context.sleep(maxWait);
        return null;
      }
    }
    Instant now = context.clock().instant();
    long t = now.getEpochSecond() * 1_000_000_000L + now.getNano();
    for (long i = 0; i < n; i++) {
      made++;
      String line = DATE.format(now) + " [" + LEVELS[(int) (made % LEVELS.length)] + "] (worker-" + made % 4
          + ") order " + made + ": shipped";
      byte[] b = line.getBytes(StandardCharsets.UTF_8);
      builder.addMessage(t, MESSAGE, b, 0, b.length);
    }
    return builder.build(options.tag(), Ack.NONE);
  }
}
