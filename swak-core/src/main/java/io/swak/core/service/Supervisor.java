package io.swak.core.service;

import java.io.File;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.time.OffsetDateTime;
import java.time.format.DateTimeFormatter;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import sun.misc.Signal;

/**
 * The monitor process of {@code swak start} (logpipe's monitor/worker split): it holds the pid file, runs
 * the agent as a child worker JVM, restarts the worker when it crashes (kill -9, out of memory, a JVM
 * crash) with a growing delay, gives up after repeated fast crashes, and passes TERM, INT, HUP, USR1 and
 * USR2 on to the worker. It uses only the JDK (no logging library, no config parsing) and runs with a
 * 16 MiB heap, so it costs little and has little that can fail. Checkpoints and disk buffers live in the
 * data directory, so a restarted worker resumes from them.
 *
 * <p>Usage: {@code Supervisor --pid-file P --status-file S [--log-file L] -- WORKER COMMAND...}
 */
public final class Supervisor {

  private static final DateTimeFormatter TIME = DateTimeFormatter.ofPattern("yyyy-MM-dd'T'HH:mm:ss.SSSXXX");

  private final PidFile pidFile;
  private final StatusFile statusFile;
  private final Path logFile;
  private final List<String> worker;
  private final CrashBackoff backoff;
  private final CountDownLatch stopping = new CountDownLatch(1);
  private volatile Process current;

  Supervisor(PidFile pidFile, StatusFile statusFile, Path logFile, List<String> worker, CrashBackoff backoff) {
    this.pidFile = pidFile;
    this.statusFile = statusFile;
    this.logFile = logFile;
    this.worker = worker;
    this.backoff = backoff;
  }

  public static void main(String[] args) {
    Path pid = null;
    Path status = null;
    Path log = null;
    List<String> cmd = new ArrayList<>();
    for (int i = 0; i < args.length; i++) {
      switch (args[i]) {
        case "--pid-file" -> pid = Path.of(args[++i]);
        case "--status-file" -> status = Path.of(args[++i]);
        case "--log-file" -> log = Path.of(args[++i]);
        case "--" -> {
          cmd.addAll(List.of(args).subList(i + 1, args.length));
          i = args.length;
        }
        default -> {
          System.err.println("swak supervisor: unknown argument " + args[i]);
          System.exit(2);
        }
      }
    }
    if (pid == null || cmd.isEmpty()) {
      System.err.println("usage: Supervisor --pid-file P [--status-file S] [--log-file L] -- WORKER COMMAND...");
      System.exit(2);
    }
    StatusFile sf = status != null ? new StatusFile(status) : StatusFile.besides(pid);
    System.exit(new Supervisor(new PidFile(pid), sf, log, cmd, CrashBackoff.defaults()).run());
  }

  int run() {
    return run(true);
  }

  /** {@code signals} false leaves the JVM's handlers alone (tests run the loop inside their own JVM). */
  int run(boolean signals) {
    long me = ProcessHandle.current().pid();
    try {
      Optional<Long> other = pidFile.claim(me);
      if (other.isPresent()) {
        log("ERROR", "swak is already running (pid " + other.get() + ", pid file " + pidFile + ")");
        return 1;
      }
    } catch (IOException e) {
      log("ERROR", "cannot write pid file " + pidFile + ": " + e.getMessage());
      return 1;
    }
    try {
      deleteQuietly(statusFile);
      if (signals) {
        handleSignals();
      }
      return superviseLoop();
    } finally {
      pidFile.release(me);
    }
  }

  private void handleSignals() {
    for (String name : List.of("TERM", "INT")) {
      Signal.handle(new Signal(name), s -> {
        log("INFO", "supervisor: SIG" + name + ": stopping the worker");
        stopping.countDown();
        Process p = current;
        if (p != null) {
          p.destroy(); // SIGTERM: the worker stops gracefully
        }
      });
    }
    for (String name : List.of("HUP", "USR1", "USR2")) {
      Signal.handle(new Signal(name), s -> {
        Process p = current;
        if (p != null && p.isAlive()) {
          Signals.send(name, p.pid());
        }
      });
    }
  }

