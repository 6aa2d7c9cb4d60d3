package io.swak.plugins.route;

import io.swak.api.Ack;
import io.swak.api.Batch;
import io.swak.api.Chain;
import io.swak.api.Stage;
import io.swak.api.StepContext;
import io.swak.support.WarnEvery;
import io.swak.support.condition.Condition;
import io.swak.support.condition.Selection;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The route step: each batch is tested against every branch's condition once per event (a tag-only condition once
 * per batch), and each branch that takes events gets them — in their order, as one batch — on the task thread, in
 * the order the branches are written, {@code else} last with the events no branch took. The batch's ack is split
 * into a part per branch that got events: the input's acknowledgement waits until every one of those branches is
 * done with them (delivered, or durable in the branch's buffer). A branch whose buffer is full makes the task wait
 * (overflow: block) or drops by its own overflow policy, so give each branch that may stall a buffer.
 */
final class Route implements Stage {

  private static final Logger LOG = LoggerFactory.getLogger("swak.route");

  private final RoutePlugin.Options options;
  private final List<String> names = new ArrayList<>();
  private final List<Condition> conditions = new ArrayList<>();
  private final List<Chain> chains = new ArrayList<>();
  private Chain otherwise;
  private StepContext context;
  private final WarnEvery warnEvery = WarnEvery.tenSeconds();

  Route(RoutePlugin.Options options) {
    this.options = options;
  }

  @Override
  public void start(StepContext ctx) throws Exception {
    this.context = ctx;
    try {
      for (Map.Entry<String, RoutePlugin.Branch> b : options.branches().entrySet()) {
        names.add(b.getKey());
        conditions.add(b.getValue().condition());
        chains.add(ctx.openChain(b.getKey(), b.getValue().steps()));
      }
      if (options.otherwise() != null && !options.otherwise().isEmpty()) {
        otherwise = ctx.openChain("else", options.otherwise());
      }
    } catch (Exception e) {
      close(); // the branches opened before the one that failed
      throw e;
    }
  }

  @Override
  public void accept(Batch batch, Emitter next) throws Exception {
    int n = chains.size();
    if (batch.isEmpty()) {
      // a periodic empty batch: every branch sees it, as a task's steps do
      Ack[] acks = Ack.split(batch.ack(), n + (otherwise == null ? 0 : 1));
      for (int i = 0; i < n; i++) {
        chains.get(i).emit(batch.withAck(acks[i]));
      }
      if (otherwise != null) {
        otherwise.emit(batch.withAck(acks[n]));
      }
      return;
    }
    Selection sel = Selection.of(batch);
    Selection.Result[] results = new Selection.Result[n];
    int parts = 0;
    int errors = 0;
    for (int i = 0; i < n; i++) {
      Condition c = conditions.get(i);
      results[i] = c == null ? sel.all() : sel.test(c);
      errors += results[i].errors;
      if (!results[i].none()) {
        parts++;
      }
    }
    if (errors > 0) {
      countErrors(errors);
    }
    Selection.Result rest = sel.noneOf(results);
    boolean toElse = otherwise != null && !rest.none();
    if (toElse) {
      parts++;
    } else if (!rest.none()) {
      context.metrics().count("unrouted", rest.taken);
      context.metrics().dropped(rest.taken);
    }
    if (parts == 0) {
      batch.ack().done();
      return;
    }
    Ack[] acks = Ack.split(batch.ack(), parts);
    int k = 0;
    for (int i = 0; i < n; i++) {
      if (!results[i].none()) {
        Batch part = sel.pick(results[i], true, acks[k++]);
        context.metrics().eventsOut(part.count());
        chains.get(i).emit(part);
      }
    }
    if (toElse) {
      Batch part = sel.pick(rest, true, acks[k]);
      context.metrics().eventsOut(part.count());
      otherwise.emit(part);
    }
  }

  private void countErrors(int errors) {
    context.metrics().count("condition_errors", errors);
    if (warnEvery.due()) {
      for (Condition c : conditions) {
        if (c != null && c.lastError() != null) {
          LOG.warn("{}, {}: {} events taken as not matching a branch: {}", context.taskName(), context.stepName(),
              errors, c.lastError());
          break;
        }
      }
    }
  }

  @Override
  public void close() {
    for (Chain c : chains) {
      c.close();
    }
    chains.clear();
    if (otherwise != null) {
      otherwise.close();
      otherwise = null;
    }
  }
}
