package io.swak.core.runtime;

import io.swak.api.Batch;
import io.swak.api.Output;
import io.swak.api.Stage;
import io.swak.api.StepContext;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Runs an {@link Output} with retries: a batch that fails to write is written again after a backoff
 * until it is delivered or the task stops (then it stays unacknowledged and is read again after a
 * restart). Only the task that owns the output waits; other tasks go on.
 */
final class RetryingOutput implements Stage {

  private static final Logger LOG = LoggerFactory.getLogger("swak.output");

  private final Output output;
  private final String where;
  private final RetryPolicy policy;
  private StepContext context;

  RetryingOutput(Output output, String where, RetryPolicy policy) {
    this.output = output;
    this.where = where;
    this.policy = policy;
  }

  @Override
  public void start(StepContext ctx) throws Exception {
    this.context = ctx;
    output.start(ctx);
  }

  @Override
  public void accept(Batch batch, Emitter next) throws Exception {
    if (!batch.isEmpty()) {
      int attempt = 0;
      while (true) {
        try {
          output.write(batch);
          if (attempt > 0) {
            LOG.info("{}: delivered after {} retries", where, attempt);
          }
          break;
        } catch (TaskStoppedException e) {
          throw e;
        } catch (Exception e) {
          attempt++;
          context.metrics().errors(1);
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
    next.emit(batch);
  }

  @Override
  public void close() throws Exception {
    output.close();
  }
}
