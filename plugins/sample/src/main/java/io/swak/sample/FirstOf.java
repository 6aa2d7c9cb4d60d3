package io.swak.sample;

import io.swak.api.Batch;
import io.swak.api.NestedStep;
import io.swak.api.Output;
import io.swak.api.StepContext;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;

/**
 * Sends each batch to the first of its outputs that takes it — a failover in a page, written against swak-api
 * alone: the nested outputs are opened through the step context (so each keeps its own window and counters),
 * and retries, order after a loss and dead letters come from the runtime, as for any output.
 */
final class FirstOf implements Output {

  private final FirstOfPlugin.Options options;
  private final List<Output> outputs = new ArrayList<>();

  FirstOf(FirstOfPlugin.Options options) {
    this.options = options;
  }

  @Override
  public void start(StepContext ctx) throws Exception {
    for (NestedStep s : options.outputs()) {
      outputs.add(ctx.open(s, Output.class));
    }
  }

  @Override
  public int window() {
    return outputs.stream().mapToInt(Output::window).max().orElse(1);
  }

  @Override
  public void send(Batch batch, Receipt receipt) throws Exception {
    List<String> failures = new ArrayList<>();
    for (Output o : outputs) {
      try {
        o.send(batch, receipt); // its receipt settles ours; a later failure is sent again by the runtime
        return;
      } catch (Exception e) {
        failures.add(e.getMessage());
      }
    }
    throw new IOException("no output took the batch: " + String.join("; ", failures));
  }

  @Override
  public void close() throws Exception {
    for (Output o : outputs) {
      o.close();
    }
  }
}
