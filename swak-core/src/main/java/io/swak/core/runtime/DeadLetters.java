package io.swak.core.runtime;

import io.swak.api.Batch;
import io.swak.api.StepContext;
import io.swak.support.LineFormat;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
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
