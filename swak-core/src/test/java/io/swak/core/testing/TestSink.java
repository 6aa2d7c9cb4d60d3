package io.swak.core.testing;

import io.swak.api.Batch;
import io.swak.api.Event;
import io.swak.api.Option;
import io.swak.api.Output;
import io.swak.api.PermanentFailure;
import io.swak.api.Plugin;
import java.io.IOException;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * {@code out.TestSink}: a destination a test controls: it can be down ({@code failing}), reject
 * batches for good ({@code rejecting}), and it records what it received and in which batches.
 */
public final class TestSink implements Output {

  /** The state of one named sink. */
  public static final class State {
    public volatile boolean failing;
    public volatile boolean rejecting;
    public final AtomicInteger failures = new AtomicInteger();
    public final List<Event> received = new CopyOnWriteArrayList<>();
    public final List<Integer> batchSizes = new CopyOnWriteArrayList<>();

    public List<Long> seqs() {
      return received.stream().map(e -> ((Number) e.record().get("seq")).longValue()).toList();
    }
  }

  public static final Map<String, State> STATES = new ConcurrentHashMap<>();

  public static State state(String name) {
    return STATES.computeIfAbsent(name, k -> new State());
  }

  /** Options of out.TestSink. */
  public record Options(@Option(value = "Name to find the state by.", required = true) String name) { }

  /** Registration. */
  public static final class P extends Plugin<Options> {
    public P() {
      super("out.TestSink", "test output", Options.class, o -> new TestSink(state(o.name())));
    }
  }

  private final State state;

  TestSink(State state) {
    this.state = state;
  }

  @Override
  public void write(Batch batch) throws Exception {
    if (state.rejecting) {
      throw new PermanentFailure("sink rejects everything");
    }
    if (state.failing) {
      state.failures.incrementAndGet();
      throw new IOException("sink is down");
    }
    state.received.addAll(batch.events());
    state.batchSizes.add(batch.count());
  }
}
