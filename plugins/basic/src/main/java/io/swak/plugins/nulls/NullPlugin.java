package io.swak.plugins.nulls;

import io.swak.api.Batch;
import io.swak.api.Output;
import io.swak.api.Plugin;
import io.swak.api.StepContext;

/** {@code out.Null}: counts events and bytes, sends them nowhere (for benchmarks and tests). */
public final class NullPlugin extends Plugin<NullPlugin.Options> {

  /** out.Null has no options. */
  public record Options() { }

  public NullPlugin() {
    super("out.Null", "Counts events and drops them (for benchmarks).", Options.class, o -> new Null(), "out.Discard");
  }

  static final class Null implements Output {
    private StepContext context;

    @Override
    public void start(StepContext ctx) {
      this.context = ctx;
    }

    @Override
    public void write(Batch batch) {
    }
  }
}
