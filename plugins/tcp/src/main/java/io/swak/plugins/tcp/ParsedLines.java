package io.swak.plugins.tcp;

import io.swak.api.Batch;
import io.swak.api.StepContext;
import io.swak.parsers.LineRecords;
import io.swak.parsers.ParserOptions;
import io.swak.support.FailureText;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Locale;
import java.util.function.Consumer;

/**
 * in.Tcp's and in.Udp's {@code format:} with a parser of the parse step (nginx, regex, …): each line is parsed once
 * from the bytes received into a whole entry; a line that does not parse gets the on_error outcome (kept as
 * {@code {message: line}}, dropped, or written to the dead-letter file) and is counted. One per connection (in.Tcp)
 * or socket handler (in.Udp): a parser serves one thread.
 */
final class ParsedLines {

  private final LineRecords records;
  private final byte[] sourceKey;
  private final String messageKey;

  ParsedLines(LineRecords records, String sourceKey, String messageKey) {
    this.records = records;
    this.messageKey = messageKey;
    this.sourceKey = sourceKey == null || sourceKey.isEmpty() ? null : sourceKey.getBytes(StandardCharsets.UTF_8);
  }

  /**
   * The options' format in lower case, checked: one of the input's own ({@code own}) or a parser of the library with
   * its options. Throws IllegalArgumentException with what is wrong.
   */
  static String format(String format, List<String> own, ParserOptions parsing) {
    String f = format == null ? own.get(0) : format.trim().toLowerCase(Locale.ROOT);
    if (own.contains(f)) {
      if (parsing.parserOnlyGiven()) {
        throw new IllegalArgumentException("regex, types, columns, delimiter, time_format, time_zone, keep_original, "
            + "on_error and into are options of a parser format (e.g. format: regex), not of format " + f);
      }
      return f;
    }
    if (!LineRecords.isFormat(f)) {
      throw new IllegalArgumentException("option `format`: " + f + " is neither " + String.join(", ", own)
          + " nor a parser (json, regex, logfmt, ltsv, csv, apache, nginx, syslog, cri, docker)");
    }
    String rejected = parsing.check(f);
    if (rejected != null) {
      throw new IllegalArgumentException("format: " + rejected);
    }
    return f;
  }

  /**
   * Appends the entry of the line {@code b[off, end)} of an event of {@code tag}: parsed, or by on_error
   * {@code {message: line}}, nothing (dropped), or nothing yet (the dead-letter file, at {@link #report}).
   */
  void line(String tag, byte[] b, int off, int end, long now, byte[] source, JsonRecords json, EntryBuffer out) {
    switch (records.parse(tag, b, off, end - off, now, source == null ? null : sourceKey, source)) {
      case PARSED -> out.entries(records.entry(), 0, records.entryLength(), 1);
      case KEEP -> json.message(b, off, end, now, source, out);
      case GONE -> { } // dropped or set aside for the dead-letter file, counted
    }
  }

  /**
   * Counts what did not parse since the last report and writes the lines given up to the dead-letter file; a batch
   * that cannot be written there goes to {@code kept} instead (on to the task, as on_error keep would: nothing is
   * lost). Returns what became of the lines that did not parse, to log (rate-limited by the caller) after
   * "lines … that are not FORMAT", or null when every line parsed.
   */
  String report(StepContext context, Consumer<Batch> kept) {
    long failed = records.count(context.metrics());
    if (records.hasDeadLetters()) {
      IOException e = records.takeDeadLetters(context::deadLetter, kept);
      if (e != null) {
        return "could not be written to the dead-letter file (" + FailureText.of(e) + ") and " + keptAs()
            + " instead (counters parse_errors, no_match, malformed)";
      }
    }
    if (failed == 0) {
      return null; // every report of a healthy stream ends here: no text built
    }
    return switch (records.onError()) {
      case KEEP -> keptAs();
      case DROP -> "were dropped";
      case DEAD_LETTER -> "were written to the dead-letter file";
    } + " (counters parse_errors, no_match, malformed)";
  }

  private String keptAs() {
    return "were kept as {\"" + messageKey + "\": line}";
  }

  String formatName() {
    return records.format();
  }
}
