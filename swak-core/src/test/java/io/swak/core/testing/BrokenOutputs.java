package io.swak.core.testing;

import io.swak.api.Batch;
import io.swak.api.Option;
import io.swak.api.Output;
import io.swak.api.Plugin;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Outputs with the bugs the contract suites exist to catch, and the suite run against them
 * ({@code OutputContractCanFailTest} runs it and expects it to fail): one that says delivered for every
 * seventh batch without keeping it, one that keeps batches in the wrong order.
 */
public final class BrokenOutputs {

  private BrokenOutputs() { }

  /** Options of out.Broken. */
  public record Options(
      @Option(value = "Name of the TestSink state it writes to.", required = true) String name,
      @Option(value = "loses or reorders", required = true) String bug) { }

  /** {@code out.Broken}. */
  public static final class P extends Plugin<Options> {
    public P() {
      super("out.Broken", "test output with a bug", Options.class, o -> new Broken(TestSink.state(o.name()), o.bug()));
    }
  }

  static final class Broken implements Output {
    private final TestSink.State state;
    private final String bug;
    private final AtomicInteger n = new AtomicInteger();
    private Batch held;

    Broken(TestSink.State state, String bug) {
      this.state = state;
      this.bug = bug;
    }

    @Override
    public void write(Batch batch) {
      int i = n.incrementAndGet();
      if (bug.equals("loses") && i % 7 == 0) {
        return; // "delivered", but gone
      }
      if (bug.equals("reorders") && i % 2 == 1) {
        held = batch; // kept back, written after the next one
        return;
      }
      state.received.addAll(batch.events());
      if (held != null) {
        state.received.addAll(held.events());
        held = null;
      }
    }
  }

  /** The output contract against out.Broken; not run by the build (no Test in its name). */
  public abstract static class Contract extends OutputContract {
    @Override
    protected java.time.Duration patience() {
      return java.time.Duration.ofSeconds(4);
    }

    abstract String bug();

    @Override
    protected Destination destination(Path dir) {
      TestSink.State s = TestSink.state(id + "-broken");
      return new Destination() {
        @Override
        public String step() {
          return "out.Broken: {name: " + id + "-broken, bug: " + bug() + "}";
        }

        @Override
        public List<Long> received() {
          return s.seqs();
        }
      };
    }
  }

  /** Loses every seventh batch. */
  public static final class Losing extends Contract {
    @Override
    String bug() {
      return "loses";
    }
  }

  /** Swaps batches in pairs. */
  public static final class Reordering extends Contract {
    @Override
    String bug() {
      return "reorders";
    }
  }
}