  private int superviseLoop() {
    boolean everUp = false;
    while (true) {
      long started = System.nanoTime();
      Process p;
      try {
        p = new ProcessBuilder(worker).redirectInput(ProcessBuilder.Redirect.from(devNull()))
            .redirectOutput(ProcessBuilder.Redirect.INHERIT).redirectError(ProcessBuilder.Redirect.INHERIT).start();
      } catch (IOException e) {
        log("ERROR", "supervisor: cannot start the worker (" + worker.get(0) + "): " + e.getMessage());
        return 1;
      }
      current = p;
      if (stopping.getCount() == 0) {
        p.destroy(); // a stop arrived while starting
      }
      int code = waitFor(p);
      boolean wasUp = statusFile.exists(); // the worker writes it once up, and removes it on a clean stop
      everUp |= wasUp;
      deleteQuietly(statusFile); // that worker is gone: `swak status` must not show its last numbers as current
      Duration ran = Duration.ofNanos(System.nanoTime() - started);
      if (stopping.getCount() == 0) {
        log("INFO", "supervisor: worker (pid " + p.pid() + ") stopped with exit code " + code);
        return code == 0 || code == 143 ? 0 : code;
      }
      if (code == 0) {
        log("INFO", "supervisor: worker (pid " + p.pid() + ") ended normally; stopping");
        return 0;
      }
      if (!everUp) {
        // it never came up: a config or startup error that a restart would only repeat
        log("ERROR", "supervisor: the worker failed to start (" + describe(code) + "); not restarting it");
        return 1;
      }
      Duration wait = backoff.afterCrash(ran);
      if (wait == null) {
        log("ERROR", "supervisor: the worker crashed " + backoff.maxFastCrashes() + " times in a row within "
            + backoff.fastCrash().toSeconds() + " s of starting (last: " + describe(code)
            + "); giving up. Read the log above for the cause, fix it, then `swak start` again");
        return 1;
      }
      log("WARN", "supervisor: worker (pid " + p.pid() + ") " + describe(code) + " after "
          + ran.truncatedTo(ChronoUnit.MILLIS).toString().substring(2).toLowerCase() + "; restarting it in "
          + wait.toMillis() + " ms (checkpoints and disk buffers are kept)");
      try {
        if (stopping.await(wait.toMillis(), TimeUnit.MILLISECONDS)) {
          return 0;
        }
      } catch (InterruptedException e) {
        return 1;
      }
    }
  }

  private static void deleteQuietly(StatusFile f) {
    try {
      f.delete();
    } catch (IOException e) {
      // the next worker replaces it
    }
  }

  private static int waitFor(Process p) {
    while (true) {
      try {
        return p.waitFor();
      } catch (InterruptedException e) {
        // only a stop ends the supervisor, and that goes through the worker
      }
    }
  }

  /** "crashed (exit code 3)" or "was killed by SIGKILL". */
  static String describe(int code) {
    if (code > 128 && code < 160) {
      int sig = code - 128;
      String name = switch (sig) {
        case 9 -> "SIGKILL";
        case 6 -> "SIGABRT";
        case 11 -> "SIGSEGV";
        case 15 -> "SIGTERM";
        case 2 -> "SIGINT";
        case 1 -> "SIGHUP";
        default -> "signal " + sig;
      };
      return "was killed by " + name;
    }
    return "crashed (exit code " + code + ")";
  }

  private static File devNull() {
    return new File(Signals.windows() ? "NUL" : "/dev/null");
  }

  /** One line in the agent's log format, to the log file when there is one (opened per line: rare). */
  private void log(String level, String msg) {
    String line = OffsetDateTime.now().format(TIME) + " " + String.format("%-5s", level) + " " + msg + "\n";
    if (logFile != null) {
      try {
        Files.writeString(logFile, line, StandardCharsets.UTF_8, StandardOpenOption.CREATE, StandardOpenOption.APPEND);
        return;
      } catch (IOException e) {
        // fall back to standard error (swak.out)
      }
    }
    PrintStream err = System.err;
    err.print(line);
    err.flush();
  }
}
