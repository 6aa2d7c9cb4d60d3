package io.swak.core.testing;

import io.swak.api.Batch;
import io.swak.api.Event;
import io.swak.api.Option;
import io.swak.api.Plugin;
import io.swak.api.Processor;

/** {@code test.Exploder}: a processor with a bug: it throws on any batch holding event number {@code bad}. */
public final class Exploder implements Processor {

  /** Options of test.Exploder. */
  public record Options(@Option(value = "Event number that makes it throw.", required = true) long bad) { }

  /** Registration. */
  public static final class P extends Plugin<Options> {
    public P() {
      super("test.Exploder", "test processor", Options.class, o -> new Exploder(o.bad()));
    }
  }

  private final long bad;

  Exploder(long bad) {
    this.bad = bad;
  }

  @Override
  public Batch process(Batch batch) {
    for (Event e : batch.events()) {
      if (((Number) e.record().get("seq")).longValue() == bad) {
        throw new IllegalStateException("cannot handle event " + bad);
      }
    }
    return batch;
  }
}
