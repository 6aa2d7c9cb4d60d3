package io.swak.plugins.exec;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonParser;
import io.swak.api.Batch;
import io.swak.api.BatchBuilder;
import io.swak.api.Stage;
import io.swak.api.StepContext;
import io.swak.api.Durations;
import io.swak.support.JsonValues;
import io.swak.support.LineFormat;
import io.swak.support.StepFiles;
import java.io.BufferedReader;
import java.io.File;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.InterruptedIOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * Runs the command of {@code out.Exec} once per batch: the events go to a temp input file, the command gets
 * that file and the path of an output file as its last two arguments, and each line it writes there becomes
 * an event (a JSON object as it is, any other line as {@code {"message": line}}), sent on under the incoming
 * batch's acknowledgement, so the input's checkpoint moves only once the results are delivered.
 *
 * <p>A command that cannot start, exits non-zero or outlives {@code timeout} (then it is killed with its
 * process group, see {@link Processes}) fails the batch with an {@link IOException} that carries the end of its
 * stdout/stderr: behind a buffer the chunk is retried with backoff, otherwise the task restarts and the input
 * sends the batch again, so nothing is lost. The step's three temp files are deleted after every run.
 *
 * <p>A stop lets a running command finish (within {@code timeout}): a buffer flushing at stop delivers its
 * last chunk through the command, as Fluentd flushes at shutdown.
 */
final class Exec implements Stage {

  private static final JsonFactory JSON = new JsonFactory();
  private static final File NULL_FILE =
      new File(System.getProperty("os.name").startsWith("Windows") ? "NUL" : "/dev/null");

  private final List<String> command;
  private final LineFormat format;
  private final String tag;
  private final Duration timeout;
  private final long maxResultBytes;
  private final BatchBuilder builder = new BatchBuilder();
  private StepContext context;
  private Path dir;

  Exec(ExecPlugin.Options o) {
    this.command = o.command();
    this.format = new LineFormat(o.format(), o.messageKey());
    this.tag = o.tag();
    this.timeout = o.timeout();
    this.maxResultBytes = o.maxResultSize().bytes();
  }

  @Override
  public void start(StepContext ctx) throws IOException {
    this.context = ctx;
    dir = ctx.dataDir().resolve("exec").resolve(StepFiles.id(ctx));
    Files.createDirectories(dir);
    // files of a run the agent did not finish (a crash): their batches were never acknowledged
    try (DirectoryStream<Path> left = Files.newDirectoryStream(dir)) {
      left.forEach(Exec::deleteQuietly);
    }
  }

  @Override
  public void accept(Batch batch, Emitter next) throws Exception {
    if (batch.isEmpty()) {
      next.emit(batch);
    } else {
      handle(batch, next);
    }
  }

  /** Synchronized: a buffer's flusher and the task thread may both send batches; one command runs at a time. */
  private synchronized void handle(Batch batch, Emitter next) throws Exception {
    Path in = Files.createTempFile(dir, "batch-", ".in");
    String base = in.getFileName().toString().replaceFirst("\\.in$", "");
    Path out = dir.resolve(base + ".out");
    Path log = dir.resolve(base + ".log");
    Batch result;
    try {
      try (OutputStream os = Files.newOutputStream(in)) {
        format.write(batch, os); // writes in blocks of ~256 KiB: no buffering needed
      }
      run(in, out, log);
      result = results(out, tag != null ? tag : batch.tag(), batch);
    } catch (IOException e) {
      context.metrics().count("exec_failures", 1);
      context.metrics().errors(1);
      throw e;
    } finally {
      for (Path p : List.of(in, out, log)) {
        deleteQuietly(p);
      }
    }
    if (result == null) {
      batch.ack().done(); // the command kept nothing of this batch
    } else {
      next.emit(result);
    }
  }

  /** Runs the command on {@code in}; returns when it exited with status 0, else throws saying why. */
  private void run(Path in, Path out, Path log) throws IOException {
    List<String> args = new ArrayList<>(command);
    args.add(in.toString());
    args.add(out.toString());
    ProcessBuilder pb = new ProcessBuilder()
        .redirectInput(ProcessBuilder.Redirect.from(NULL_FILE))
        .redirectOutput(ProcessBuilder.Redirect.to(log.toFile()))
        .redirectErrorStream(true);
    context.metrics().count("exec_runs", 1);
    Process p = Processes.start(pb, args);
    boolean exited;
    try {
      exited = p.waitFor(timeout.toNanos(), TimeUnit.NANOSECONDS);
    } catch (InterruptedException e) {
      Processes.kill(p, Duration.ZERO);
      Thread.currentThread().interrupt();
      throw new InterruptedIOException("interrupted while " + command.get(0) + " ran; it was killed");
    }
    if (!exited) {
      Processes.kill(p, Duration.ZERO);
      throw new IOException("command timed out after " + Durations.format(timeout) + " and was killed"
          + Processes.tail(log));
    }
    if (p.exitValue() != 0) {
      throw new IOException("command exited with status " + p.exitValue() + Processes.tail(log));
    }
  }

  /** The events the command wrote to {@code out}, or null when it wrote none (or no file). */
  private Batch results(Path out, String resultTag, Batch in) throws IOException {
    if (!Files.exists(out)) {
      return null;
    }
    long size = Files.size(out);
    if (size > maxResultBytes) {
      throw new IOException("the command wrote " + size + " bytes of results, more than max_result_size ("
          + maxResultBytes + " bytes)");
    }
    long time = context.nowNanos();
    // an InputStreamReader replaces malformed bytes with U+FFFD instead of failing
    try (BufferedReader r = new BufferedReader(new InputStreamReader(Files.newInputStream(out),
        StandardCharsets.UTF_8), 1 << 16)) {
      for (String line = r.readLine(); line != null; line = r.readLine()) {
        if (!line.isBlank()) {
          Map<String, Object> record = object(line);
          builder.add(time, record != null ? record : Map.of("message", line));
        }
      }
    } catch (IOException | RuntimeException e) {
      builder.clear(); // the builder is reused
      throw e;
    }
    return builder.count() == 0 ? null : builder.build(resultTag, in.ack());
  }

  /** The line as a record when it is exactly one JSON object, else null. */
  static Map<String, Object> object(String line) {
    if (!line.stripLeading().startsWith("{")) {
      return null;
    }
    try (JsonParser p = JSON.createParser(line)) {
      p.nextToken();
      @SuppressWarnings("unchecked")
      Map<String, Object> m = (Map<String, Object>) JsonValues.read(p);
      return p.nextToken() == null ? m : null;
    } catch (IOException | RuntimeException e) {
      return null; // not JSON (or more than one value): the line is a message
    }
  }

  /** Never hides the failure being thrown; what cannot be deleted now is tried again at the next start. */
  private static void deleteQuietly(Path p) {
    try {
      Files.deleteIfExists(p);
    } catch (IOException e) {
      // e.g. the command made a directory there
    }
  }

}
