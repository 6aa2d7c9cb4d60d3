package io.swak.core.service;

import io.swak.core.http.StatusReport;
import java.io.File;
import java.io.IOException;
import java.io.PrintStream;
import java.io.RandomAccessFile;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * {@code swak start|stop|status|reload}: a background agent, detached from the terminal, under a
 * {@link Supervisor}, found again through its pid file.
 */
public final class Daemon {

  /** LSB status codes (init-functions): running, dead with a pid file, not running. */
  public static final int RUNNING = 0;
  public static final int DEAD_WITH_PID_FILE = 1;
  public static final int NOT_RUNNING = 3;
  /** LSB "status unknown": the pid file cannot be told (a broken agent entry in the config). */
  public static final int UNKNOWN = 4;
  /** LSB "program is not running" for actions other than status. */
  public static final int NOT_RUNNING_ACTION = 7;
  /** Status: running, but a task is failing (LSB leaves 150-199 to the application). */
  public static final int TASK_FAILING = 150;

  /**
   * JVM flags of the supervisor: it holds a few objects and waits, so no JIT (-Xint) and a tiny heap.
   * Measured here: about 18 MiB private memory (RssAnon) plus 19 MiB of shared, file-backed JVM pages.
   */
  static final List<String> SUPERVISOR_JVM = List.of("-Xmx16m", "-Xms4m", "-XX:+UseSerialGC", "-Xint",
      "-Xss256k", "-XX:ReservedCodeCacheSize=4m", "-XX:MaxMetaspaceSize=24m", "-XX:-UsePerfData");

  private final PidFile pidFile;
  private final StatusFile statusFile;
  private final PrintStream out;
  private final PrintStream err;

  public Daemon(Path pidFile, PrintStream out, PrintStream err) {
    this.pidFile = new PidFile(pidFile);
    this.statusFile = StatusFile.besides(pidFile);
    this.out = out;
    this.err = err;
  }

  /** What {@code swak start} launches. */
  public record Launch(Path config, Path dataDir, Path logFile, boolean verbose, Duration upTimeout) { }

  /** Starts the agent in the background and returns once it is up (0) or failed (1). */
  public int start(Launch l) throws IOException, InterruptedException {
    if (Signals.windows()) {
      err.println("swak start is for Linux and macOS; on Windows run the agent as a service "
          + "(`swak service install`) or in the foreground with `swak run`");
      return 1;
    }
    PidFile.Check c = pidFile.check();
    if (c.state() == PidFile.State.RUNNING) {
      err.println("swak is already running (pid " + c.pid() + ", pid file " + pidFile + "); "
          + "use `swak restart` or `swak reload`");
      return 1;
    }
    if (c.state() == PidFile.State.STALE) {
      out.println("removing stale pid file " + pidFile + (c.pid() > 0 ? " (pid " + c.pid() + " is not running)" : ""));
      pidFile.delete();
    }
    Files.createDirectories(l.dataDir());
    Files.createDirectories(pidFile.path().getParent());
    statusFile.delete();
    Path console = l.dataDir().resolve("swak.out").toAbsolutePath();
    long consoleStart = Files.exists(console) ? Files.size(console) : 0;
    long logStart = l.logFile() != null && Files.exists(l.logFile()) ? Files.size(l.logFile()) : 0;

    List<String> cmd = new ArrayList<>();
    Optional<String> setsid = findSetsid();
    setsid.ifPresent(cmd::add); // a new session: no controlling terminal, no SIGHUP when the terminal goes
    // HUP, INT, TERM, USR1, USR2 handled again even if `swak start` itself ran with them ignored (nohup, `&`)
    cmd.addAll(Signals.defaultDispositionPrefix());
    String java = ThisJvm.executable();
    String cp = System.getProperty("java.class.path");
    cmd.add(java);
    cmd.addAll(SUPERVISOR_JVM);
    cmd.addAll(List.of("-cp", cp, Supervisor.class.getName(), "--pid-file", pidFile.toString(),
        "--status-file", statusFile.path().toString()));
    if (l.logFile() != null) {
      cmd.addAll(List.of("--log-file", l.logFile().toAbsolutePath().toString()));
    }
    cmd.add("--");
    cmd.add(java);
    cmd.addAll(ThisJvm.arguments());
    cmd.addAll(List.of("-cp", cp, "io.swak.core.cli.Main", "run", l.config().toAbsolutePath().toString(),
        "--data-dir", l.dataDir().toAbsolutePath().toString(), "--status-file", statusFile.path().toString(),
        "--supervised"));
    if (l.verbose()) {
      cmd.add("-v");
    }
    // the working directory stays the one start ran in, as for `swak run`: relative paths in the config mean
    // the same in both
    Process p = new ProcessBuilder(cmd)
        .redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null")))
        .redirectOutput(ProcessBuilder.Redirect.appendTo(console.toFile()))
        .redirectErrorStream(true).start();

    long deadline = System.nanoTime() + l.upTimeout().toNanos();
    while (System.nanoTime() < deadline) {
      Optional<Map<String, Object>> st = readStatus();
      // up once every task ran or failed its first start; the worker writes the status every 2 s
      if (st.isPresent() && tasks(st.get()).stream().noneMatch(Daemon::stillStarting)) {
        List<Map<String, Object>> failing = tasks(st.get()).stream().filter(t -> t.get("error") != null
            || !"running".equals(t.get("state"))).toList();
        if (!failing.isEmpty()) {
          err.println("swak did not start: " + failing.size() + " of " + tasks(st.get()).size() + " tasks cannot run:");
          for (Map<String, Object> t : failing) {
            err.println("  " + t.get("task") + " failing: " + t.getOrDefault("error", t.get("state")));
          }
          err.println("stopping it: fix the cause (the log: " + (l.logFile() != null ? l.logFile() : console)
              + ") and start again");
          stop(Duration.ofSeconds(60));
          return 1;
        }
        Object pid = pidFile.read().orElse(p.pid());
        out.println("swak started: pid " + pid + " (worker " + st.get().get("pid") + "), config "
            + l.config().toAbsolutePath() + ", log " + (l.logFile() != null ? l.logFile() : console));
        for (String line : taskLines(st.get())) {
          out.println("  " + line);
        }
        return 0;
      }
      if (!p.isAlive()) {
        err.println("swak failed to start (exit code " + p.exitValue() + "):");
        printTail(console, consoleStart);
        if (l.logFile() != null) {
          printTail(l.logFile(), logStart);
        }
        return 1;
      }
      Thread.sleep(50);
    }
    err.println("swak is not up after " + l.upTimeout().toSeconds() + " s (pid " + p.pid() + " still starting); "
        + "see " + (l.logFile() != null ? l.logFile() : console) + ", and `swak status`");
    return 1;
  }

