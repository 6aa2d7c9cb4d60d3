package io.swak.plugins.parse.step;

import io.swak.api.Batch;
import io.swak.api.EntryReader;
import io.swak.api.MsgpackException;
import io.swak.api.StepContext;
import java.util.Arrays;
import java.util.Iterator;
import java.util.LinkedHashSet;

/**
 * throttle with {@code mode: hold}: the events over a key's rate wait in that key's queue and go on in the next
 * windows, oldest first and still at the rate — on the step's timer when no batch comes. Events of a key with
 * events waiting wait behind them, so a key's events keep their order. What waits is bounded by
 * {@code hold_limit}: past it the task waits (nothing more is read) until the queues let enough go.
 */
final class ThrottleHoldStep extends HoldingStage {

  private final RateWindows windows;
  private final long limit;
  /** Windows with entries waiting, in the order they began to. */
  private final LinkedHashSet<RateWindows.Window> waiting = new LinkedHashSet<>();
  private volatile long heldBytes;
  private long heldEvents;

  ThrottleHoldStep(ThrottlePlugin.Options o) {
    super(o.period().toMillis() / 10);
    this.windows = new RateWindows(o.rate(), o.period().toNanos(), new EventKey(o.key()), o.maxKeys());
    this.limit = o.holdLimit().bytes();
  }

  @Override
  public void start(StepContext ctx) throws Exception {
    super.start(ctx);
    ctx.metrics().gauge("throttle_held_bytes", () -> heldBytes);
  }

  /** By the agent's clock, as the drop mode. */
  @Override
  protected long now() {
    return context.nowNanos();
  }

  @Override
  protected void take(Batch batch, Source source) throws Exception {
    byte[] d = batch.data();
    String tag = batch.tag();
    long now = now();
    EntryReader entries = new EntryReader(d, 0, batch.length());
    int entryStart = 0;
    long held = 0;
    while (entries.hasNext()) {
      entries.next();
      int rs = entries.recordStart();
      int re = entries.recordEnd();
      RateWindows.Window w;
      try {
        w = windows.window(d, rs, re, now, context);
      } catch (MsgpackException e) {
        context.metrics().count("malformed_records", 1);
        writer(tag).entries(d, entryStart, re - entryStart, 1); // a record the key cannot be read from goes on
        entryStart = re;
        continue;
      }
      if (!w.held.isEmpty()) {
        let(w); // its waiting events go first, as far as this window has room
      }
      if (w.held.isEmpty() && windows.take(w)) {
        writer(tag).entries(d, entryStart, re - entryStart, 1);
      } else {
        w.held.add(new RateWindows.Held(tag, Arrays.copyOfRange(d, entryStart, re), source));
        source.hold();
        heldBytes += re - entryStart;
        heldEvents++;
        held++;
        waiting.add(w);
      }
      entryStart = re;
    }
    if (held > 0) {
      context.metrics().count("throttle_held", held);
    }
  }

  /** Lets the window's waiting events go, as many as it has room for. */
  private void let(RateWindows.Window w) {
    while (!w.held.isEmpty() && windows.take(w)) {
      emit(w.held.poll());
    }
  }

  private void emit(RateWindows.Held h) {
    writer(h.tag()).entries(h.entry(), 0, h.entry().length, 1);
    releases(h.tag()).add(h.source());
    heldBytes -= h.entry().length;
    heldEvents--;
  }

  @Override
  protected void due(long now) {
    for (Iterator<RateWindows.Window> it = waiting.iterator(); it.hasNext(); ) {
      RateWindows.Window w = it.next();
      windows.renew(w, now);
      let(w);
      if (w.held.isEmpty()) {
        it.remove();
      }
    }
  }

  /** Full: the task waits here, the lock let go, while the timer lets events go at the rate. */
  @Override
  protected void afterBatch() throws InterruptedException {
    if (heldBytes <= limit) {
      return;
    }
    context.metrics().count("throttle_full", 1);
    while (heldBytes > limit && !context.stopping() && !closing) {
      lock.wait(50);
    }
  }

  @Override
  protected boolean idle() {
    return heldEvents == 0;
  }

  @Override
  protected void releaseAll() {
    for (RateWindows.Window w : waiting) {
      while (!w.held.isEmpty()) {
        emit(w.held.poll());
      }
    }
    waiting.clear();
  }
}
