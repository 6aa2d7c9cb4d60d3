package io.swak.core.runtime;

import io.swak.api.Batch;
import io.swak.api.Output;
import io.swak.api.PermanentFailure;
import io.swak.api.Stage;
import io.swak.api.StepContext;
import io.swak.core.config.DeliveryOptions;
import io.swak.core.format.LineFormat;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Runs an {@link Output} with retries: a batch that fails to write is written again after a backoff
 * until it is delivered, the task stops (then it stays unacknowledged and is read again after a
 * restart), or {@code retry_max_times} is reached. A batch given up on, or rejected with
 * {@link PermanentFailure}, goes to the dead-letter file — counted and logged, never silently lost —
 * and then on to the following steps. Only the task that owns the output waits.
 */
final class RetryingOutput implements Stage {

  private static final Logger LOG = LoggerFactory.getLogger("swak.output");

  private final Output output;
  private final String where;
  private final DeliveryOptions delivery;
  private final RetryPolicy policy;
  private StepContext context;

  RetryingOutput(Output output, String where, DeliveryOptions delivery) {
    this.output = output;
    this.where = where;
    this.delivery = delivery;
    this.policy = new RetryPolicy(delivery.retryWait(), delivery.retryMaxWait(), 0.2);
  }

  @Override
  public void start(StepContext ctx) throws Exception {
    this.context = ctx;
    output.start(ctx);
  }

  @Override
  public void accept(Batch batch, Emitter next) throws Exception {
    if (!batch.isEmpty()) {
      deliver(batch);
    }
    next.emit(batch);
  }

  private void deliver(Batch batch) throws IOException {
    int attempt = 0;
    while (true) {
      try {
        output.write(batch);
        if (attempt > 0) {
          LOG.info("{}: delivered {} events after {} retries", where, batch.count(), attempt);
        }
        return;
      } catch (TaskStoppedException e) {
        throw e;
      } catch (PermanentFailure e) {
        context.metrics().errors(1);
        deadLetter(batch, "rejected: " + e.getMessage());
        return;
      } catch (Exception e) {
        attempt++;
        context.metrics().errors(1);
        if (!delivery.forever() && attempt > delivery.retryMaxTimes()) {
          deadLetter(batch, "gave up after " + delivery.retryMaxTimes() + " retries: " + Tasks.message(e));
          return;
        }
        context.metrics().retries(1);
        var wait = policy.delay(attempt);
        LOG.warn("{}: {} events not delivered ({}); retry {} in {} ms", where, batch.count(), Tasks.message(e),
            attempt, wait.toMillis());
        if (!context.sleep(wait)) {
          throw new TaskStoppedException();
        }
      }
    }
  }

  private void deadLetter(Batch batch, String why) throws IOException {
    Path file = delivery.deadLetterPath() != null ? delivery.deadLetterPath()
        : context.dataDir().resolve("dead-letter").resolve(context.taskName().replaceAll("[^A-Za-z0-9._-]", "_")
            + ".jsonl");
    Files.createDirectories(file.toAbsolutePath().getParent());
    try (OutputStream out = Files.newOutputStream(file, StandardOpenOption.CREATE, StandardOpenOption.APPEND)) {
      new LineFormat(LineFormat.Kind.JSON, "message").write(batch, out);
    }
    context.metrics().dropped(batch.count());
    context.metrics().count("dead_lettered", batch.count());
    LOG.error("{}: {} events {}; written to dead-letter file {}", where, batch.count(), why, file);
  }

  @Override
  public void close() throws Exception {
    output.close();
  }
}
