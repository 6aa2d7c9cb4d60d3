package io.swak.core.runtime;

import io.swak.api.Batch;
import io.swak.api.Output;
import java.util.List;

/**
 * An output opened by another step ({@code StepContext.open}: failover's outputs, out.FirstOf's): what {@link Delivery}
 * counts for a task's outputs — events in, events and bytes delivered, errors — counted on the nested step's own
 * counters, which /api/status, /metrics and the dashboard show under the step that opened it. Retries stay the outer
 * step's: its Delivery sends the batch again.
 */
final class CountedOutput implements Output {

  private final Output output;
  private final StepCounters counters;

  CountedOutput(Output output, StepCounters counters) {
    this.output = output;
    this.counters = counters;
  }

  @Override
  public int window() {
    return output.window();
  }

  @Override
  public String atMostOnce() {
    return output.atMostOnce();
  }

  @Override
  public void send(Batch batch, Receipt receipt) throws Exception {
    counters.eventsIn(batch.count());
    try {
      output.send(batch, new Counted(batch, receipt));
    } catch (Exception | Error e) {
      counters.errors(1);
      throw e;
    }
  }

  @Override
  public void write(Batch batch) throws Exception {
    throw new UnsupportedOperationException("nested outputs are sent to"); // send() never calls it
  }

  @Override
  public void close() throws Exception {
    output.close();
  }

  private final class Counted implements Receipt {
    private final Batch batch;
    private final Receipt outer;

    Counted(Batch batch, Receipt outer) {
      this.batch = batch;
      this.outer = outer;
    }

    @Override
    public void delivered() {
      counters.eventsOut(batch.count());
      counters.bytesOut(batch.length());
      outer.delivered();
    }

    @Override
    public void failed(String reason) {
      counters.errors(1);
      outer.failed(reason);
    }

    @Override
    public void failed(String reason, java.time.Duration retryAfter) {
      counters.errors(1);
      outer.failed(reason, retryAfter);
    }

    @Override
    public void rejected(String reason) {
      counters.errors(1);
      outer.rejected(reason);
    }

    @Override
    public void partly(Part again, List<Part> refused) {
      counters.errors(1);
      long events = batch.count() - (again == null ? 0 : again.entries().count());
      long bytes = batch.length() - (again == null ? 0 : again.entries().length());
      for (Part p : refused) {
        events -= p.entries().count();
        bytes -= p.entries().length();
      }
      counters.eventsOut(Math.max(0, events));
      counters.bytesOut(Math.max(0, bytes));
      outer.partly(again, refused);
    }
  }
}
