package io.swak.core.cli;

import io.swak.core.config.AgentConfig;
import io.swak.core.config.AgentOptions;
import io.swak.core.config.ConfigException;
import io.swak.core.config.ConfigLoader;
import io.swak.core.config.PluginRegistry;
import io.swak.core.http.StatusReport;
import io.swak.core.http.StatusServer;
import io.swak.core.runtime.Agent;
import io.swak.core.runtime.FailureText;
import io.swak.core.runtime.Task;
import io.swak.core.service.StatusFile;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import sun.misc.Signal;

/**
 * One run of the agent in this process, {@code swak run} or the worker of {@code swak start}: the log, the
 * HTTP status server, the signals, the tasks, the status file and the supervisor's watch, from start to
 * stop; a reload on SIGHUP.
 */
final class AgentRun {

  private static final Logger LOG = LoggerFactory.getLogger("swak");

  private final Path configFile;
  private final AgentConfig cfg;
  private final PluginRegistry registry;
  private final Path dataDirOverride;
  private final boolean verbose;
  private final StatusFile statusFile;
  private final boolean supervised;
  private final CountDownLatch stopRequested = new CountDownLatch(1);

  /**
   * @param dataDirOverride --data-dir, or null for the config's
   * @param statusFile where to keep the status JSON (swak start), or null
   * @param supervised stop when the parent process (the supervisor) is gone
   */
  AgentRun(Path configFile, AgentConfig cfg, PluginRegistry registry, Path dataDirOverride, boolean verbose,
      Path statusFile, boolean supervised) {
    this.configFile = configFile;
    this.cfg = cfg;
    this.registry = registry;
    this.dataDirOverride = dataDirOverride;
    this.verbose = verbose;
    this.statusFile = statusFile == null ? null : new StatusFile(statusFile);
    this.supervised = supervised;
  }

  /** Runs until SIGINT/SIGTERM (or the supervisor is gone); the exit code. */
  int run() throws Exception {
    AgentOptions ao = cfg.agent();
    if (ao.logFile() != null) {
      try {
        Files.createDirectories(ao.logFile().toAbsolutePath().getParent());
        LogSetup.toFile(ao.logFile(), ao.logRotateSize().bytes(), ao.logKeep());
      } catch (IOException | IllegalStateException e) {
        System.err.println("agent.log_file: cannot write " + ao.logFile() + ": " + e.getMessage());
        return Main.FAILED;
      }
    }
    AgentCommand.setLogLevel(cfg, verbose);
    Clock clock = Clock.systemUTC();
    Path dataDir = dataDirOverride != null ? dataDirOverride : ao.resolvedDataDir(System.getenv());
    Files.createDirectories(dataDir);
    for (String w : io.swak.core.runtime.SharedPositions.warnings(cfg, dataDir)) {
      LOG.warn("{}", w);
    }
    Agent agent = new Agent(cfg, dataDir, clock);
    StatusReport report = new StatusReport(agent, clock.instant());
    ExecutorService control = Executors.newSingleThreadExecutor(r -> daemonThread(r, "swak-control"));
    onStopSignals(stopRequested, () -> { });
    StatusServer http = null;
    if (ao.http() != null) {
      try {
        // before the tasks: a taken port fails the start before any data moved
        http = StatusServer.start(ao.http().bind(), ao.http().port(), report, clock);
      } catch (IOException e) {
        LOG.error("{}", e.getMessage());
        return Main.FAILED;
      }
    }
    agent.start();
    // after start: a reload swaps tasks, so it must not run before the first ones started
    onSignal("HUP", () -> control.execute(() -> reload(agent, report)));
    onSignal("USR1", () -> control.execute(() -> {
      LOG.info("SIGUSR1: status of {} task(s), up since {}", agent.tasks().size(), report.started());
      report.lines().forEach(l -> LOG.info("  {}", l));
    }));
    onSignal("USR2", () -> control.execute(() -> {
      boolean reopened = LogSetup.reopen();
      LOG.info("SIGUSR2: {}", reopened ? "log file reopened" : "logging to standard error; nothing to reopen");
    }));
    ScheduledExecutorService ticker = null;
    if (statusFile != null) {
      awaitFirstOutcomes(agent, Duration.ofSeconds(5));
      writeStatus(report);
      ticker = Executors.newSingleThreadScheduledExecutor(r -> daemonThread(r, "swak-status"));
      ticker.scheduleWithFixedDelay(() -> writeStatus(report), 2, 2, TimeUnit.SECONDS);
    }
    if (supervised) {
      ProcessHandle.current().parent().ifPresent(p -> p.onExit().thenRun(() -> {
        LOG.warn("the supervisor (pid {}) is gone: stopping", p.pid());
        stopRequested.countDown();
      }));
    }
    stopRequested.await();
    if (ticker != null) {
      ticker.shutdownNow();
    }
    boolean clean = agent.stop();
    if (http != null) {
      http.close();
    }
    if (statusFile != null) {
      statusFile.delete(); // tells the supervisor this was a clean stop
    }
    LOG.info("stopped{}", clean ? "" : " (some tasks did not finish in time)");
    return clean ? 0 : Main.FAILED;
  }

