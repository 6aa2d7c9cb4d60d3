package io.swak.plugins.parse.step;

import io.swak.api.Batch;
import io.swak.api.EntryReader;
import io.swak.api.MsgpackException;
import io.swak.api.Processor;
import io.swak.api.StepContext;
import io.swak.parsers.FieldsWriter;
import io.swak.parsers.LineParser;
import io.swak.parsers.LineRecords;
import io.swak.parsers.ParseResult;
import io.swak.support.FieldPath;
import io.swak.support.RecordBytes;
import io.swak.support.RecordWriter;
import io.swak.support.WarnEvery;
import java.io.IOException;
import java.util.LinkedHashMap;
import java.util.Map;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The parse step: for each entry, finds the key's string in the record bytes, lets the parser report its fields
 * into a scratch msgpack buffer, and writes the new entry once — the record's other fields copied as raw bytes,
 * the parsed ones after them (a parsed field replaces an original of the same name).
 */
final class ParseStep implements Processor {

  private static final Logger LOG = LoggerFactory.getLogger("swak.parse");

  private final ParsePlugin.Options options;
  private final LineParser parser;
  private final FieldPath key;
  /** The key when it is a top-level field, which is then left out of the new record (unless keep_original). */
  private final byte[] topKey;
  private final byte[] into;
  private final FieldsWriter sink = new FieldsWriter();
  private final RecordWriter out = new RecordWriter();
  /** Events given up by on_error: dead_letter, by reason. */
  private final Map<String, RecordWriter> deadLetters = new LinkedHashMap<>();
  private StepContext context;
  private final WarnEvery warnEvery = WarnEvery.tenSeconds();

  ParseStep(ParsePlugin.Options options) {
    this.options = options;
    this.parser = options.parser();
    this.key = FieldPath.parse(options.key());
    this.topKey = key.size() == 1 && key.isKey(0) ? key.key(0) : null;
    this.into = options.parsing().intoKey();
  }

  @Override
  public void start(StepContext ctx) {
    this.context = ctx;
  }

  @Override
  public Batch process(Batch batch) throws IOException {
    byte[] d = batch.data();
    out.reset();
    int failed = 0;
    deadLetters.values().forEach(RecordWriter::reset);
    EntryReader entries = new EntryReader(d, 0, batch.length());
    int entryStart = 0;
    while (entries.hasNext()) {
      entries.next();
      int rs = entries.recordStart();
      int re = entries.recordEnd();
      String failure;
      try {
        failure = parseOne(d, rs, re, entries.timeNanos());
      } catch (MsgpackException e) {
        out.abortEntry();
        failure = "malformed: the record is not valid msgpack";
      }
      if (failure != null) {
        failed++;
        fail(failure, d, entryStart, re);
      }
      entryStart = re;
    }
    if (failed > 0) {
      settleFailures(batch, failed);
    }
    if (out.count() == 0) {
      return null;
    }
    return out.build(batch.tag(), batch.ack());
  }

  /** Parses one entry into {@link #out}; returns the reason it failed (nothing written), or null. */
  private String parseOne(byte[] d, int rs, int re, long time) {
    int v = RecordBytes.find(d, rs, re, key);
    if (v == RecordBytes.ABSENT) {
      return "no_field";
    }
    if (v == RecordBytes.NOT_A_MAP || !RecordBytes.isString(d, v, re)) {
      return "not_text";
    }
    int len = RecordBytes.stringLength(d, v, re);
    int start = RecordBytes.stringStart(d, v);
    sink.begin(time);
    ParseResult r = parser.parse(d, start, len, sink);
    if (!r.ok()) {
      String why = r.reason().isEmpty() ? "" : ": " + r.reason();
      return (r.kind() == ParseResult.Kind.NO_MATCH ? "no_match" : "malformed") + why;
    }
    if (r == ParseResult.OK_TIME_UNPARSED) {
      context.metrics().count("time_unparsed", 1);
      warn("a time did not parse (the event keeps its time and the text of the time field)");
    }
    out.beginEntry(sink.time());
    int mark = out.beginMap();
    int fields = copyOthers(d, rs, re, v);
    if (into != null) {
      out.string(into);
      out.mapHeader(sink.count());
      out.raw(sink.bytes(), 0, sink.length());
      fields++;
    } else {
      out.raw(sink.bytes(), 0, sink.length());
      fields += sink.count();
    }
    out.endMap(mark, fields);
    out.endEntry();
    return null;
  }

