package io.swak.core.runtime;

import io.swak.api.Ack;
import io.swak.api.Batch;
import io.swak.api.BatchBuilder;
import io.swak.api.EntryReader;
import io.swak.api.Option;
import io.swak.api.Output;
import io.swak.api.Plugin;
import io.swak.api.StepContext;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;

/**
 * {@code out.PartialSink}: a destination that answers per entry, as a bulk API does. A test gives some
 * {@code seq}s a list of answers for their successive sends — {@code again} (send it again), {@code refuse}
 * (refused for good), {@code ok} — and entries without one (or past their list) arrive. With {@code window}
 * above 1 the answer comes on a thread of the sink's own, like a server's response.
 */
final class PartialSink implements Output {

  /** The state of one named sink. */
  static final class State {
    /** Answers per seq, taken one per send of that entry. */
    final Map<Long, Deque<String>> answers = new ConcurrentHashMap<>();
    /** Answers every send of that seq with {@code again} while this holds it (until the test removes it). */
    final Map<Long, Boolean> alwaysAgain = new ConcurrentHashMap<>();
    /** Every entry that arrived, in arrival order. */
    final List<Long> received = new CopyOnWriteArrayList<>();
    /** The seqs of every send, in the order send was called; "partly N" once the runtime was told about batch N. */
    final List<String> log = new CopyOnWriteArrayList<>();
    /** Accounts for one entry more than was sent: a broken output. */
    volatile boolean overcount;

    void answer(long seq, String... outcomes) {
      answers.put(seq, new ArrayDeque<>(List.of(outcomes)));
    }
  }

  static final Map<String, State> STATES = new ConcurrentHashMap<>();

  static State state(String name) {
    return STATES.computeIfAbsent(name, k -> new State());
  }

  /** Options of out.PartialSink. */
  record Options(
      @Option(value = "Name to find the state by.", required = true) String name,
      @Option(value = "Batches on their way at once.", defaultValue = "1") int window) { }

  /** Registration. */
  static final class P extends Plugin<Options> {
    P() {
      super("out.PartialSink", "test output answering per entry", Options.class,
          o -> new PartialSink(state(o.name()), o.window()));
    }
  }

  private final State state;
  private final int window;
  private ExecutorService answers;

  PartialSink(State state, int window) {
    this.state = state;
    this.window = window;
  }

  @Override
  public void start(StepContext ctx) {
    if (window > 1) {
      answers = Executors.newSingleThreadExecutor(r -> {
        Thread t = new Thread(r, "partial-sink-answers");
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
  public void send(Batch batch, Receipt receipt) throws Exception {
    List<long[]> entries = entries(batch); // {seq, start, end}
    state.log.add(entries.stream().map(e -> String.valueOf(e[0])).reduce((a, b) -> a + "," + b).orElse(""));
    if (answers == null) {
      settle(batch, entries, receipt);
    } else {
      answers.execute(() -> settle(batch, entries, receipt));
    }
  }

  private void settle(Batch batch, List<long[]> entries, Receipt receipt) {
    BatchBuilder again = new BatchBuilder();
    List<Part> refused = new ArrayList<>();
    for (long[] e : entries) {
      long seq = e[0];
      Deque<String> planned = state.answers.get(seq);
      String a = state.alwaysAgain.containsKey(seq) ? "again" : planned == null || planned.isEmpty() ? "ok"
          : planned.poll();
      switch (a) {
        case "again" -> again.addEntries(batch.data(), (int) e[1], (int) (e[2] - e[1]), 1);
        case "refuse" -> {
          BatchBuilder one = new BatchBuilder().addEntries(batch.data(), (int) e[1], (int) (e[2] - e[1]), 1);
          refused.add(new Part(one.build(batch.tag(), Ack.NONE), "400 bad_document", "seq " + seq + " is bad"));
        }
        default -> {
          if (!state.overcount) {
            state.received.add(seq);
          }
        }
      }
    }
    if (state.overcount) { // the whole batch refused, besides what the entries' answers said
      refused.add(new Part(batch, "400 bad_document", "everything is bad"));
      refused.add(new Part(batch, "400 bad_document", "everything is bad"));
    }
    if (again.count() == 0 && refused.isEmpty()) {
      receipt.delivered();
      return;
    }
    Part retry = again.count() == 0 ? null : new Part(again.build(batch.tag(), Ack.NONE), "429", "too many requests");
    receipt.partly(retry, refused);
    state.log.add("partly " + entries.get(0)[0]); // after this line, the runtime knows
  }

  private static List<long[]> entries(Batch batch) throws Exception {
    List<long[]> out = new ArrayList<>();
    try (EntryReader r = new EntryReader(batch.data(), 0, batch.length())) {
      long start = 0;
      while (r.hasNext()) {
        r.next();
        long seq = ((Number) r.record().get("seq")).longValue();
        long end = r.recordEnd();
        out.add(new long[] {seq, start, end});
        start = end;
      }
    }
    return out;
  }

  @Override
  public void close() throws InterruptedException {
    if (answers != null) {
      answers.shutdownNow();
      answers.awaitTermination(5, TimeUnit.SECONDS);
    }
  }
}
