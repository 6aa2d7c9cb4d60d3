package io.swak.plugins.exec;

import io.swak.api.Ack;
import io.swak.api.Batch;
import io.swak.api.BatchBuilder;
import io.swak.api.Durations;
import io.swak.api.Input;
import io.swak.api.StepContext;
import io.swak.support.Pacer;
import java.io.File;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * in.Exec. One {@link ProcessLines} at a time: in scheduled mode a run starts when the {@link Pacer} says
 * (interval or cron schedule) and is read to its end; in stream mode a run starts at once and, when it exits,
 * again after a backoff (restart_wait doubling to restart_max_wait, reset by a run that lasted longer than
 * restart_max_wait), each exit counted as {@code restarts} and logged with the end of its stderr.
 *
 * <p>After the last line of a run comes its run event (tagged run_tag): command, pid, exit_code, duration_ms,
 * lines, timed_out, stderr (its last max_stderr_size bytes) and stderr_truncated. Exit codes are counted
 * ({@code runs}, {@code run_failures}, {@code timeouts}), Vector's exec source logs them; the run event puts them
 * in the stream as well, so a failing cron job can be alerted on downstream.
 *
 * <p>Events are not kept across restarts of the agent (a command's output cannot be read again): what was read
 * but not acknowledged when the agent dies is lost, as with Fluent Bit's and Vector's exec inputs.
 */
final class ExecInput implements Input {

  private static final Logger LOG = LoggerFactory.getLogger("swak.exec");
  private static final File NULL_FILE =
      new File(System.getProperty("os.name").startsWith("Windows") ? "NUL" : "/dev/null");

  private final ExecInputPlugin.Options o;
  private final List<String> command;
  private final String tag;
  private final String runTag;
  private final byte[] messageKey;
  private final BatchBuilder runBuilder = new BatchBuilder();
  private StepContext context;
  private Pacer pacer;
  private ProcessLines run;
  private RestartBackoff restarts;

  ExecInput(ExecInputPlugin.Options options) {
    this.o = options;
    this.command = options.words();
    this.tag = options.lineTag();
    this.runTag = options.runTagOrDefault();
    this.messageKey = BatchBuilder.key(options.messageKey());
  }

  @Override
  public void start(StepContext ctx) {
    this.context = ctx;
    this.restarts = new RestartBackoff(o.restartWait(), o.restartMaxWait());
    this.pacer = o.mode() == ExecInputPlugin.Mode.STREAM
        ? new Pacer(o.restartWait(), null, null, ctx.clock()) // the first run starts at once
        : new Pacer(o.interval(), o.schedule(), o.scheduleTimeZone(), ctx.clock());
    LOG.info("{}, {}: running {} {}", ctx.taskName(), ctx.stepName(), command.get(0),
        o.mode() == ExecInputPlugin.Mode.STREAM ? "as a stream" : pacer.toString());
  }

  @Override
  public Batch poll(Duration maxWait) throws Exception {
    if (run == null) {
      if (!pacer.await(context, maxWait) || context.stopping()) {
        return null;
      }
      startRun();
      if (run == null) {
        return null; // it could not start: counted, logged, tried again when next due
      }
    }
    Batch b = run.take(maxWait, tag, () -> Ack.NONE);
    if (b != null) {
      context.metrics().count("lines", b.count());
      return b;
    }
    if (!run.finished()) {
      return null;
    }
    return ended();
  }

  private void startRun() {
    ProcessBuilder pb = new ProcessBuilder().redirectInput(ProcessBuilder.Redirect.from(NULL_FILE));
    pb.environment().putAll(o.env());
    if (o.workingDir() != null) {
      pb.directory(o.workingDir().toFile());
    }
    boolean stream = o.mode() == ExecInputPlugin.Mode.STREAM;
    if (!stream) {
      pacer.done(); // the next run is due an interval after this one started, or at the next fire time
    }
    context.metrics().count("runs", 1);
    restarts.started();
    try {
      Process p = Processes.start(pb, command);
      run = new ProcessLines(context.taskName() + " " + context.stepName(), p, this::decode,
          (int) o.maxLineSize().bytes(), o.maxPendingSize().bytes(), (int) o.maxStderrSize().bytes(),
          context.metrics());
    } catch (IOException e) {
      context.metrics().errors(1);
      context.metrics().count("run_failures", 1);
      if (stream) {
        Duration wait = restarts.next();
        pacer.after(wait);
        LOG.warn("{}, {}: {}; trying again in {}", context.taskName(), context.stepName(), e.getMessage(),
            Durations.format(wait));
      } else {
        LOG.warn("{}, {}: {}", context.taskName(), context.stepName(), e.getMessage());
      }
      return;
    }
    Duration timeout = o.timeout() != null ? o.timeout() : o.schedule() == null && !stream ? o.interval() : null;
    if (timeout != null) {
      run.timeout(timeout);
    }
  }

  /** The run event of the run that ended, and when the next one starts. */
  private Batch ended() {
    ProcessLines.Exit exit = run.exit();
    long pid = run.pid();
    IOException readFailure = run.readFailure();
    run = null;
    boolean failed = exit.exitCode() != 0 || exit.timedOut();
    if (failed) {
      context.metrics().count("run_failures", 1);
    }
    if (exit.timedOut()) {
      context.metrics().count("timeouts", 1);
      LOG.warn("{}, {}: {} ran longer than its timeout and was killed with its process group{}", context.taskName(),
          context.stepName(), command.get(0), stderrForLog(exit));
    }
    if (readFailure != null) {
      context.metrics().errors(1);
      LOG.warn("{}, {}: reading the output of {} failed: {}", context.taskName(), context.stepName(),
          command.get(0), readFailure.getMessage());
    }
    if (o.mode() == ExecInputPlugin.Mode.STREAM) {
      context.metrics().count("restarts", 1);
      Duration wait = restarts.next();
      pacer.after(wait);
      LOG.warn("{}, {}: {} exited with status {} after {} lines; restarting it in {}{}", context.taskName(),
          context.stepName(), command.get(0), exit.exitCode(), exit.lines(), Durations.format(wait),
          stderrForLog(exit));
    } else {
      if (!exit.timedOut() && exit.exitCode() != 0) {
        LOG.warn("{}, {}: {} exited with status {}{}", context.taskName(), context.stepName(), command.get(0),
            exit.exitCode(), stderrForLog(exit));
      }
      if (pacer.isDue()) {
        context.metrics().count("runs_skipped", 1); // it ran past the time the next run was due
        pacer.done();
      }
    }
    if (!o.runEvents()) {
      return Batch.empty(runTag, Ack.NONE);
    }
    Map<String, Object> r = new LinkedHashMap<>();
    r.put("command", o.command());
    r.put("pid", pid);
    r.put("exit_code", exit.exitCode());
    r.put("duration_ms", TimeUnit.NANOSECONDS.toMillis(exit.durationNanos()));
    r.put("lines", exit.lines());
    r.put("timed_out", exit.timedOut());
    r.put("stderr", exit.stderr());
    r.put("stderr_truncated", exit.stderrCut());
    runBuilder.add(context.nowNanos(), r);
    return runBuilder.build(runTag, Ack.NONE);
  }

  private static String stderrForLog(ProcessLines.Exit exit) {
    if (exit.stderr().isEmpty()) {
      return "";
    }
    byte[] b = exit.stderr().getBytes(StandardCharsets.UTF_8);
    int from = Math.max(0, b.length - Processes.TAIL_BYTES);
    return ": " + (from > 0 || exit.stderrCut() ? "…" : "") + Processes.oneLine(b, from, b.length - from);
  }

  /** One stdout line into the pending batch (reader thread). */
  private void decode(byte[] b, int off, int len, BatchBuilder into) {
    long now = context.nowNanos();
    if (o.format() == ExecInputPlugin.Format.JSON) {
      Map<String, Object> record = Exec.object(new String(b, off, len, StandardCharsets.UTF_8));
      if (record != null) {
        into.add(now, record);
        return;
      }
      context.metrics().count("invalid_json", 1);
    }
    into.addMessage(now, messageKey, b, off, len);
  }

  @Override
  public void close() {
    if (run != null) {
      run.close(); // the command is killed: a stop does not wait for a stream that never ends
      run = null;
    }
  }
}
