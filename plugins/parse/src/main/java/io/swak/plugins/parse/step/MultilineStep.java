package io.swak.plugins.parse.step;

import io.swak.api.Ack;
import io.swak.api.Batch;
import io.swak.api.EntryReader;
import io.swak.api.MsgpackException;
import io.swak.api.Stage;
import io.swak.api.StepContext;
import io.swak.support.FieldPath;
import io.swak.support.Multiline;
import io.swak.support.RecordBytes;
import io.swak.support.RecordWriter;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.regex.Pattern;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The multiline step. Each stream (a tag, and the value of {@code stream_key}) has its own {@link Multiline}; a
 * joined event is the first event of its group — time and every other field — with {@code key} replaced by the
 * joined text (spliced into the record bytes: a map's size does not change when a value does, at any depth).
 *
 * <p>Acknowledgements: the events of a group come from several input batches, and a group may still be open when
 * its batch has passed. Each input batch gets a count of what still holds its events — its own pass through the
 * step, plus one per group left open with its lines — and its ack completes when the last of them is delivered:
 * the batches emitted now (in which what completed goes on) and the ones that carry the open groups later.
 *
 * <p>An open group goes on after {@code flush_timeout} without a line of its stream, even if no batch arrives: a
 * timer thread of the step emits it into the rest of the task, as a buffer's flusher does. Everything that touches
 * the groups or emits runs under one lock, so the rest of the task is never entered by two threads at once and a
 * stream's events stay in order. A timer emission that fails is rethrown by the next batch, which restarts the
 * task: the events it held were never acknowledged, so the input reads them again.
 */
final class MultilineStep implements Stage {

  private static final Logger LOG = LoggerFactory.getLogger("swak.multiline");

  private final FieldPath key;
  private final FieldPath streamKey;
  private final Pattern start;
  private final Pattern continuation;
  private final long timeoutNanos;
  private final int maxLines;
  private final int maxBytes;
  private final int maxStreams;
  private final long bufferLimit;

  private final Object lock = new Object();
  /** Streams with a group open, least recently fed first. */
  private final LinkedHashMap<StreamId, Stream> streams = new LinkedHashMap<>(16, 0.75f, true);
  /** What is emitted at the end of a batch or a timer round, per tag. */
  private final LinkedHashMap<String, Out> outs = new LinkedHashMap<>();
  private volatile long heldBytes;
  private StepContext context;
  private Emitter downstream;
  private Thread timer;
  private volatile boolean closing;
  private Exception timerFailure;
  /** The stream of the previous event of the batch being joined: consecutive events of one stream look it up once. */
  private Stream last;

  MultilineStep(MultilinePlugin.Options o) {
    this.key = FieldPath.parse(o.key());
    this.streamKey = o.streamKey() == null ? null : FieldPath.parse(o.streamKey());
    this.start = o.start();
    this.continuation = o.continuation();
    this.timeoutNanos = o.flushTimeout().toNanos();
    this.maxLines = o.maxLines();
    this.maxBytes = (int) o.maxBytes().bytes();
    this.maxStreams = o.maxStreams();
    this.bufferLimit = Math.max(o.maxBytes().bytes(), 64L << 20);
  }

  @Override
  public void start(StepContext ctx) {
    this.context = ctx;
    ctx.metrics().gauge("multiline_held_bytes", () -> heldBytes);
  }

  @Override
  public void connect(Emitter next) {
    this.downstream = next;
    long tickMillis = Math.max(5, Math.min(250, timeoutNanos / 4_000_000));
    timer = new Thread(() -> timer(tickMillis), "swak-multiline-" + context.taskName());
    timer.setDaemon(true);
    timer.start();
  }

  /** An input batch's acknowledgement, completed when nothing holds its events any more. */
  private static final class Source {
    final Ack ack;
    final AtomicInteger refs = new AtomicInteger(1);

    Source(Ack ack) {
      this.ack = ack;
    }

    void release() {
      if (refs.decrementAndGet() == 0) {
        ack.done();
      }
    }
  }

  /** A tag and the bytes of the stream key's value (null: none). */
  private static final class StreamId {
    final String tag;
    final byte[] value;
    final int hash;

    StreamId(String tag, byte[] value) {
      this.tag = tag;
      this.value = value;
      this.hash = tag.hashCode() * 31 + Arrays.hashCode(value);
    }

    boolean is(String t, byte[] d, int from, int to) {
      return tag.equals(t) && (value == null ? from < 0 : from >= 0 && Arrays.equals(value, 0, value.length, d,
          from, to));
    }

    @Override
    public boolean equals(Object o) {
      return o instanceof StreamId s && s.tag.equals(tag) && Arrays.equals(s.value, value);
    }

    @Override
    public int hashCode() {
      return hash;
    }
  }

  /** Entries of one tag to emit, and the sources they release when delivered. */
  private static final class Out {
    final RecordWriter writer = new RecordWriter();
    final List<Source> releases = new ArrayList<>();
  }

  /** One stream: its joiner and the first event of its open group. */
  private final class Stream implements Multiline.Events {
    final StreamId id;
    final Multiline joiner = new Multiline(start, continuation, maxBytes, maxLines, Multiline.Overflow.SPLIT);
    byte[] first = new byte[64];
    int firstLen;
    int valueStart;
    int valueEnd;
    long firstTime;
    /** The input batches whose lines the open group holds, one reference each. */
    final List<Source> sources = new ArrayList<>();

    Stream(StreamId id) {
      this.id = id;
    }

    /** The group's first event: its record and where the joined field's value is in it. */
    void first(byte[] d, int rs, int re, int v, int vEnd, long time) {
      if (first.length < re - rs) {
        first = new byte[Math.max(re - rs, first.length * 2)];
      } else if (first.length > (1 << 16) && re - rs < 1024) {
        first = new byte[1024];
      }
      System.arraycopy(d, rs, first, 0, re - rs);
      firstLen = re - rs;
      valueStart = v - rs;
      valueEnd = vEnd - rs;
      firstTime = time;
    }

    /** The open group is complete: its first event with the joined text, into this tag's batch. */
    @Override
    public void event(byte[] b, int off, int len) {
      Out o = out(id.tag);
      RecordWriter w = o.writer;
      w.beginEntry(firstTime);
      w.raw(first, 0, valueStart);
      w.string(b, off, len);
      w.raw(first, valueEnd, firstLen - valueEnd);
      w.endEntry();
      o.releases.addAll(sources);
      sources.clear();
    }
  }

  private Out out(String tag) {
    return outs.computeIfAbsent(tag, t -> new Out());
  }

  @Override
  public void accept(Batch batch, Emitter next) throws Exception {
    synchronized (lock) {
      if (timerFailure != null) {
        Exception e = timerFailure;
        timerFailure = null;
        throw new IllegalStateException("emitting joined events after the flush timeout failed: "
            + e.getMessage() + "; the task restarts and the input reads them again", e);
      }
      if (batch.isEmpty()) { // an input's periodic poll: a chance to emit what is due on the task thread
        try {
          flushDue(System.nanoTime());
          emitOuts(next);
        } finally {
          clearOuts();
        }
        next.emit(batch);
        return;
      }
      Source source = new Source(batch.ack());
      try {
        List<Stream> touched = join(batch, source);
        for (Stream s : touched) {
          if (s.joiner.holding() && (s.sources.isEmpty() || s.sources.get(s.sources.size() - 1) != source)) {
            s.sources.add(source);
            source.refs.incrementAndGet();
          }
        }
        out(batch.tag()).releases.add(source); // its own pass: done when what goes on now is delivered
        emitOuts(next);
      } finally {
        clearOuts();
      }
    }
  }

  /** Feeds every event of the batch to its stream; returns the streams that took lines. */
  private List<Stream> join(Batch batch, Source source) throws Exception {
    byte[] d = batch.data();
    String tag = batch.tag();
    EntryReader entries = new EntryReader(d, 0, batch.length());
    List<Stream> touched = new ArrayList<>();
    last = null;
    int entryStart = 0;
    long now = System.nanoTime();
    long notText = 0;
    while (entries.hasNext()) {
      entries.next();
      int rs = entries.recordStart();
      int re = entries.recordEnd();
      int v;
      int vEnd = 0;
      int ks = -1;
      int ke = -1;
      try {
        v = RecordBytes.find(d, rs, re, key);
        if (v >= 0) {
          vEnd = RecordBytes.skip(d, v, re);
        }
        if (streamKey != null) {
          ks = RecordBytes.find(d, rs, re, streamKey);
          if (ks >= 0) {
            ke = RecordBytes.skip(d, ks, re);
          }
        }
      } catch (MsgpackException e) {
        context.metrics().count("malformed_records", 1);
        v = RecordBytes.ABSENT;
        ks = -1;
      }
      Stream s;
      if (last != null && last.id.is(tag, d, ks, ke)) {
        s = last;
      } else {
        StreamId id = new StreamId(tag, ks < 0 ? null : Arrays.copyOfRange(d, ks, ke));
        s = streams.get(id);
        if (s == null && v >= 0 && RecordBytes.isString(d, v, re)) {
          s = new Stream(id);
          evictForNew();
          streams.put(id, s);
        }
      }
      if (v < 0 || !RecordBytes.isString(d, v, re)) {
        notText++;
        if (s != null) {
          flush(s); // the stream's open group goes first: its events stay in order
        }
        out(tag).writer.entries(d, entryStart, re - entryStart, 1);
      } else {
        last = s;
        int textStart = RecordBytes.stringStart(d, v);
        int textLen = RecordBytes.stringLength(d, v, re);
        int before = s.joiner.heldBytes();
        Multiline.Took took = s.joiner.line(d, textStart, textLen, 0, now, s);
        if (took == Multiline.Took.ALONE) {
          out(tag).writer.entries(d, entryStart, re - entryStart, 1);
        } else {
          if (took == Multiline.Took.STARTED) {
            s.first(d, rs, re, v, vEnd, entries.timeNanos());
          }
          if (touched.isEmpty() || touched.get(touched.size() - 1) != s) {
            touched.add(s);
          }
        }
        heldBytes += s.joiner.heldBytes() - before;
        long split = s.joiner.takeSplit();
        if (split > 0) {
          context.metrics().count("multiline_split", split);
        }
        while (heldBytes > bufferLimit && !streams.isEmpty()) {
          evictEldest();
        }
      }
      entryStart = re;
    }
    if (notText > 0) {
      context.metrics().count("not_text", notText);
    }
    return touched;
  }

  /** Room for one more stream: the one fed longest ago goes on. */
  private void evictForNew() {
    while (streams.size() >= maxStreams) {
      evictEldest();
    }
  }

  private void evictEldest() {
    Iterator<Stream> it = streams.values().iterator();
    Stream eldest = it.next();
    it.remove();
    if (eldest == last) {
      last = null;
    }
    flush(eldest);
    context.metrics().count("multiline_streams_evicted", 1);
  }

  private void flush(Stream s) {
    heldBytes -= s.joiner.heldBytes();
    s.joiner.flush(s);
  }

  /** Emits every open group whose stream had no line for flush_timeout; forgets streams holding nothing. */
  private void flushDue(long now) {
    long timedOut = 0;
    for (Iterator<Stream> it = streams.values().iterator(); it.hasNext(); ) {
      Stream s = it.next();
      if (s.joiner.due(now, timeoutNanos)) {
        flush(s);
        timedOut++;
      }
      if (!s.joiner.holding()) {
        it.remove();
      }
    }
    if (timedOut > 0) {
      context.metrics().count("multiline_timed_out", timedOut);
    }
  }

  /** Emits what the outs hold, a batch per tag; each batch's ack releases its sources. */
  private void emitOuts(Emitter next) throws Exception {
    for (Map.Entry<String, Out> e : outs.entrySet()) {
      Out o = e.getValue();
      List<Source> releases = List.copyOf(o.releases);
      o.releases.clear();
      if (o.writer.count() == 0) {
        releases.forEach(Source::release);
        continue;
      }
      AtomicBoolean once = new AtomicBoolean();
      next.emit(o.writer.build(e.getKey(), () -> {
        if (once.compareAndSet(false, true)) {
          releases.forEach(Source::release);
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

  private void timer(long tickMillis) {
    synchronized (lock) {
      while (!closing) {
        try {
          lock.wait(tickMillis);
        } catch (InterruptedException e) {
          return;
        }
        if (closing || streams.isEmpty()) {
          continue;
        }
        try {
          flushDue(System.nanoTime());
          emitOuts(downstream);
        } catch (Exception e) {
          if (!context.stopping() && !closing) {
            LOG.error("{}, {}: emitting joined events after the flush timeout failed: {}", context.taskName(),
                context.stepName(), e.getMessage());
            context.metrics().errors(1);
            timerFailure = e;
          }
        } finally {
          clearOuts();
        }
      }
    }
  }

  /** Stops the timer, then emits every open group into the rest of the task, which is still open. */
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
        for (Stream s : streams.values()) {
          flush(s);
        }
        streams.clear();
        emitOuts(downstream);
      } finally {
        clearOuts();
      }
    }
  }
}
