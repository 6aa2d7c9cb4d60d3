package io.swak.plugins.parse.step;

import io.swak.api.Ack;
import io.swak.api.Batch;
import io.swak.api.Stage;
import io.swak.api.StepContext;
import io.swak.support.RecordWriter;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A step that holds events back and lets them go later, on a timer, even when no batch arrives (multiline's open
 * groups, throttle's held excess): the way a buffer's flusher emits into the rest of the task.
 *
 * <p>Everything that touches what is held or calls the rest of the task runs under one lock, so the rest of the
 * task is never entered by two threads at once and events keep their order. Acknowledgements: each input batch is
 * a {@link Source} counting what still holds its events — its own pass through the step, plus one per event (or
 * group) held — and its ack completes when the last of them is delivered. A timer emission that fails is rethrown
 * by the next batch, which restarts the task: the events it held were never acknowledged, so the input reads
 * them again. At close what is held goes on into the rest of the task, which is still open.
 */
abstract class HoldingStage implements Stage {

  private static final Logger LOG = LoggerFactory.getLogger("swak.steps");

  /** An input batch's acknowledgement, completed when nothing holds its events any more. */
  static final class Source {
    private final Ack ack;
    private final AtomicInteger refs = new AtomicInteger(1);

    Source(Ack ack) {
      this.ack = ack;
    }

    /** One more thing holds events of this batch. */
    void hold() {
      refs.incrementAndGet();
    }

    void release() {
      if (refs.decrementAndGet() == 0) {
        ack.done();
      }
    }
  }

  /** Entries of one tag to emit, and the sources they release when delivered. */
  private static final class Out {
    final RecordWriter writer = new RecordWriter();
    final List<Source> releases = new ArrayList<>();
  }

  protected final Object lock = new Object();
  private final LinkedHashMap<String, Out> outs = new LinkedHashMap<>();
  private final long tickMillis;
  protected StepContext context;
  private Emitter downstream;
  private Thread timer;
  protected volatile boolean closing;
  private Exception timerFailure;

  HoldingStage(long tickMillis) {
    this.tickMillis = Math.max(5, Math.min(250, tickMillis));
  }

  /** Takes a batch's events: what goes on now into {@link #writer}, what is held with {@code source.hold()}. */
  protected abstract void take(Batch batch, Source source) throws Exception;

  /** Lets go of what is due at {@code nowNanos} (the timer, or an input's empty poll). */
  protected abstract void due(long nowNanos);

  /** Lets go of everything held (close). */
  protected abstract void releaseAll();

  /** True when nothing is held: the timer has nothing to look at. */
  protected abstract boolean idle();

  /** After a batch went on, on the task thread, with the lock held (throttle waits here while it is full). */
  protected void afterBatch() throws Exception { }

  /** The time the holding works by. */
  protected long now() {
    return System.nanoTime();
  }

  @Override
  public void start(StepContext ctx) throws Exception {
    this.context = ctx;
  }

  @Override
  public void connect(Emitter next) {
    this.downstream = next;
    timer = new Thread(this::timer, "swak-" + context.stepName() + "-" + context.taskName());
    timer.setDaemon(true);
    timer.start();
  }

  /** Where the entries of {@code tag} that go on at the end of this batch or timer round are written. */
  protected final RecordWriter writer(String tag) {
    return out(tag).writer;
  }

  /** Sources released when the entries of {@code tag} written in this round are delivered. */
  protected final List<Source> releases(String tag) {
    return out(tag).releases;
  }

  private Out out(String tag) {
    return outs.computeIfAbsent(tag, t -> new Out());
  }

  @Override
  public final void accept(Batch batch, Emitter next) throws Exception {
    if (timer == null) {
      connect(next); // a runtime that did not connect the step: the rest of the task is what it is given
    }
    synchronized (lock) {
      if (timerFailure != null) {
        Exception e = timerFailure;
        timerFailure = null;
        throw new IllegalStateException("emitting held events on the timer failed: " + e.getMessage()
            + "; the task restarts and the input reads them again", e);
      }
      if (batch.isEmpty()) { // an input's periodic poll: a chance to let go of what is due, on the task thread
        try {
          due(now());
          emitOuts(next);
        } finally {
          clearOuts();
        }
        next.emit(batch);
        return;
      }
      Source source = new Source(batch.ack());
      try {
        take(batch, source);
        releases(batch.tag()).add(source); // its own pass: done when what goes on now is delivered
        emitOuts(next);
      } finally {
        clearOuts();
      }
      afterBatch();
    }
  }

  /** Emits what the outs hold, a batch per tag; each batch's ack releases its sources once. */
  private void emitOuts(Emitter next) throws Exception {
    for (Map.Entry<String, Out> e : outs.entrySet()) {
      Out o = e.getValue();
      List<Source> sources = List.copyOf(o.releases);
      o.releases.clear();
      if (o.writer.count() == 0) {
        sources.forEach(Source::release);
        continue;
      }
      AtomicBoolean once = new AtomicBoolean();
      next.emit(o.writer.build(e.getKey(), () -> {
        if (once.compareAndSet(false, true)) {
          sources.forEach(Source::release);
        }
      }));
    }
  }

  private void clearOuts() {
    outs.values().forEach(o -> {
      o.writer.reset();
      o.releases.clear();
    });
    if (outs.size() > 64) {
      outs.clear(); // many tags once: no writer per tag for ever
    }
  }

  private void timer() {
    synchronized (lock) {
      while (!closing) {
        try {
          lock.wait(tickMillis);
        } catch (InterruptedException e) {
          return;
        }
        if (closing || idle()) {
          continue;
        }
        try {
          due(now());
          emitOuts(downstream);
        } catch (Exception e) {
          if (!context.stopping() && !closing) {
            LOG.error("{}, {}: emitting held events on the timer failed: {}", context.taskName(), context.stepName(),
                e.getMessage());
            context.metrics().errors(1);
            timerFailure = e;
          }
        } finally {
          clearOuts();
          lock.notifyAll(); // a batch waiting for room
        }
      }
    }
  }

  /** Stops the timer, then lets everything held go on into the rest of the task, which is still open. */
  @Override
  public void close() throws Exception {
    closing = true;
    Thread t = timer;
    if (t != null) {
      synchronized (lock) {
        lock.notifyAll();
      }
      t.join(10_000);
    }
    synchronized (lock) {
      if (downstream == null) {
        return;
      }
      try {
        releaseAll();
        emitOuts(downstream);
      } finally {
        clearOuts();
      }
    }
  }
}