  /** Stops the agent: SIGTERM, then waits up to {@code timeout}. */
  public int stop(Duration timeout) throws IOException {
    PidFile.Check c = pidFile.check();
    if (c.state() == PidFile.State.ABSENT) {
      out.println("swak is not running (no pid file " + pidFile + ")");
      return 0;
    }
    if (c.state() == PidFile.State.STALE) {
      out.println("swak is not running; removed stale pid file " + pidFile
          + (c.pid() > 0 ? " (pid " + c.pid() + " is gone)" : ""));
      pidFile.delete();
      statusFile.delete();
      return 0;
    }
    Optional<ProcessHandle> ph = ProcessHandle.of(c.pid());
    if (ph.isEmpty() || !ph.get().destroy()) {
      err.println("cannot signal pid " + c.pid() + " (is it another user's process?)");
      return 1;
    }
    long t0 = System.nanoTime();
    long deadline = t0 + timeout.toNanos();
    // not our child, so onExit() would poll slowly: check every 50 ms
    while (PidFile.running(c.pid()) && System.nanoTime() < deadline) {
      try {
        Thread.sleep(50);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        return 1;
      }
    }
    if (PidFile.running(c.pid())) {
      err.println("swak (pid " + c.pid() + ") is still running " + timeout.toSeconds() + " s after SIGTERM: it may "
          + "still be flushing buffers (see the log). `swak stop` again waits longer; `kill -KILL " + c.pid()
          + "` forces it (data not yet acknowledged is read again at the next start)");
      return 1;
    }
    out.printf("swak stopped (pid %d, %.1f s)%n", c.pid(), (System.nanoTime() - t0) / 1e9);
    return 0;
  }

  /** Prints whether the agent runs, its pids, uptime and a line per task; LSB exit codes. */
  public int status() throws IOException {
    PidFile.Check c = pidFile.check();
    switch (c.state()) {
      case ABSENT -> {
        out.println("swak is not running");
        return NOT_RUNNING;
      }
      case STALE -> {
        out.println("swak is not running, but its pid file " + pidFile + " remains"
            + (c.pid() > 0 ? " (pid " + c.pid() + " is gone)" : "") + "; `swak start` replaces it");
        return DEAD_WITH_PID_FILE;
      }
      default -> { }
    }
    // the supervisor wrote the pid file as it started; more exact than the process start time from /proc
    Optional<Instant> since;
    try {
      since = Optional.of(Files.getLastModifiedTime(pidFile.path()).toInstant());
    } catch (IOException e) {
      since = ProcessHandle.of(c.pid()).flatMap(h -> h.info().startInstant());
    }
    out.println("swak is running: pid " + c.pid() + since.map(s -> ", up " + human(Duration.between(s, Instant.now())))
        .orElse(""));
    Optional<Map<String, Object>> st = readStatus();
    if (st.isEmpty()) {
      out.println("  worker: starting or restarting (no status in " + statusFile.path() + " yet)");
      return RUNNING;
    }
    Map<String, Object> s = st.get();
    String up = "";
    try {
      up = ", up " + human(Duration.between(Instant.parse(String.valueOf(s.get("started"))), Instant.now()));
    } catch (RuntimeException e) {
      // an older status file without a start time
    }
    out.println("  worker: pid " + s.get("pid") + up + ", config " + s.get("config")
        + (s.get("http") != null ? ", http://" + s.get("http") : "") + " (status of " + s.get("written") + ")");
    if (s.get("last_reload") != null) {
      out.println("  last reload: " + s.get("last_reload"));
    }
    for (String line : taskLines(s)) {
      out.println("  " + line);
    }
    boolean failing = tasks(s).stream().anyMatch(t -> "failing".equals(t.get("health")));
    return failing ? TASK_FAILING : RUNNING;
  }

