package io.swak.core.runtime;

import io.swak.api.Ack;
import io.swak.api.Batch;
import io.swak.api.Stage;
import io.swak.support.condition.Condition;
import io.swak.support.condition.Selection;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A step with {@code when:} or {@code match:}: it runs only for the events its condition takes; the others go past
 * it unchanged. A processor or buffer gets the batch cut into runs of consecutive events with the same answer, so
 * the events it does not take keep their place in the stream; an output (which passes on what it sends) sends the
 * events it takes while the whole batch goes on, as outputs in a row copy the stream. The batch's ack is split so
 * it completes when every part is done. An event the condition cannot be evaluated on (a missing field, a type
 * mismatch) is not taken, counted as {@code condition_errors} and logged at most every 10 s.
 */
final class ConditionalStage implements Stage {

  private static final Logger LOG = LoggerFactory.getLogger("swak.condition");

  private final Stage stage;
  private final Condition condition;
  private final StepCounters counters;
  private final String where;
  /** An output: it sends what it takes, and everything goes on. */
  private final boolean tee;
  private final io.swak.support.WarnEvery warnEvery = io.swak.support.WarnEvery.tenSeconds();
  private static final Emitter DONE = b -> b.ack().done();

  ConditionalStage(Stage stage, Condition condition, StepCounters counters, String where) {
    this.stage = stage;
    this.condition = condition;
    this.counters = counters;
    this.where = where;
    this.tee = stage instanceof Delivery;
  }

  /** The step itself. */
  Stage inner() {
    return stage;
  }

  @Override
  public void connect(Emitter next) {
    stage.connect(tee ? DONE : next);
  }

  @Override
  public void accept(Batch batch, Emitter next) throws Exception {
    if (batch.isEmpty()) {
      // periodic empty batches keep their meaning for every step (a buffer's timer, an output's idle check)
      stage.accept(batch, next);
      return;
    }
    Selection sel = Selection.of(batch);
    Selection.Result r = sel.test(condition);
    if (r.errors > 0) {
      counters.count("condition_errors", r.errors);
      if (warnEvery.due()) {
        LOG.warn("{}: {} events taken as not matching: {}", where, r.errors, condition.lastError());
      }
    }
    int skipped = batch.count() - r.taken;
    if (skipped > 0) {
      counters.count("condition_skipped", skipped);
    }
    if (tee) {
      if (r.none()) {
        next.emit(batch);
        return;
      }
      Ack[] parts = Ack.split(batch.ack(), 2);
      stage.accept(sel.pick(r, true, parts[0]), DONE);
      next.emit(batch.withAck(parts[1]));
      return;
    }
    for (Selection.Run run : sel.runs(r)) {
      if (run.taken()) {
        stage.accept(run.events(), next);
      } else {
        next.emit(run.events());
      }
    }
  }

  @Override
  public void close() throws Exception {
    stage.close();
  }
}