  /**
   * Copies the record's pairs that stay (all but the parsed key unless keep_original, and those a parsed field or
   * {@code into} replaces); returns how many.
   */
  private int copyOthers(byte[] d, int rs, int re, int valueAt) {
    int n = RecordBytes.mapSize(d, rs, re);
    int q = rs + RecordBytes.headerSize(d[rs] & 0xff);
    int kept = 0;
    for (int i = 0; i < n; i++) {
      int k = q;
      int v = RecordBytes.skip(d, k, re);
      q = RecordBytes.skip(d, v, re);
      if (RecordBytes.isString(d, k, re)) {
        int ks = RecordBytes.stringStart(d, k);
        int kl = RecordBytes.stringLength(d, k, re);
        if (v == valueAt && topKey != null && !options.parsing().keepOriginal()) {
          continue;
        }
        if (into != null ? equal(d, ks, kl, into) : sink.hasKey(d, ks, kl)) {
          continue;
        }
      }
      out.raw(d, k, q - k);
      kept++;
    }
    return kept;
  }

  private static boolean equal(byte[] d, int off, int len, byte[] key) {
    if (len != key.length) {
      return false;
    }
    for (int i = 0; i < len; i++) {
      if (d[off + i] != key[i]) {
        return false;
      }
    }
    return true;
  }

  /** {@code failure}: the counter's name, then after a colon what the parser said. */
  private void fail(String failure, byte[] d, int entryStart, int entryEnd) {
    int colon = failure.indexOf(':');
    context.metrics().count("parse_errors", 1);
    context.metrics().count(colon < 0 ? failure : failure.substring(0, colon), 1);
    String reason = failure;
    switch (options.parsing().onError()) {
      case KEEP -> out.entries(d, entryStart, entryEnd - entryStart, 1);
      case DROP -> context.metrics().dropped(1);
      case DEAD_LETTER -> deadLetters.computeIfAbsent(reason, r -> new RecordWriter())
          .entries(d, entryStart, entryEnd - entryStart, 1);
    }
  }

  private void settleFailures(Batch batch, int failed) throws IOException {
    warn(failed + " of " + batch.count() + " events of tag " + batch.tag() + " did not parse as "
        + options.format() + " (" + options.parsing().onError().name().toLowerCase(java.util.Locale.ROOT)
        + "; counted by reason in the step's counters)");
    for (Map.Entry<String, RecordWriter> e : deadLetters.entrySet()) {
      if (e.getValue().count() > 0) {
        // written before the batch goes on: if the file cannot be written, the whole batch is retried
        context.deadLetter(e.getValue().build(batch.tag(), io.swak.api.Ack.NONE),
            "parse " + options.format() + ": " + describe(e.getKey()));
      }
    }
  }

  private String describe(String failure) {
    int colon = failure.indexOf(':');
    String detail = colon < 0 ? "" : failure.substring(colon + 2);
    return switch (colon < 0 ? failure : failure.substring(0, colon)) {
      case "no_field" -> "the record has no field " + options.key();
      case "not_text" -> "the field " + options.key() + " is not text";
      case "no_match" -> LineRecords.describe(ParseResult.Kind.NO_MATCH, detail);
      case "malformed" -> LineRecords.describe(ParseResult.Kind.MALFORMED, detail);
      default -> failure;
    };
  }

  private void warn(String message) {
    if (warnEvery.due()) {
      LOG.warn("{}: {}: {}", context.taskName(), context.stepName(), message);
    }
  }
}
