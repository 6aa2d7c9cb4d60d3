package io.swak.plugins.parse.step;

import io.swak.api.Batch;
import io.swak.api.EntryReader;
import io.swak.api.MsgpackException;
import io.swak.api.Processor;
import io.swak.api.StepContext;
import io.swak.support.RecordWriter;
import java.io.IOException;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The steps that keep or drop each event by a rule over its key (sample, throttle, dedupe): the kept entries are
 * copied as they are, a batch kept whole goes on unchanged. Drops are counted under the step's own name.
 */
final class KeyedFilter implements Processor {

  /** Decides for one event; {@code now} is read once per batch. */
  interface Rule {
    boolean keep(byte[] d, int rs, int re, long now, StepContext context);

    static Rule keepAll() {
      return (d, rs, re, now, ctx) -> true;
    }

    /** One in {@code rate}: by the key's hash when there is a key, else every rate-th event. */
    static Rule sample(int rate, EventKey key) {
      if (key.none()) {
        long[] seen = {0};
        return (d, rs, re, now, ctx) -> seen[0]++ % rate == 0;
      }
      return (d, rs, re, now, ctx) -> Long.remainderUnsigned(key.hash(d, rs, re), rate) == 0;
    }

    /** Fixed windows of {@code periodNanos} per key, {@code rate} events each. */
    static Rule throttle(long rate, long periodNanos, EventKey key, int maxKeys) {
      RateWindows windows = new RateWindows(rate, periodNanos, key, maxKeys);
      return (d, rs, re, now, ctx) -> windows.take(windows.window(d, rs, re, now, ctx));
    }

    /** Drops a key seen among the last {@code size} distinct keys. */
    static Rule dedupe(EventKey key, int size) {
      Map<Long, Boolean> seen = new LinkedHashMap<>(Math.min(size, 1 << 16) * 2, 0.75f, true) {
        @Override
        protected boolean removeEldestEntry(Map.Entry<Long, Boolean> eldest) {
          return size() > size;
        }
      };
      return (d, rs, re, now, ctx) -> seen.put(key.hash(d, rs, re), Boolean.TRUE) == null;
    }
  }

  private final Rule rule;
  private final String dropCounter;
  /** Throttling loses events to a limit: also counted as dropped; sampling and dedupe filter on purpose. */
  private final boolean lost;
  private final RecordWriter out = new RecordWriter();
  private StepContext context;

  KeyedFilter(Rule rule, String dropCounter) {
    this.rule = rule;
    this.dropCounter = dropCounter;
    this.lost = dropCounter.equals("throttled");
  }

  @Override
  public void start(StepContext ctx) {
    this.context = ctx;
  }

  @Override
  public Batch process(Batch batch) throws IOException {
    byte[] d = batch.data();
    long now = context.nowNanos();
    EntryReader entries = new EntryReader(d, 0, batch.length());
    out.reset();
    int entryStart = 0;
    int kept = 0;
    int dropped = 0;
    int keptPrefixEnd = 0;
    while (entries.hasNext()) {
      entries.next();
      int rs = entries.recordStart();
      int re = entries.recordEnd();
      boolean keep;
      try {
        keep = rule.keep(d, rs, re, now, context);
      } catch (MsgpackException e) {
        context.metrics().count("malformed_records", 1);
        keep = true; // a record the rule cannot read is passed on, not lost
      }
      if (keep) {
        kept++;
        if (dropped == 0) {
          keptPrefixEnd = re;
        } else {
          out.entries(d, entryStart, re - entryStart, 1);
        }
      } else {
        if (dropped == 0) {
          out.entries(d, 0, keptPrefixEnd, kept);
        }
        dropped++;
      }
      entryStart = re;
    }
    if (dropped == 0) {
      return batch;
    }
    context.metrics().count(dropCounter, dropped);
    if (lost) {
      context.metrics().dropped(dropped);
    }
    return kept == 0 ? null : out.build(batch.tag(), batch.ack());
  }
}
