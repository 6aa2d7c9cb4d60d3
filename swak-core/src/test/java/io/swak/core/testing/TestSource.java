package io.swak.core.testing;

import io.swak.api.AckWindow;
import io.swak.api.Batch;
import io.swak.api.BatchBuilder;
import io.swak.api.Input;
import io.swak.api.Option;
import io.swak.api.Plugin;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * {@code in.TestSource}: emits events numbered 1, 2, 3… ({@code {"seq": n}}) in batches and keeps an
 * {@link AckWindow}, so tests can see exactly what was acknowledged, as a file input's checkpoint would.
 * Its state outlives the step (keyed by name), like a checkpoint file would, so a restarted task
 * continues from the acknowledged position.
 */
public final class TestSource implements Input {

  /** The state of one named source. */
  public static final class State {
    public volatile AckWindow window = new AckWindow(0);
    public volatile long emitted;
    public volatile boolean failOnStart;
    /** Makes poll throw, as an input with a bug does: the task restarts. */
    public volatile boolean failOnPoll;
    /** Times the source was started (a task restart starts it again). */
    public volatile int starts;
  }

  public static final Map<String, State> STATES = new ConcurrentHashMap<>();

  public static State state(String name) {
    return STATES.computeIfAbsent(name, k -> new State());
  }

  /** Options of in.TestSource. */
  public record Options(
      @Option(value = "Name to find the state by.", required = true) String name,
      @Option(value = "Events per batch.", defaultValue = "10") int batch,
      @Option(value = "Total events.", defaultValue = "100") long total,
      @Option(value = "Bytes of padding per event.", defaultValue = "0") int pad,
      @Option(value = "Tag.", defaultValue = "test") String tag) { }

  /** Registration. */
  public static final class P extends Plugin<Options> {
    public P() {
      super("in.TestSource", "test input", Options.class, TestSource::new);
    }
  }

  private final Options o;
  private final State state;
  private final BatchBuilder builder = new BatchBuilder();
  private final String padding;
  private long next;

  TestSource(Options o) {
    this.o = o;
    this.state = state(o.name());
    this.padding = "x".repeat(o.pad());
  }

  private io.swak.api.StepContext context;

  @Override
  public void start(io.swak.api.StepContext ctx) {
    this.context = ctx;
    state.starts++;
    if (state.failOnStart) {
      throw new IllegalStateException("source " + o.name() + " cannot start");
    }
    // like a file input reopening at its checkpoint
    next = state.window.committed();
    state.window = new AckWindow(next);
  }

  @Override
  public Batch poll(Duration maxWait) {
    if (state.failOnPoll) {
      throw new IllegalStateException("source " + o.name() + " failed");
    }
    if (next >= o.total()) {
      context.sleep(maxWait); // nothing more to send: wait as an idle input does (a stop cuts it short)
      return null;
    }
    long end = Math.min(o.total(), next + o.batch());
    for (long i = next + 1; i <= end; i++) {
      Map<String, Object> r = new LinkedHashMap<>();
      r.put("seq", i);
      if (!padding.isEmpty()) {
        r.put("pad", padding);
      }
      builder.add(i, r);
    }
    next = end;
    state.emitted = end;
    return builder.build(o.tag(), state.window.add(end));
  }
}
