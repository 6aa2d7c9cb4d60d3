package io.swak.parsers;

import io.swak.api.Ack;
import io.swak.api.Batch;
import io.swak.api.StepMetrics;
import io.swak.support.RecordWriter;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.function.Consumer;

/**
 * A line parsed into a whole entry {@code [time, {fields…}]}, for the inputs that take {@code format:} (in.FileTail,
 * in.Tcp, in.Udp): the line is parsed once, from the bytes it was read into, and the entry written once, with
 * {@code into} and {@code keep_original} as the parse step has them. A line that does not parse gets the
 * {@code on_error} outcome: kept (the caller writes its usual {@code {message_key: line}}), dropped, or set aside
 * here for the dead-letter file; the reasons are counted here. One instance per thread.
 */
public final class LineRecords {

  /** What became of a line. */
  public enum Outcome {
    /** parsed: the entry is {@link #entry()} */
    PARSED,
    /** did not parse, on_error keep: the caller writes the line as it would without a format */
    KEEP,
    /** did not parse and was dropped or set aside for the dead-letter file: nothing to write */
    GONE
  }

  /** Where the lines given up go: the task's dead-letter file ({@code StepContext::deadLetter}). */
  public interface DeadLetterSink {
    void deadLetter(Batch batch, String reason) throws IOException;
  }

  private final String format;
  private final LineParser parser;
  private final ParserOptions.OnError onError;
  private final byte[] messageKey;
  /** keep_original: the line is written under the message key too. */
  private final boolean keepOriginal;
  private final byte[] into;
  private final FieldsWriter fields = new FieldsWriter();
  private final MsgpackWriter entry = new MsgpackWriter(1024);
  /** Lines given up by on_error: dead_letter since the last take, by tag and reason. */
  private final List<DeadLetters> deadLetters = new ArrayList<>();
  private long noMatch;
  private long malformed;
  private long timeUnparsed;
  private long dropped;

  /**
   * {@code options} were checked when the configuration loaded ({@link ParserOptions#check}); {@code messageKey} is
   * the input's field of a line, for keep_original and the lines given up.
   */
  public LineRecords(String format, ParserOptions options, String messageKey) {
    this.format = format;
    this.parser = options.parser(format);
    this.onError = options.onError();
    this.messageKey = messageKey.getBytes(StandardCharsets.UTF_8);
    this.keepOriginal = options.keepOriginal();
    this.into = options.intoKey();
  }

  /** True when {@code format} is a parser of this library. */
  public static boolean isFormat(String format) {
    return format != null && (ParserFactory.FORMATS.contains(format.trim().toLowerCase(java.util.Locale.ROOT))
        || format.trim().equalsIgnoreCase("apache2"));
  }

  public String format() {
    return format;
  }

  /** What on_error does with a line that does not parse. */
  public ParserOptions.OnError onError() {
    return onError;
  }

  /**
   * Parses {@code b[off, off+len)} of an event of {@code tag}; when PARSED the entry is {@link #entry()} (timed by the
   * line, else {@code now}), with the pair {@code extraKey: extraValue} (UTF-8, both null for none) at the top level
   * unless a field has that name. Otherwise nothing is written and the reason is counted: KEEP leaves the line to
   * the caller, GONE means it was dropped or set aside for {@link #takeDeadLetters}.
   */
  public Outcome parse(String tag, byte[] b, int off, int len, long now, byte[] extraKey, byte[] extraValue) {
    fields.begin(now);
    ParseResult r = parser.parse(b, off, len, fields);
    if (!r.ok()) {
      return failed(r, tag, b, off, len, now, extraKey, extraValue);
    }
    if (r == ParseResult.OK_TIME_UNPARSED) {
      timeUnparsed++;
    }
    // the top level: the parsed fields (or into's map), the line (keep_original), the extra pair; first name wins
    boolean original = keepOriginal && (into != null ? !Arrays.equals(into, messageKey) : !parsedHas(messageKey));
    boolean extra = extraKey != null && extraValue != null
        && (into != null ? !Arrays.equals(into, extraKey) : !parsedHas(extraKey))
        && !(original && Arrays.equals(extraKey, messageKey));
    int top = (into != null ? 1 : fields.count()) + (original ? 1 : 0) + (extra ? 1 : 0);
    entry.reset();
    entry.entryHead(fields.time());
    entry.mapHeader(top);
    if (into != null) {
      entry.string(into, 0, into.length);
      entry.mapHeader(fields.count());
    }
    entry.raw(fields.bytes(), 0, fields.length());
    if (original) {
      entry.string(messageKey, 0, messageKey.length);
      entry.string(b, off, len);
    }
    if (extra) {
      entry.string(extraKey, 0, extraKey.length);
      entry.string(extraValue, 0, extraValue.length);
    }
    return Outcome.PARSED;
  }

