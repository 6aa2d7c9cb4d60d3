package io.swak.core.testing;

import io.swak.api.Batch;
import io.swak.api.Event;
import io.swak.api.Option;
import io.swak.api.Output;
import io.swak.api.PermanentFailure;
import io.swak.api.Plugin;
import io.swak.api.StepContext;
import java.io.IOException;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * {@code out.TestSink}: a destination a test controls: it can be down ({@code failing}), reject
 * batches for good ({@code rejecting}), and it records what it received and in which batches.
 *
 * <p>With {@code window} above 1 it settles receipts later, on a thread of its own, in the order the
 * batches were sent — like a server's acknowledgements. {@code breakAfter} makes that server lose a
 * "connection": the batch after that many deliveries and every one sent behind it fail, until the
 * first of them is sent again (a stream that only takes batches in order). The first failure is told
 * during the next send, so a test can see exactly what the runtime sent once it knew.
 */
public final class TestSink implements Output {

  /** The state of one named sink. */
  public static final class State {
    public volatile boolean failing;
    public volatile boolean rejecting;
    /** Receipts are settled only while this is false (an output whose acknowledgements stall). */
    public volatile boolean holding;
    public final AtomicInteger failures = new AtomicInteger();
    public final List<Event> received = new CopyOnWriteArrayList<>();
    public final List<Integer> batchSizes = new CopyOnWriteArrayList<>();
    /** First seq of every batch sent, in the order send was called, and "fail N" when one failed. */
    public final List<String> log = new CopyOnWriteArrayList<>();
    /** Breaks the "connection" after this many more deliveries (-1: never). */
    public final AtomicInteger breakAfter = new AtomicInteger(-1);
    /** While broken, the seq the stream waits for: batches starting elsewhere fail. */
    volatile long waitingFor = -1;
    /** The receipt of the batch the connection broke at, failed at the next send. */
    final java.util.concurrent.atomic.AtomicReference<Receipt> brokenAt = new java.util.concurrent.atomic.AtomicReference<>();

    public List<Long> seqs() {
      return received.stream().map(e -> ((Number) e.record().get("seq")).longValue()).toList();
    }
  }

  public static final Map<String, State> STATES = new ConcurrentHashMap<>();

  public static State state(String name) {
    return STATES.computeIfAbsent(name, k -> new State());
  }

  /** Options of out.TestSink. */
  public record Options(
      @Option(value = "Name to find the state by.", required = true) String name,
      @Option(value = "Batches on their way at once; above 1 receipts are settled on the sink's thread.",
          defaultValue = "1") int window) { }

  /** Registration. */
  public static final class P extends Plugin<Options> {
    public P() {
      super("out.TestSink", "test output", Options.class, o -> new TestSink(state(o.name()), o.window()));
    }
  }

  private final State state;
  private final int window;
  private ExecutorService acks;
  private final java.util.concurrent.ScheduledExecutorService tellLater =
      Executors.newSingleThreadScheduledExecutor(r -> {
        Thread t = new Thread(r, "test-sink-break");
        t.setDaemon(true);
        return t;
      });

  TestSink(State state, int window) {
    this.state = state;
    this.window = window;
  }

  @Override
  public void start(StepContext ctx) {
    if (window > 1) {
      acks = Executors.newSingleThreadExecutor(r -> {
        Thread t = new Thread(r, "test-sink-acks");
        t.setDaemon(true);
        return t;
      });
    }
  }

  @Override
  public int window() {
    return window;
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
    record(batch);
  }

  private void record(Batch batch) {
    state.received.addAll(batch.events());
    state.batchSizes.add(batch.count());
  }

  @Override
  public void send(Batch batch, Receipt receipt) throws Exception {
    if (acks == null) {
      write(batch);
      receipt.delivered();
      return;
    }
    long first = firstSeq(batch);
    state.log.add(String.valueOf(first));
    Receipt broken = state.brokenAt.getAndSet(null);
    if (broken != null) {
      long at = state.waitingFor;
      broken.failed("the connection broke");
      state.log.add("fail " + at); // after this line, the runtime knows
    }
    acks.execute(() -> settle(batch, first, receipt));
  }

  private void settle(Batch batch, long first, Receipt receipt) {
    while (state.holding) {
      try {
        Thread.sleep(5); // a test's stall; released by the test
      } catch (InterruptedException e) {
        return;
      }
    }
    if (state.rejecting) {
      receipt.rejected("sink rejects everything");
      return;
    }
    boolean broken = state.waitingFor >= 0 && first != state.waitingFor;
    if (!broken && state.breakAfter.getAndUpdate(n -> n >= 0 ? n - 1 : n) == 0) {
      state.waitingFor = first;
      state.failures.incrementAndGet();
      state.brokenAt.set(receipt); // told during the next send, or below if none comes (a full window)
      tellLater.schedule(() -> {
        Receipt r = state.brokenAt.getAndSet(null);
        if (r != null) {
          r.failed("the connection broke");
          state.log.add("fail " + first);
        }
      }, 200, TimeUnit.MILLISECONDS);
      return;
    }
    if (state.failing || broken) {
      state.failures.incrementAndGet();
      state.log.add("fail " + first);
      receipt.failed(state.failing ? "sink is down" : "the connection broke");
      return;
    }
    if (state.waitingFor == first) {
      state.waitingFor = -1;
    }
    record(batch);
    receipt.delivered();
  }

  private static long firstSeq(Batch batch) {
    Object s = batch.events().get(0).record().get("seq");
    return s instanceof Number n ? n.longValue() : -1;
  }

  @Override
  public void close() {
    tellLater.shutdownNow();
    if (acks != null) {
      acks.shutdownNow();
      try {
        acks.awaitTermination(5, TimeUnit.SECONDS);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    }
  }
}
