package io.swak.core.runtime;

import io.swak.api.Batch;
import io.swak.api.Output;
import io.swak.api.StepContext;
import io.swak.support.LineFormat;
import java.io.BufferedOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The dead-letter file of an output: JSON lines of the events given up on or rejected, each with the
 * reason, counted ({@code dead_lettered}, {@code dropped}) and logged — never lost silently.
 */
final class DeadLetters {

  private static final Logger LOG = LoggerFactory.getLogger("swak.output");

  private final Path file;
  private final StepContext context;
  private final String where;
  private final LineFormat format = new LineFormat(LineFormat.Kind.JSON, "message");

  /** {@code file} null: {@code <data_dir>/dead-letter/<task>.jsonl}. */
  DeadLetters(Path file, StepContext context, String where) {
    this.file = file != null ? file : context.dataDir().resolve("dead-letter")
        .resolve(context.taskName().replaceAll("[^A-Za-z0-9._-]", "_") + ".jsonl");
    this.context = context;
    this.where = where;
  }

  /**
   * Appends the entries an output refused, each line with its part's reason, in one write; counts them in all
   * ({@code dead_lettered}) and by cause ({@code dead_lettered.<cause>}) and logs one line for them all.
   */
  synchronized void write(List<Output.Part> parts) throws IOException {
    if (parts.isEmpty()) {
      return;
    }
    Files.createDirectories(file.toAbsolutePath().getParent());
    Map<String, Integer> byCause = new LinkedHashMap<>();
    int n = 0;
    try (OutputStream out = new BufferedOutputStream(
        Files.newOutputStream(file, StandardOpenOption.CREATE, StandardOpenOption.APPEND), 1 << 16)) {
      for (Output.Part p : parts) {
        format.write(p.entries(), out, "rejected: " + p.reason());
        byCause.merge(p.cause(), p.entries().count(), Integer::sum);
        n += p.entries().count();
      }
    }
    context.metrics().dropped(n);
    context.metrics().count("dead_lettered", n);
    byCause.forEach((cause, count) -> context.metrics().count("dead_lettered." + counterName(cause), count));
    LOG.error("{}: {} events refused by the destination ({}; the first: {}); written to dead-letter file {}", where,
        n, byCause.entrySet().stream().map(e -> e.getValue() + " " + e.getKey())
            .collect(java.util.stream.Collectors.joining(", ")), parts.get(0).reason(), file);
  }

  /** A cause as part of a counter name: {@code 400 mapper_parsing_exception} → {@code 400_mapper_parsing_exception}. */
  static String counterName(String cause) {
    String s = cause.toLowerCase(Locale.ROOT).replaceAll("[^a-z0-9]+", "_").replaceAll("^_+|_+$", "");
    return s.isEmpty() ? "other" : s.length() > 80 ? s.substring(0, 80) : s;
  }

  /** Appends the events of {@code batch}; throws when they could not be written (they stay unacknowledged). */
  synchronized void write(Batch batch, String why) throws IOException {
    Files.createDirectories(file.toAbsolutePath().getParent());
    try (OutputStream out = Files.newOutputStream(file, StandardOpenOption.CREATE, StandardOpenOption.APPEND)) {
      format.write(batch, out, why);
    }
    context.metrics().dropped(batch.count());
    context.metrics().count("dead_lettered", batch.count());
    LOG.error("{}: {} events {}; written to dead-letter file {}", where, batch.count(), why, file);
  }
}
