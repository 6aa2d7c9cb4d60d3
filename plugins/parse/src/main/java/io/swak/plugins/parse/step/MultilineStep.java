package io.swak.plugins.parse.step;

import io.swak.api.Batch;
import io.swak.api.EntryReader;
import io.swak.api.MsgpackException;
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
import java.util.regex.Pattern;

/**
 * The multiline step. Each stream (a tag, and the value of {@code stream_key}) has its own {@link Multiline}; a
 * joined event is the first event of its group — time and every other field — with {@code key} replaced by the
 * joined text (spliced into the record bytes: a map's size does not change when a value does, at any depth).
 * An open group holds a reference to each input batch its lines came from (see {@link HoldingStage}), and goes
 * on after {@code flush_timeout} without a line of its stream, on the step's timer if no batch comes.
 */
final class MultilineStep extends HoldingStage {

  private final FieldPath key;
  private final FieldPath streamKey;
  private final Pattern start;
  private final Pattern continuation;
  private final long timeoutNanos;
  private final int maxLines;
  private final int maxBytes;
  private final int maxStreams;
  private final long bufferLimit;

  /** Streams with a group open, least recently fed first. */
  private final LinkedHashMap<StreamId, Stream> streams = new LinkedHashMap<>(16, 0.75f, true);
  private volatile long heldBytes;
  /** The stream of the previous event of the batch being joined: consecutive events of one stream look it up once. */
  private Stream last;

  MultilineStep(MultilinePlugin.Options o) {
    super(o.flushTimeout().toMillis() / 4);
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
  public void start(StepContext ctx) throws Exception {
    super.start(ctx);
    ctx.metrics().gauge("multiline_held_bytes", () -> heldBytes);
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
      RecordWriter w = writer(id.tag);
      w.beginEntry(firstTime);
      w.raw(first, 0, valueStart);
      w.string(b, off, len);
      w.raw(first, valueEnd, firstLen - valueEnd);
      w.endEntry();
      releases(id.tag).addAll(sources);
      sources.clear();
    }
  }

  /** Feeds every event of the batch to its stream; an open group holds the batch. */
  @Override
  protected void take(Batch batch, Source source) throws Exception {
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
        writer(tag).entries(d, entryStart, re - entryStart, 1);
      } else {
        last = s;
        int textStart = RecordBytes.stringStart(d, v);
        int textLen = RecordBytes.stringLength(d, v, re);
        int before = s.joiner.heldBytes();
        Multiline.Took took = s.joiner.line(d, textStart, textLen, 0, now, s);
        if (took == Multiline.Took.ALONE) {
          writer(tag).entries(d, entryStart, re - entryStart, 1);
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
    for (Stream s : touched) {
      if (s.joiner.holding() && (s.sources.isEmpty() || s.sources.get(s.sources.size() - 1) != source)) {
        s.sources.add(source);
        source.hold();
      }
    }
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
  @Override
  protected void due(long now) {
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

  @Override
  protected boolean idle() {
    return streams.isEmpty();
  }

  @Override
  protected void releaseAll() {
    for (Stream s : streams.values()) {
      flush(s);
    }
    streams.clear();
  }
}
