package io.swak.support.condition;

import io.swak.api.Ack;
import io.swak.api.Batch;
import io.swak.api.EntryReader;
import io.swak.api.MsgpackException;
import io.swak.support.RecordWriter;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;

/**
 * Which events of one batch a condition takes: the steps with {@code when:} and the route's branches use it to
 * split a batch, keeping the events' order. The batch's entries are found once ({@link #of}); each condition is
 * tested on them with {@link #test}. A condition on the tag alone decides for the whole batch without reading an
 * entry.
 */
public final class Selection {

  /** Outcome of {@link #test}: per event, or for all of them at once. */
  public static final class Result {
    /** Null when every event has the same answer ({@link #all}). */
    final boolean[] mask;
    final boolean all;
    /** Events taken. */
    public final int taken;
    /** Events whose evaluation failed (counted, not taken). */
    public final int errors;

    Result(boolean[] mask, boolean all, int taken, int errors) {
      this.mask = mask;
      this.all = all;
      this.taken = taken;
      this.errors = errors;
    }

    /** True when the condition takes event {@code i}. */
    public boolean takes(int i) {
      return mask == null ? all : mask[i];
    }

    public boolean none() {
      return taken == 0;
    }
  }

  private final Batch batch;
  private int[] starts;
  private int[] recordStarts;
  private int[] ends;
  private long[] times;
  /** Entries that could be read; the rest of a damaged batch is never taken. */
  private int readable = -1;

  private Selection(Batch batch) {
    this.batch = batch;
  }

  public static Selection of(Batch batch) {
    return new Selection(batch);
  }

  public Batch batch() {
    return batch;
  }

  /** Which events {@code c} takes; the entries are read on first need. */
  public Result test(Condition c) {
    int n = batch.count();
    Integer byTag = c.byTag(batch.tag());
    if (byTag != null) {
      boolean yes = byTag == Condition.TRUE;
      return new Result(null, yes, yes ? n : 0, byTag == Condition.ERROR ? n : 0);
    }
    read();
    boolean[] mask = new boolean[n];
    int taken = 0;
    int errors = readable < n ? n - readable : 0;
    byte[] d = batch.data();
    String tag = batch.tag();
    for (int i = 0; i < readable; i++) {
      int r = c.test(tag, times[i], d, recordStarts[i], ends[i]);
      if (r == Condition.TRUE) {
        mask[i] = true;
        taken++;
      } else if (r == Condition.ERROR) {
        errors++;
      }
    }
    return new Result(mask, false, taken, errors);
  }

  /** Every event, as a branch without a condition takes them. */
  public Result all() {
    return new Result(null, true, batch.count(), 0);
  }

  /** The events none of {@code results} took (a route's else). */
  public Result noneOf(Result... results) {
    int n = batch.count();
    boolean anyMask = false;
    for (Result r : results) {
      if (r.taken == n) {
        return new Result(null, false, 0, 0);
      }
      anyMask |= r.taken > 0;
    }
    if (!anyMask) {
      return new Result(null, true, n, 0);
    }
    boolean[] mask = new boolean[n];
    int taken = 0;
    for (int i = 0; i < n; i++) {
      boolean took = false;
      for (Result r : results) {
        if (r.takes(i)) {
          took = true;
          break;
        }
      }
      mask[i] = !took;
      if (!took) {
        taken++;
      }
    }
    return new Result(mask, false, taken, 0);
  }

  private void read() {
    if (readable >= 0) {
      return;
    }
    int n = batch.count();
    starts = new int[n + 1];
    recordStarts = new int[n];
    ends = new int[n];
    times = new long[n];
    int i = 0;
    try (EntryReader r = new EntryReader(batch.data(), 0, batch.length())) {
      int at = 0;
      while (i < n && r.hasNext()) {
        r.next();
        starts[i] = at;
        recordStarts[i] = r.recordStart();
        ends[i] = r.recordEnd();
        times[i] = r.timeNanos();
        at = r.recordEnd();
        i++;
      }
    } catch (IOException | MsgpackException e) {
      // a damaged entry: what follows it cannot be told apart; it stays where it is, untaken
    }
    readable = i;
    starts[i] = i == 0 ? 0 : ends[i - 1];
  }

  /**
   * The events {@code keep} says (taken ones, or with {@code taken} false the others) as one batch with
   * {@code ack}: the batch itself when that is all of it, null when none. A damaged batch's unreadable rest counts
   * as not taken.
   */
  public Batch pick(Result res, boolean taken, Ack ack) {
    int n = batch.count();
    int want = taken ? res.taken : n - res.taken;
    if (want == 0) {
      return null;
    }
    if (want == n) {
      return batch.withAck(ack);
    }
    read();
    RecordWriter w = new RecordWriter(Math.max(64, batch.length() / Math.max(1, n) * want + 64));
    byte[] d = batch.data();
    int runStart = -1;
    int runCount = 0;
    for (int i = 0; i < readable; i++) {
      if (res.takes(i) == taken) {
        if (runStart < 0) {
          runStart = starts[i];
        }
        runCount++;
      } else if (runStart >= 0) {
        w.entries(d, runStart, starts[i] - runStart, runCount);
        runStart = -1;
        runCount = 0;
      }
    }
    if (runStart >= 0) {
      w.entries(d, runStart, ends[readable - 1] - runStart, runCount);
    }
    if (readable < n && res.takes(readable) == taken) { // a damaged rest goes with the events not taken by a test
      w.entries(d, starts[readable], batch.length() - starts[readable], n - readable);
    }
    return w.build(batch.tag(), ack);
  }

  /** A run of consecutive events with the same answer. */
  public record Run(Batch events, boolean taken) { }

  /**
   * The batch cut into runs of consecutive events with the same answer, in order, each a batch whose ack is a part
   * of the batch's ({@link Ack#split}): for a step that must not reorder the events it does not take.
   */
  public List<Run> runs(Result res) {
    int n = batch.count();
    if (res.taken == 0 || res.taken == n) {
      return List.of(new Run(batch, res.taken > 0));
    }
    read();
    List<int[]> bounds = new ArrayList<>(); // {startEntry, endEntry, taken}
    int from = 0;
    for (int i = 1; i <= n; i++) {
      boolean cur = i < readable ? res.takes(i) : false;
      boolean prev = from < readable && res.takes(from);
      if (i == n || cur != prev || i == readable) {
        bounds.add(new int[] {from, i, prev ? 1 : 0});
        from = i;
      }
    }
    Ack[] acks = Ack.split(batch.ack(), bounds.size());
    List<Run> out = new ArrayList<>(bounds.size());
    byte[] d = batch.data();
    for (int k = 0; k < bounds.size(); k++) {
      int[] b = bounds.get(k);
      int off = starts[b[0]];
      int end = b[1] >= readable ? (b[1] == n ? batch.length() : starts[b[1]]) : starts[b[1]];
      RecordWriter w = new RecordWriter(end - off + 16);
      w.entries(d, off, end - off, b[1] - b[0]);
      out.add(new Run(w.build(batch.tag(), acks[k]), b[2] == 1));
    }
    return out;
  }
}
