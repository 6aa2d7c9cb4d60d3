package io.swak.sample;

import io.swak.api.Batch;
import io.swak.api.BatchBuilder;
import io.swak.api.Event;
import io.swak.api.Processor;
import io.swak.api.StepContext;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** Parses {@code message} lines of the sample format into fields, one batch at a time. */
final class MyLogParser implements Processor {

  /** {@code 2026-11-21 14:38:12.345 [WARN] (worker-3) order 42: payment retried}. */
  static final Pattern LINE = Pattern.compile(
      "(?<date>\\d{4}-\\d{2}-\\d{2} \\d{2}:\\d{2}:\\d{2}(?:\\.\\d{1,9})?) \\[(?<level>[A-Z]+)\\] "
          + "\\((?<thread>[^)]*)\\) (?<text>.*)");
  static final Pattern ORDER = Pattern.compile("order (\\d+):.*");

  private final MyLogParserPlugin.Options options;
  private StepContext context;

  MyLogParser(MyLogParserPlugin.Options options) {
    this.options = options;
  }

  @Override
  public void start(StepContext ctx) {
    this.context = ctx;
  }

  @Override
  public Batch process(Batch batch) {
    BatchBuilder out = new BatchBuilder();
    long mismatched = 0;
    for (Event e : batch.events()) {
      Object v = e.record().get(options.key());
      String line = v instanceof byte[] b ? new String(b, StandardCharsets.UTF_8) : v == null ? null : v.toString();
      Matcher m = line == null ? null : LINE.matcher(line);
      if (m == null || !m.matches()) {
        mismatched++;
        if (options.onMismatch() == MyLogParserPlugin.OnMismatch.KEEP) {
          Map<String, Object> r = new LinkedHashMap<>(e.record());
          r.put("parse_error", true);
          out.add(e.timeNanos(), r);
        }
        continue;
      }
      Map<String, Object> r = new LinkedHashMap<>(e.record());
      if (!options.keepOriginal()) {
        r.remove(options.key());
      }
      r.put("date", m.group("date"));
      r.put("level", m.group("level"));
      r.put("thread", m.group("thread"));
      String text = m.group("text");
      r.put("text", text);
      Matcher o = ORDER.matcher(text);
      if (o.matches()) {
        r.put("order", Long.parseLong(o.group(1)));
      }
      out.add(e.timeNanos(), r);
    }
    if (mismatched > 0 && context != null) {
      context.metrics().count("mismatched", mismatched);
      if (options.onMismatch() == MyLogParserPlugin.OnMismatch.DROP) {
        context.metrics().dropped(mismatched);
      }
    }
    if (out.count() == 0) {
      return null; // all dropped: the runtime acknowledges the batch
    }
    return out.build(batch.tag(), batch.ack());
  }
}
