package io.swak.plugins.exec;

import io.swak.api.DataSize;
import io.swak.api.Option;
import io.swak.api.Plugin;
import io.swak.support.Schedule;
import java.nio.file.Path;
import java.time.Duration;
import java.time.ZoneId;
import java.util.List;
import java.util.Map;

/**
 * {@code in.Exec}: a program's standard output as events, like Fluent Bit's exec input and Vector's exec
 * source. {@code mode: scheduled} runs the command every {@code interval} or on a cron {@code schedule};
 * {@code mode: stream} keeps one running and restarts it with backoff when it exits.
 */
public final class ExecInputPlugin extends Plugin<ExecInputPlugin.Options> {

  /** When the command runs. */
  public enum Mode { SCHEDULED, STREAM }

  /** How stdout lines become records. */
  public enum Format { TEXT, JSON }

  /** Options of in.Exec. */
  public record Options(
      @Option(value = "Command line to run, split into words with '…', \"…\" and \\ as in a shell (no shell runs it: "
          + "write `sh -c '…'` for pipes or variables).", required = true, aliases = {"cmd"})
      String command,
      @Option(value = "scheduled: run the command every `interval` or on `schedule`, each run read to its end; "
          + "stream: keep it running and read its output as it comes, restarting it with backoff when it exits.",
          defaultValue = "scheduled")
      Mode mode,
      @Option(value = "text: each line is `{message: line}`; json: each line is a JSON object taken as the record "
          + "(a line that is not one is kept as `{message: line}` and counted as invalid_json).",
          defaultValue = "text")
      Format format,
      @Option(value = "Key of the line in text records (and of lines that are not JSON).", defaultValue = "message",
          aliases = {"key"})
      String messageKey,
      @Option("Tag of the line events. Default: exec.<program name>.")
      String tag,
      @Option(value = "Emit an event per finished run (exit_code, duration_ms, lines, timed_out, the end of stderr) "
          + "tagged run_tag.", defaultValue = "true")
      boolean runEvents,
      @Option("Tag of the run events. Default: <tag>.run.")
      String runTag,
      @Option(value = "Scheduled mode: time between the starts of two runs (a run still going when the next is due "
          + "delays it, counted as runs_skipped).", defaultValue = "60s")
      Duration interval,
      @Option("Scheduled mode: cron line (5 fields, or 6 with seconds first), @hourly/@daily…, or `N seconds`; "
          + "replaces interval.")
      Schedule schedule,
      @Option("Time zone of `schedule`. Default: the system's.")
      ZoneId scheduleTimeZone,
      @Option("Scheduled mode: kill the run's process group when it runs longer than this (the run event says "
          + "timed_out). Default: the interval, or no limit with a schedule.")
      Duration timeout,
      @Option("Environment variables set for the command, on top of the agent's.")
      Map<String, String> env,
      @Option("Working directory of the command. Default: the agent's.")
      Path workingDir,
      @Option(value = "Longest line kept: a longer one keeps its first max_line_size bytes (counted as "
          + "lines_truncated).", defaultValue = "1MiB")
      DataSize maxLineSize,
      @Option(value = "Most of stderr kept for the run event (its last bytes).", defaultValue = "4KiB")
      DataSize maxStderrSize,
      @Option(value = "Output read but not yet acknowledged by the task's outputs; past it the command's stdout is "
          + "not read (its writes block) until acknowledgements come.", defaultValue = "8MiB")
      DataSize maxPendingSize,
      @Option(value = "Stream mode: wait before restarting a command that exited; doubles after each quick exit.",
          defaultValue = "1s")
      Duration restartWait,
      @Option(value = "Stream mode: longest wait before a restart (a run that lasted longer than this resets the "
          + "wait).", defaultValue = "60s")
      Duration restartMaxWait) {

    public Options {
      if (command != null) {
        ExecPlugin.words(command, "command");
      }
      positive(interval, "interval");
      positive(timeout, "timeout");
      positive(restartWait, "restart_wait");
      positive(restartMaxWait, "restart_max_wait");
      if (maxLineSize != null && maxLineSize.bytes() < 1) {
        throw new IllegalArgumentException("option `max_line_size` must be more than 0");
      }
      if (maxLineSize != null && maxLineSize.bytes() > Integer.MAX_VALUE - 16) {
        throw new IllegalArgumentException("option `max_line_size` must be less than 2GiB");
      }
      if (maxStderrSize != null && maxStderrSize.bytes() > (64 << 20)) {
        throw new IllegalArgumentException("option `max_stderr_size` must be 64MiB or less");
      }
      if (maxPendingSize != null && maxPendingSize.bytes() < 1) {
        throw new IllegalArgumentException("option `max_pending_size` must be more than 0");
      }
      if (mode == Mode.STREAM && (schedule != null || timeout != null)) {
        throw new IllegalArgumentException("`schedule` and `timeout` are for mode: scheduled; a stream command "
            + "runs until it exits");
      }
      if (tag != null && tag.isBlank() || runTag != null && runTag.isBlank()) {
        throw new IllegalArgumentException("option `tag`/`run_tag` is empty: leave it out for the default");
      }
      env = env == null ? Map.of() : Map.copyOf(env);
    }

    static void positive(Duration d, String name) {
      if (d != null && (d.isZero() || d.isNegative())) {
        throw new IllegalArgumentException("option `" + name + "` must be more than 0");
      }
    }

    /** The program and its arguments. */
    List<String> words() {
      return ExecPlugin.words(command, "command");
    }

    /** The tag of line events. */
    String lineTag() {
      if (tag != null) {
        return tag;
      }
      String program = Path.of(words().get(0)).getFileName().toString().replaceAll("[^A-Za-z0-9_.-]", "_");
      return "exec." + program;
    }

    /** The tag of run events. */
    String runTagOrDefault() {
      return runTag != null ? runTag : lineTag() + ".run";
    }
  }

  public ExecInputPlugin() {
    super("in.Exec", "Runs a command on an interval or a cron schedule, or keeps one running, and reads its "
        + "output lines (text or JSON) as events; each run's exit code, duration and stderr as a run event.",
        Options.class, ExecInput::new);
  }
}