  private boolean parsedHas(byte[] key) {
    return fields.hasKey(key, 0, key.length);
  }

  private Outcome failed(ParseResult r, String tag, byte[] b, int off, int len, long now, byte[] extraKey,
      byte[] extraValue) {
    if (r.kind() == ParseResult.Kind.NO_MATCH) {
      noMatch++;
    } else {
      malformed++;
    }
    switch (onError) {
      case KEEP -> {
        return Outcome.KEEP;
      }
      case DROP -> dropped++;
      case DEAD_LETTER -> {
        RecordWriter w = deadLetters(tag, r);
        w.beginEntry(now);
        boolean extra = extraKey != null && extraValue != null && !Arrays.equals(extraKey, messageKey);
        int mark = w.beginMap();
        w.string(messageKey);
        w.string(b, off, len);
        if (extra) {
          w.string(extraKey);
          w.string(extraValue);
        }
        w.endMap(mark, extra ? 2 : 1);
        w.endEntry();
      }
    }
    return Outcome.GONE;
  }

  private RecordWriter deadLetters(String tag, ParseResult r) {
    for (DeadLetters d : deadLetters) {
      if (d.result == r && d.tag.equals(tag)) { // reasons are static constants: by identity
        return d.entries;
      }
    }
    DeadLetters d = new DeadLetters(tag, r);
    deadLetters.add(d);
    return d.entries;
  }

  /** The entry of the last line parsed, valid in {@code [0, entryLength())} until the next. */
  public byte[] entry() {
    return entry.bytes();
  }

  public int entryLength() {
    return entry.length();
  }

  /** True when lines wait for {@link #takeDeadLetters}. */
  public boolean hasDeadLetters() {
    return !deadLetters.isEmpty();
  }

  /**
   * Hands the lines given up since the last call to {@code sink}, one batch per tag and reason, and forgets them.
   * When the sink fails, that batch and the ones after it go to {@code otherwise} (an input keeps them in the stream,
   * or forgets them when it reads them again) and the sink's exception is returned; null when the sink took all.
   */
  public IOException takeDeadLetters(DeadLetterSink sink, Consumer<Batch> otherwise) {
    IOException failure = null;
    for (DeadLetters d : deadLetters) {
      Batch batch = d.entries.build(d.tag, Ack.NONE);
      if (failure == null) {
        try {
          sink.deadLetter(batch, "format " + format + ": " + describe(d.result.kind(), d.result.reason()));
          continue;
        } catch (IOException e) {
          failure = e;
        }
      }
      otherwise.accept(batch);
    }
    deadLetters.clear();
    return failure;
  }

  /** A parse failure in words, for the dead-letter file: what the parse step writes too. */
  public static String describe(ParseResult.Kind kind, String reason) {
    String detail = reason.isEmpty() ? "" : " (" + reason + ")";
    return (kind == ParseResult.Kind.NO_MATCH ? "the text is not in this format" : "the text breaks the format")
        + detail;
  }

  /**
   * Adds what happened since the last call to the input's counters — parse_errors and by reason no_match and
   * malformed (as the parse step counts them), time_unparsed, dropped — and starts again from 0. Returns how many
   * lines did not parse.
   */
  public long count(StepMetrics metrics) {
    long failed = noMatch + malformed;
    if (failed > 0) {
      metrics.count("parse_errors", failed);
      if (noMatch > 0) {
        metrics.count("no_match", noMatch);
      }
      if (malformed > 0) {
        metrics.count("malformed", malformed);
      }
    }
    if (timeUnparsed > 0) {
      metrics.count("time_unparsed", timeUnparsed);
    }
    if (dropped > 0) {
      metrics.dropped(dropped);
    }
    noMatch = 0;
    malformed = 0;
    timeUnparsed = 0;
    dropped = 0;
    return failed;
  }

  /** The lines of one tag given up for one reason. */
  private static final class DeadLetters {
    final String tag;
    final ParseResult result;
    final RecordWriter entries = new RecordWriter(256);

    DeadLetters(String tag, ParseResult result) {
      this.tag = tag;
      this.result = result;
    }
  }
}