  /** Sends SIGHUP; waits for the worker to report the outcome in its status file. */
  public int reload(Duration wait) throws IOException, InterruptedException {
    PidFile.Check c = pidFile.check();
    if (c.state() != PidFile.State.RUNNING) {
      err.println("swak is not running (pid file " + pidFile + "); nothing to reload");
      return NOT_RUNNING_ACTION;
    }
    Object before = readStatus().map(m -> m.get("last_reload")).orElse(null);
    if (!Signals.send("HUP", c.pid())) {
      err.println("cannot send SIGHUP to pid " + c.pid());
      return 1;
    }
    long deadline = System.nanoTime() + wait.toNanos();
    while (System.nanoTime() < deadline) {
      Object now = readStatus().map(m -> m.get("last_reload")).orElse(null);
      if (now != null && !now.equals(before)) {
        boolean ok = !String.valueOf(now).contains("rejected");
        (ok ? out : err).println(now);
        return ok ? 0 : 1;
      }
      Thread.sleep(50);
    }
    out.println("reload requested (SIGHUP to pid " + c.pid() + "); no answer within " + wait.toSeconds()
        + " s: see the log");
    return 0;
  }

  /** True while the agent of this pid file runs. */
  public boolean running() throws IOException {
    return pidFile.check().state() == PidFile.State.RUNNING;
  }

  /** The config the running agent was started with, from its status file. */
  public Optional<Path> runningConfig() throws IOException {
    return readStatus().map(m -> m.get("config")).map(o -> Path.of(o.toString()));
  }

  private Optional<Map<String, Object>> readStatus() {
    try {
      return statusFile.read();
    } catch (IOException | RuntimeException e) {
      return Optional.empty(); // being replaced; the next read sees the new one
    }
  }

  @SuppressWarnings("unchecked")
  private static List<Map<String, Object>> tasks(Map<String, Object> status) {
    return status.get("tasks") instanceof List<?> ts ? (List<Map<String, Object>>) ts : List.of();
  }

  /** Neither ran nor failed yet. */
  private static boolean stillStarting(Map<String, Object> task) {
    Object state = task.get("state");
    return task.get("error") == null && ("starting".equals(state) || "created".equals(state));
  }

  @SuppressWarnings("unchecked")
  static List<String> taskLines(Map<String, Object> status) {
    List<String> lines = new ArrayList<>();
    Object tasks = status.get("tasks");
    if (!(tasks instanceof List<?> ts)) {
      return lines;
    }
    for (Object o : ts) {
      Map<String, Object> t = (Map<String, Object>) o;
      List<Map<String, Long>> steps = new ArrayList<>();
      for (Object so : (List<Object>) t.getOrDefault("steps", List.of())) {
        Map<String, Long> m = new java.util.TreeMap<>();
        ((Map<String, Object>) so).forEach((k, v) -> {
          if (v instanceof Number n && !"step".equals(k)) {
            m.put(k, n.longValue());
          }
        });
        steps.add(m);
      }
      lines.add(StatusReport.taskLine(String.valueOf(t.get("task")), String.valueOf(t.get("state")),
          t.get("health") == null ? null : String.valueOf(t.get("health")),
          t.get("reason") == null ? null : String.valueOf(t.get("reason")), steps));
    }
    return lines;
  }

  static String human(Duration d) {
    long s = Math.max(0, d.toSeconds());
    if (s < 60) {
      return s + "s";
    }
    if (s < 3600) {
      return s / 60 + "m " + s % 60 + "s";
    }
    if (s < 86400) {
      return s / 3600 + "h " + s % 3600 / 60 + "m";
    }
    return s / 86400 + "d " + s % 86400 / 3600 + "h";
  }

  private void printTail(Path file, long from) {
    try {
      if (!Files.exists(file)) {
        return;
      }
      try (RandomAccessFile f = new RandomAccessFile(file.toFile(), "r")) {
        long start = Math.max(from, f.length() - 8192);
        f.seek(start);
        byte[] b = new byte[(int) (f.length() - start)];
        f.readFully(b);
        String text = new String(b, StandardCharsets.UTF_8).stripTrailing();
        if (!text.isEmpty()) {
          for (String line : text.split("\n")) {
            err.println("  " + line);
          }
        }
      }
    } catch (IOException e) {
      err.println("  (cannot read " + file + ": " + e.getMessage() + ")");
    }
  }

  private static Optional<String> findSetsid() {
    for (String dir : System.getenv().getOrDefault("PATH", "/usr/bin:/bin").split(File.pathSeparator)) {
      Path p = Path.of(dir, "setsid");
      if (Files.isExecutable(p)) {
        return Optional.of(p.toString());
      }
    }
    return Optional.empty();
  }
}