  /** HUP: load CONFIG again; a broken file is reported and changes nothing. */
  private void reload(Agent agent, StatusReport report) {
    if (stopRequested.getCount() == 0) {
      LOG.info("SIGHUP ignored: stopping");
      return;
    }
    LOG.info("SIGHUP: reloading {}", configFile);
    String when = Instant.now().toString();
    AgentConfig next;
    try {
      next = new ConfigLoader(registry, System.getenv()).load(configFile);
    } catch (ConfigException e) {
      LOG.error("reload rejected, the running config stays in force:\n{}", e.getMessage());
      report.lastReload(when + " rejected: " + e.problems().size() + " problem(s) in " + configFile
          + ", the running config stays in force (see the log)");
      writeStatus(report);
      return;
    } catch (RuntimeException e) {
      LOG.error("reload rejected, the running config stays in force: {}", FailureText.of(e));
      report.lastReload(when + " rejected: " + e.getMessage());
      writeStatus(report);
      return;
    }
    AgentCommand.setLogLevel(next, verbose);
    try {
      Agent.ReloadResult r = agent.reload(next);
      r.restartNeeded().forEach(w -> LOG.warn("reload: {}", w));
      awaitFirstOutcomes(agent, Duration.ofSeconds(5));
      StringBuilder outcome = new StringBuilder(when).append(" reloaded: ").append(r);
      // what swak reload prints: the settings that wait for a restart, the tasks that cannot start
      r.restartNeeded().forEach(w -> outcome.append("; ").append(w));
      for (Task t : agent.tasks()) {
        if (t.lastError() != null) {
          outcome.append("; ").append(t.config().label()).append(" failing: ").append(t.lastError());
        }
      }
      report.lastReload(outcome.toString());
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    } catch (IllegalStateException e) {
      LOG.info("SIGHUP ignored: {}", e.getMessage());
    }
    writeStatus(report);
  }

  /** INT and TERM ask for a graceful stop (counting {@code stopRequested} down); a second one exits at once. */
  static void onStopSignals(CountDownLatch stopRequested, Runnable stop) {
    for (String name : List.of("INT", "TERM")) {
      Signal.handle(new Signal(name), s -> {
        if (stopRequested.getCount() == 0) {
          LOG.warn("second SIG{}: exiting without waiting", name);
          Runtime.getRuntime().halt(128 + s.getNumber());
        }
        LOG.info("SIG{}: stopping", name);
        stopRequested.countDown();
        stop.run();
      });
    }
  }

  /** Installs a handler where the platform has the signal (Windows has no HUP, USR1, USR2). */
  private static void onSignal(String name, Runnable r) {
    try {
      Signal.handle(new Signal(name), s -> r.run());
    } catch (IllegalArgumentException e) {
      LOG.debug("no SIG{} here", name);
    }
  }

  private static Thread daemonThread(Runnable r, String name) {
    Thread t = new Thread(r, name);
    t.setDaemon(true);
    return t;
  }

  /**
   * Waits a little for every task to run or fail its first start, so start and reload report their real state
   * (a task that takes longer shows as starting; swak start reads the status again).
   */
  private static void awaitFirstOutcomes(Agent agent, Duration max) throws InterruptedException {
    long deadline = System.nanoTime() + max.toNanos();
    for (Task t : agent.tasks()) {
      t.awaitFirstOutcome(Duration.ofNanos(Math.max(0, deadline - System.nanoTime())));
    }
  }

  private void writeStatus(StatusReport report) {
    if (statusFile == null) {
      return;
    }
    try {
      statusFile.write(report.json(Instant.now()));
    } catch (IOException | RuntimeException e) {
      LOG.warn("cannot write status file {}: {}", statusFile.path(), FailureText.of(e));
    }
  }
}
