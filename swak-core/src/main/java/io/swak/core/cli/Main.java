package io.swak.core.cli;

import io.swak.api.Plugin;
import io.swak.core.config.AgentConfig;
import io.swak.core.config.ConfigException;
import io.swak.core.config.ConfigLoader;
import io.swak.core.config.PluginRegistry;
import io.swak.core.config.TaskConfig;
import io.swak.core.config.AgentOptions;
import io.swak.core.http.StatusReport;
import io.swak.core.http.StatusServer;
import io.swak.core.runtime.Agent;
import io.swak.core.runtime.Task;
import io.swak.core.service.Daemon;
import io.swak.core.service.ServiceFiles;
import io.swak.core.service.StatusFile;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.InvalidPathException;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Locale;
import java.util.Objects;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import sun.misc.Signal;

/** The {@code swak} command. */
@Command(name = "swak", mixinStandardHelpOptions = true, versionProvider = Main.Version.class,
    description = "Swak collects events (files, network, databases, processes), processes them and ships "
        + "them reliably (Fluentd forward, files, stdout, …).",
    subcommands = {Main.Run.class, Main.Test.class, Main.Validate.class, Main.Plugins.class, Main.VersionCmd.class,
        Main.Start.class, Main.Stop.class, Main.Status.class, Main.Restart.class, Main.Reload.class,
        Main.Service.class, Main.Cds.class},
    exitCodeListHeading = "%nExit codes:%n",
    exitCodeList = {"0:success (or stopped by SIGINT/SIGTERM); status: running", "1:invalid config, or the agent "
        + "failed; status: not running but the pid file remains", "2:wrong command-line usage",
        "3:status: not running", "7:reload: not running"})
public final class Main implements Callable<Integer> {

  /** Exit code for a config or runtime failure. */
  public static final int FAILED = 1;

  @Override
  public Integer call() {
    CommandLine.usage(this, System.out);
    return CommandLine.ExitCode.USAGE;
  }

  public static void main(String[] args) {
    if (System.getProperty("slf4j.provider") == null) {
      System.setProperty("slf4j.provider", LogProvider.class.getName());
    }
    if (System.getProperty("slf4j.internal.verbosity") == null) {
      System.setProperty("slf4j.internal.verbosity", "WARN"); // not the note that it uses the provider above
    }
    System.exit(execute(args));
  }

  /** Runs the command line and returns the exit code (used by tests too). */
  public static int execute(String... args) {
    if (args.length > 0 && args[0].equals("run")) {
      Run plain = Run.plain(java.util.Arrays.copyOfRange(args, 1, args.length));
      if (plain != null) {
        return callDirectly(plain);
      }
    }
    CommandLine cl;
    String[] rest = args;
    Callable<Integer> direct = args.length == 0 ? null : switch (args[0]) {
      case "run" -> new Run();
      case "test" -> new Test();
      case "validate" -> new Validate();
      default -> null;
    };
    if (direct != null) {
      // picocli reads the annotations of every subcommand it is given: the commands that start an agent
      // get a command line of their own (same options, same messages), which starts ~60 ms sooner
      cl = new CommandLine(direct);
      cl.setCommandName("swak " + args[0]);
      rest = java.util.Arrays.copyOfRange(args, 1, args.length);
    } else {
      cl = new CommandLine(new Main());
    }
    cl.setCaseInsensitiveEnumValuesAllowed(true);
    return cl.execute(rest);
  }

  /** What picocli's execute does with a command: its exit code, or the stack trace and 1 when it throws. */
  private static int callDirectly(Callable<Integer> command) {
    try {
      return command.call();
    } catch (Exception e) {
      e.printStackTrace();
      return CommandLine.ExitCode.SOFTWARE;
    }
  }

  static PluginRegistry registry() {
    String dir = System.getProperty("swak.plugins.dir");
    String home = System.getProperty("swak.home");
    if (dir == null && home != null) {
      dir = Path.of(home, "plugins").toString();
    }
    return PluginRegistry.load(dir == null ? null : Path.of(dir));
  }

  /** Loads a config, printing every problem to standard error; null when it is invalid. */
  static AgentConfig load(Path file, PluginRegistry registry) {
    try {
      return new ConfigLoader(registry, System.getenv()).load(file);
    } catch (ConfigException e) {
      PrintWriter err = new PrintWriter(System.err, true);
      int n = e.problems().size();
      err.println(e.getMessage());
      err.println(n == 1 ? "1 problem in " + file : n + " problems in " + file);
      return null;
    }
  }

  /** Common to commands that run tasks. */
  abstract static class Running implements Callable<Integer> {
    @Parameters(index = "0", paramLabel = "CONFIG", description = "YAML file of tasks.")
    Path config;

    @Option(names = "--data-dir", paramLabel = "DIR",
        description = "Where checkpoints and buffers live (overrides the config's agent.data_dir).")
    Path dataDir;

    @Option(names = {"-v", "--verbose"}, description = "Debug logging.")
    boolean verbose;

    final CountDownLatch stopRequested = new CountDownLatch(1);

    Path dataDir(AgentConfig cfg) throws IOException {
      Path d = dataDir != null ? dataDir : cfg.agent().resolvedDataDir(System.getenv());
      Files.createDirectories(d);
      return d;
    }

    void setLogLevel(AgentConfig cfg, boolean debug) {
      if (System.getProperty("swak.log.level") == null) {
        LogSetup.setLevel(debug ? "debug" : cfg.agent().logLevel().name().toLowerCase(Locale.ROOT));
      }
    }

    /** INT and TERM ask for a graceful stop; a second one exits at once. */
    void onStopSignals(Runnable stop) {
      for (String name : List.of("INT", "TERM")) {
        Signal.handle(new Signal(name), s -> {
          if (stopRequested.getCount() == 0) {
            LoggerFactory.getLogger("swak").warn("second SIG{}: exiting without waiting", name);
            Runtime.getRuntime().halt(128 + s.getNumber());
          }
          LoggerFactory.getLogger("swak").info("SIG{}: stopping", name);
          stopRequested.countDown();
          stop.run();
        });
      }
    }
  }

  @Command(name = "run", mixinStandardHelpOptions = true, versionProvider = Main.Version.class,
      description = {"Runs every task of CONFIG in the foreground until SIGINT or SIGTERM.",
          "Signals: HUP reloads CONFIG (unchanged tasks keep running), USR1 logs the status, "
              + "USR2 reopens the log file."})
  static final class Run extends Running {
    @Option(names = "--status-file", hidden = true, paramLabel = "FILE",
        description = "Keep the status JSON in FILE (written when up, after reloads, every 2 s); for swak start.")
    Path statusFile;

    @Option(names = "--supervised", hidden = true,
        description = "Run as the worker of a supervisor: stop when the supervisor is gone.")
    boolean supervised;

    /**
     * Reads the usual command line ({@code [--data-dir DIR] [-v] CONFIG}, and the hidden options of swak
     * start) without picocli, whose set-up is ~140 ms of a 0.4 s start; null for anything else (help,
     * --version, {@code --opt=value}, an unknown or repeated option, no CONFIG), which picocli then reads
     * and explains as before.
     */
    static Run plain(String[] args) {
      Run r = new Run();
      try {
        for (int i = 0; i < args.length; i++) {
          String a = args[i];
          boolean valueFollows = i + 1 < args.length && !args[i + 1].startsWith("-");
          if (!a.startsWith("-") && r.config == null) {
            r.config = Path.of(a);
          } else if (a.equals("--data-dir") && valueFollows && r.dataDir == null) {
            r.dataDir = Path.of(args[++i]);
          } else if (a.equals("--status-file") && valueFollows && r.statusFile == null) {
            r.statusFile = Path.of(args[++i]);
          } else if ((a.equals("-v") || a.equals("--verbose")) && !r.verbose) {
            r.verbose = true;
          } else if (a.equals("--supervised") && !r.supervised) {
            r.supervised = true;
          } else {
            return null;
          }
        }
      } catch (InvalidPathException e) {
        return null;
      }
      return r.config == null ? null : r;
    }

    @Override
    public Integer call() throws Exception {
      PluginRegistry registry = registry();
      AgentConfig cfg = load(config, registry);
      if (cfg == null) {
        return FAILED;
      }
      Logger log = LoggerFactory.getLogger("swak");
      AgentOptions ao = cfg.agent();
      if (ao.logFile() != null) {
        try {
          Files.createDirectories(ao.logFile().toAbsolutePath().getParent());
          LogSetup.toFile(ao.logFile(), ao.logRotateSize().bytes(), ao.logKeep());
        } catch (IOException | IllegalStateException e) {
          System.err.println("agent.log_file: cannot write " + ao.logFile() + ": " + e.getMessage());
          return FAILED;
        }
      }
      setLogLevel(cfg, verbose);
      Clock clock = Clock.systemUTC();
      Agent agent = new Agent(cfg, dataDir(cfg), clock);
      StatusReport report = new StatusReport(agent, clock.instant());
      StatusFile sf = statusFile == null ? null : new StatusFile(statusFile);
      ExecutorService control = Executors.newSingleThreadExecutor(r -> daemonThread(r, "swak-control"));
      onStopSignals(() -> { });
      StatusServer http = null;
      if (ao.http() != null) {
        try {
          // before the tasks: a taken port fails the start before any data moved
          http = StatusServer.start(ao.http().bind(), ao.http().port(), report, clock);
        } catch (IOException e) {
          log.error("{}", e.getMessage());
          return FAILED;
        }
      }
      agent.start();
      // after start: a reload swaps tasks, so it must not run before the first ones started
      onSignal("HUP", () -> control.execute(() -> reload(agent, registry, report, sf)));
      onSignal("USR1", () -> control.execute(() -> {
        log.info("SIGUSR1: status of {} task(s), up since {}", agent.tasks().size(), report.started());
        report.lines().forEach(l -> log.info("  {}", l));
      }));
      onSignal("USR2", () -> control.execute(() -> {
        boolean reopened = LogSetup.reopen();
        log.info("SIGUSR2: {}", reopened ? "log file reopened" : "logging to standard error; nothing to reopen");
      }));
      ScheduledExecutorService ticker = null;
      if (sf != null) {
        awaitTasksStarted(agent, Duration.ofSeconds(5));
        writeStatus(sf, report);
        ticker = Executors.newSingleThreadScheduledExecutor(r -> daemonThread(r, "swak-status"));
        ticker.scheduleWithFixedDelay(() -> writeStatus(sf, report), 2, 2, TimeUnit.SECONDS);
      }
      if (supervised) {
        ProcessHandle.current().parent().ifPresent(p -> p.onExit().thenRun(() -> {
          log.warn("the supervisor (pid {}) is gone: stopping", p.pid());
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
      if (sf != null) {
        sf.delete(); // tells the supervisor this was a clean stop
      }
      log.info("stopped{}", clean ? "" : " (some tasks did not finish in time)");
      return clean ? 0 : FAILED;
    }

    /** HUP: load CONFIG again; a broken file is reported and changes nothing. */
    private void reload(Agent agent, PluginRegistry registry, StatusReport report, StatusFile sf) {
      Logger log = LoggerFactory.getLogger("swak");
      if (stopRequested.getCount() == 0) {
        log.info("SIGHUP ignored: stopping");
        return;
      }
      log.info("SIGHUP: reloading {}", config);
      String when = Instant.now().toString();
      AgentConfig next;
      try {
        next = new ConfigLoader(registry, System.getenv()).load(config);
      } catch (ConfigException e) {
        log.error("reload rejected, the running config stays in force:\n{}", e.getMessage());
        report.lastReload(when + " rejected: " + e.problems().size() + " problem(s) in " + config
            + ", the running config stays in force (see the log)");
        writeStatus(sf, report);
        return;
      } catch (RuntimeException e) {
        log.error("reload rejected, the running config stays in force: {}", e.toString());
        report.lastReload(when + " rejected: " + e.getMessage());
        writeStatus(sf, report);
        return;
      }
      AgentOptions was = agent.config().agent();
      AgentOptions now = next.agent();
      for (String[] c : new String[][] {
          {"data_dir", String.valueOf(was.dataDir()), String.valueOf(now.dataDir())},
          {"log_file", String.valueOf(was.logFile()), String.valueOf(now.logFile())},
          {"pid_file", String.valueOf(was.pidFile()), String.valueOf(now.pidFile())},
          {"http", String.valueOf(was.http()), String.valueOf(now.http())}}) {
        if (!Objects.equals(c[1], c[2])) {
          log.warn("reload: agent.{} changed; it takes effect at the next restart", c[0]);
        }
      }
      setLogLevel(next, verbose);
      try {
        Agent.ReloadResult r = agent.reload(next);
        report.lastReload(when + " reloaded: " + r);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      } catch (IllegalStateException e) {
        log.info("SIGHUP ignored: {}", e.getMessage());
      }
      writeStatus(sf, report);
    }
  }

  static Thread daemonThread(Runnable r, String name) {
    Thread t = new Thread(r, name);
    t.setDaemon(true);
    return t;
  }

  /** Waits a little for tasks to leave "starting", so start reports their real state. */
  static void awaitTasksStarted(Agent agent, Duration max) throws InterruptedException {
    long deadline = System.nanoTime() + max.toNanos();
    while (System.nanoTime() < deadline
        && agent.tasks().stream().anyMatch(t -> "starting".equals(t.state()) || "created".equals(t.state()))) {
      Thread.sleep(20);
    }
  }

  static void writeStatus(StatusFile sf, StatusReport report) {
    if (sf == null) {
      return;
    }
    try {
      sf.write(report.json(Instant.now()));
    } catch (IOException | RuntimeException e) {
      LoggerFactory.getLogger("swak").warn("cannot write status file {}: {}", sf.path(), e.toString());
    }
  }

  /** Installs a handler where the platform has the signal (Windows has no HUP, USR1, USR2). */
  static void onSignal(String name, Runnable r) {
    try {
      Signal.handle(new Signal(name), s -> r.run());
    } catch (IllegalArgumentException e) {
      LoggerFactory.getLogger("swak").debug("no SIG{} here", name);
    }
  }

  @Command(name = "test", mixinStandardHelpOptions = true, versionProvider = Main.Version.class,
      description = "Runs one task of CONFIG in the foreground with debug logging, to try a config out.")
  static final class Test extends Running {
    @Option(names = {"-t", "--task"}, paramLabel = "N", defaultValue = "1",
        description = "Which task to run, counting from 1 (default: ${DEFAULT-VALUE}).")
    int task;

    @Override
    public Integer call() throws Exception {
      AgentConfig cfg = load(config, registry());
      if (cfg == null) {
        return FAILED;
      }
      int n = cfg.tasks().size();
      if (task < 1 || task > n) {
        System.err.println(config + " has " + n + (n == 1 ? " task" : " tasks") + "; there is no task " + task
            + (n == 1 ? " (use -t 1 or leave -t out)" : " (use -t 1 to -t " + n + ")"));
        return FAILED;
      }
      setLogLevel(cfg, true);
      TaskConfig tc = cfg.tasks().get(task - 1);
      Agent agent = new Agent(cfg, dataDir(cfg), Clock.systemUTC(), List.of(tc));
      Task t = agent.tasks().get(0);
      onStopSignals(t::stop);
      Logger log = LoggerFactory.getLogger("swak");
      log.info("testing {} of {} ({} steps); stop with Ctrl-C", tc.label(), config, tc.steps().size());
      t.run(); // on this thread, as the seed's test mode does
      return 0;
    }
  }

  @Command(name = "validate", mixinStandardHelpOptions = true, versionProvider = Main.Version.class,
      description = "Checks CONFIG without running it: exit 0 when valid, 1 with every problem otherwise.")
  static final class Validate implements Callable<Integer> {
    @Parameters(index = "0", paramLabel = "CONFIG", description = "YAML file of tasks.")
    Path config;

    @Override
    public Integer call() {
      AgentConfig cfg = load(config, registry());
      if (cfg == null) {
        return FAILED;
      }
      int steps = cfg.tasks().stream().mapToInt(t -> t.steps().size()).sum();
      System.out.println(config + ": valid (" + cfg.tasks().size() + (cfg.tasks().size() == 1 ? " task, " : " tasks, ")
          + steps + " steps)");
      return 0;
    }
  }

  @Command(name = "plugins", mixinStandardHelpOptions = true,
      description = "Lists the plugins, or shows one plugin's options.")
  static final class Plugins implements Callable<Integer> {
    @Parameters(index = "0", arity = "0..1", paramLabel = "NAME", description = "A plugin name, e.g. in.FakeData.")
    String name;

    @Option(names = "--markdown", description = "Print every plugin's options as Markdown (the README reference).")
    boolean markdown;

    @Override
    public Integer call() {
      PluginRegistry registry = registry();
      if (markdown) {
        System.out.print(PluginDocs.markdown(registry));
        return 0;
      }
      if (name == null) {
        System.out.print(PluginDocs.list(registry));
        return 0;
      }
      Plugin<?> p = registry.find(name);
      if (p == null) {
        System.err.println("unknown plugin `" + name + "`. Plugins:\n" + PluginDocs.list(registry));
        return FAILED;
      }
      System.out.print(PluginDocs.describe(p));
      return 0;
    }
  }

  /** Where a started agent's pid file is: --pid-file, else the config's pid_file, else DATA_DIR/swak.pid. */
  abstract static class Controlling implements Callable<Integer> {
    @Parameters(index = "0", arity = "0..1", paramLabel = "CONFIG",
        description = "The agent's config (to find its pid_file / data_dir); optional.")
    Path config;

    @Option(names = "--pid-file", paramLabel = "FILE", description = "Pid file (default: the config's "
        + "agent.pid_file, else <data dir>/swak.pid).")
    Path pidFile;

    @Option(names = "--data-dir", paramLabel = "DIR",
        description = "Data directory (overrides the config's agent.data_dir; default $SWAK_DATA_DIR or ~/.swak/data).")
    Path dataDir;

    /** The config when one was given and is valid; null otherwise (errors printed when invalid). */
    AgentConfig cfg;
    boolean cfgInvalid;

    void loadConfigIfGiven() {
      if (config != null && cfg == null && !cfgInvalid) {
        cfg = load(config, registry());
        cfgInvalid = cfg == null;
      }
    }

    Path dataDirResolved() {
      if (dataDir != null) {
        return dataDir;
      }
      loadConfigIfGiven();
      return cfg != null ? cfg.agent().resolvedDataDir(System.getenv()) : AgentOptions.defaultDataDir(System.getenv());
    }

    Path pidFileResolved() {
      if (pidFile != null) {
        return pidFile;
      }
      loadConfigIfGiven();
      if (cfg != null && cfg.agent().pidFile() != null) {
        return cfg.agent().pidFile();
      }
      return dataDirResolved().resolve("swak.pid");
    }

    Daemon daemon() {
      return new Daemon(pidFileResolved(), System.out, System.err);
    }
  }

  @Command(name = "start", mixinStandardHelpOptions = true,
      description = {"Starts the agent in the background, detached from the terminal, under a supervisor that "
          + "restarts it if it crashes. Returns once the agent is up, or prints why it failed (exit 1).",
          "Refuses when an agent with the same pid file runs; replaces a stale pid file."})
  static final class Start extends Controlling {
    @Option(names = {"-v", "--verbose"}, description = "Debug logging.")
    boolean verbose;

    @Option(names = "--wait", paramLabel = "DURATION", defaultValue = "60s",
        description = "How long to wait for the agent to come up (default: ${DEFAULT-VALUE}).")
    String wait;

    @Override
    public Integer call() throws Exception {
      if (config == null) {
        System.err.println("swak start needs the CONFIG to run, e.g. swak start /etc/swak/swak.yml");
        return CommandLine.ExitCode.USAGE;
      }
      loadConfigIfGiven();
      if (cfg == null) {
        return FAILED;
      }
      return daemon().start(new Daemon.Launch(config, dataDirResolved(), cfg.agent().logFile(), verbose,
          parseDuration(wait)));
    }
  }

  @Command(name = "stop", mixinStandardHelpOptions = true,
      description = "Stops the started agent (SIGTERM: inputs stop, buffers flush, checkpoints are saved) and waits.")
  static final class Stop extends Controlling {
    @Option(names = "--timeout", paramLabel = "DURATION", defaultValue = "60s",
        description = "How long to wait for it to end (default: ${DEFAULT-VALUE}).")
    String timeout;

    @Override
    public Integer call() throws Exception {
      Path pf = pidFileResolved();
      if (cfgInvalid) {
        System.err.println("(using " + pf + " despite the config's errors)");
      }
      return new Daemon(pf, System.out, System.err).stop(parseDuration(timeout));
    }
  }

  @Command(name = "status", mixinStandardHelpOptions = true,
      description = "Whether the started agent runs: pid, uptime, a line per task.",
      exitCodeListHeading = "%nExit codes (LSB):%n",
      exitCodeList = {"0:running", "1:not running, but the pid file remains", "3:not running"})
  static final class Status extends Controlling {
    @Override
    public Integer call() throws Exception {
      return daemon().status();
    }
  }

  @Command(name = "restart", mixinStandardHelpOptions = true,
      description = "Stops the started agent (if it runs) and starts it again with CONFIG.")
  static final class Restart extends Controlling {
    @Option(names = {"-v", "--verbose"}, description = "Debug logging.")
    boolean verbose;

    @Override
    public Integer call() throws Exception {
      if (config == null) {
        System.err.println("swak restart needs the CONFIG to run");
        return CommandLine.ExitCode.USAGE;
      }
      loadConfigIfGiven();
      if (cfg == null) {
        System.err.println("not restarting: the running agent keeps its config");
        return FAILED;
      }
      Daemon d = daemon();
      int stopped = d.stop(Duration.ofSeconds(60));
      if (stopped != 0) {
        return stopped;
      }
      return d.start(new Daemon.Launch(config, dataDirResolved(), cfg.agent().logFile(), verbose,
          Duration.ofSeconds(60)));
    }
  }

  @Command(name = "reload", mixinStandardHelpOptions = true,
      description = {"Checks the config, then sends SIGHUP to the started agent: unchanged tasks keep running, "
          + "changed ones restart after flushing, an invalid config is rejected and the old one stays.",
          "Without CONFIG the config the agent was started with is checked."})
  static final class Reload extends Controlling {
    @Override
    public Integer call() throws Exception {
      Daemon d = daemon();
      Path file = config != null ? config : d.runningConfig().orElse(null);
      if (file != null && load(file, registry()) == null) {
        System.err.println("not reloading: the running agent keeps its config");
        return FAILED;
      }
      return d.reload(Duration.ofSeconds(30));
    }
  }

  @Command(name = "service", mixinStandardHelpOptions = true,
      description = "Installs or removes the agent as a system service (systemd on Linux, launchd on macOS, "
          + "a WinSW definition on Windows).",
      subcommands = {Main.ServiceInstall.class, Main.ServiceUninstall.class})
  static final class Service implements Callable<Integer> {
    @Override
    public Integer call() {
      CommandLine.usage(this, System.out);
      return CommandLine.ExitCode.USAGE;
    }
  }

  /** Common to service install and uninstall. */
  abstract static class ServiceCommand implements Callable<Integer> {
    @Option(names = "--name", defaultValue = "swak", description = "Service name (default: ${DEFAULT-VALUE}).")
    String name;

    @Option(names = "--user", description = "A per-user service (systemd --user, ~/Library/LaunchAgents) "
        + "instead of a system one.")
    boolean user;

    @Option(names = "--dir", paramLabel = "DIR", description = "Write into DIR instead of the system's place "
        + "(/etc/systemd/system, ~/.config/systemd/user, /Library/LaunchDaemons, ~/Library/LaunchAgents).")
    Path dir;

    @Option(names = "--os", description = "linux, macos or windows (default: this machine's).")
    ServiceFiles.Os os;

    ServiceFiles.Os os() {
      return os != null ? os : ServiceFiles.current();
    }

    Path file() {
      Path home = Path.of(System.getProperty("user.home"));
      return switch (os()) {
        case LINUX -> (dir != null ? dir : user ? home.resolve(".config/systemd/user") : Path.of("/etc/systemd/system"))
            .resolve(name + ".service");
        case MACOS -> (dir != null ? dir : user ? home.resolve("Library/LaunchAgents") : Path.of("/Library/LaunchDaemons"))
            .resolve("io.swak." + name + ".plist");
        case WINDOWS -> (dir != null ? dir : Path.of(System.getProperty("swak.home", "."))).resolve(name + ".xml");
      };
    }

    String systemctl() {
      return user ? "systemctl --user" : "systemctl";
    }
  }

  @Command(name = "install", mixinStandardHelpOptions = true,
      description = "Writes the service definition for CONFIG and prints the commands that enable and start it.")
  static final class ServiceInstall extends ServiceCommand {
    @Parameters(index = "0", paramLabel = "CONFIG", description = "YAML file of tasks.")
    Path config;

    @Option(names = "--run-as", paramLabel = "USER", description = "System user the service runs as (systemd).")
    String runAs;

    @Override
    public Integer call() throws Exception {
      AgentConfig cfg = load(config, registry());
      if (cfg == null) {
        return FAILED;
      }
      Path home = Path.of(System.getProperty("swak.home", ".")).toAbsolutePath().normalize();
      Path launcher = home.resolve(os() == ServiceFiles.Os.WINDOWS ? "bin/swak.cmd" : "bin/swak");
      Path conf = config.toAbsolutePath().normalize();
      // a system service does not belong in the installing user's home (sudo: /root): /var/lib/NAME
      boolean ownDataDir = cfg.agent().dataDir() == null && System.getenv("SWAK_DATA_DIR") == null;
      Path data = ownDataDir && !user && os() == ServiceFiles.Os.LINUX ? Path.of("/var/lib", name)
          : cfg.agent().resolvedDataDir(System.getenv()).toAbsolutePath();
      Path f = file();
      String text = switch (os()) {
        case LINUX -> ServiceFiles.systemdUnit(launcher, conf, data, runAs, user);
        case MACOS -> ServiceFiles.launchdPlist("io.swak." + name, launcher, conf, data,
            cfg.agent().logFile() != null ? cfg.agent().logFile() : data.resolve("swak.out"));
        case WINDOWS -> ServiceFiles.winswXml(name, launcher, conf, data);
      };
      try {
        Files.createDirectories(f.getParent());
        Files.writeString(f, text);
      } catch (IOException e) {
        System.err.println("cannot write " + f + ": " + e.getMessage()
            + (user ? "" : " (a system service needs root: sudo, or --user for a per-user service)"));
        return FAILED;
      }
      System.out.println("wrote " + f);
      switch (os()) {
        case LINUX -> System.out.println("now: " + systemctl() + " daemon-reload && " + systemctl()
            + " enable --now " + name + "\nthen: " + systemctl() + " status " + name + ", " + systemctl()
            + " reload " + name + " (SIGHUP), journalctl " + (user ? "--user " : "") + "-u " + name);
        case MACOS -> System.out.println("now: launchctl load -w " + f + "  (untested on macOS)");
        case WINDOWS -> System.out.println("now: download WinSW (https://github.com/winsw/winsw/releases), save it as "
            + f.resolveSibling(name + ".exe") + ", then in an administrator prompt: " + name + ".exe install && "
            + name + ".exe start  (untested on Windows)");
      }
      return 0;
    }
  }

  @Command(name = "uninstall", mixinStandardHelpOptions = true,
      description = "Removes the service definition written by install (stop and disable the service first).")
  static final class ServiceUninstall extends ServiceCommand {
    @Override
    public Integer call() throws Exception {
      Path f = file();
      switch (os()) {
        case LINUX -> System.out.println("first: " + systemctl() + " disable --now " + name);
        case MACOS -> System.out.println("first: launchctl unload -w " + f);
        case WINDOWS -> System.out.println("first: " + name + ".exe stop && " + name + ".exe uninstall");
      }
      if (!Files.deleteIfExists(f)) {
        System.err.println("no service definition at " + f);
        return FAILED;
      }
      System.out.println("removed " + f + (os() == ServiceFiles.Os.LINUX ? "; then: " + systemctl() + " daemon-reload"
          : ""));
      return 0;
    }
  }

  static Duration parseDuration(String text) {
    return io.swak.api.Durations.parse(text);
  }

  @Command(name = "cds", mixinStandardHelpOptions = true,
      description = {"Builds the class-data sharing archive that halves start-up (~0.45 s → ~0.25 s to "
          + "the first event): runs a short training agent, then has the JVM dump the classes it loaded.",
          "bin/swak uses lib/swak.jsa when it exists and the JVM ignores it once the jars change: run this again after "
              + "an upgrade (the build and the .deb do it for you)."})
  static final class Cds implements Callable<Integer> {
    @Option(names = "--archive", paramLabel = "FILE",
        description = "Where to write it (default: swak.jsa in the lib directory bin/swak runs from).")
    Path archive;

    @Override
    public Integer call() throws Exception {
      Path target = archive;
      if (target == null) {
        String lib = System.getProperty("swak.lib");
        if (lib == null) {
          System.err.println("swak cds: give --archive FILE (no lib directory known: not started by bin/swak)");
          return CommandLine.ExitCode.USAGE;
        }
        target = Path.of(lib, ClassDataSharing.ARCHIVE);
      }
      String problem = new ClassDataSharing(target).build();
      if (problem != null) {
        System.err.println("swak cds: " + problem);
        return FAILED;
      }
      System.out.println("wrote " + target + " (" + Files.size(target) / (1 << 20) + " MiB)");
      return 0;
    }
  }

  @Command(name = "version", description = "Prints the version.")
  static final class VersionCmd implements Callable<Integer> {
    @Override
    public Integer call() {
      System.out.println("swak " + version() + " (Java " + System.getProperty("java.version") + ")");
      return 0;
    }
  }

  static String version() {
    return StatusReport.version();
  }

  /** For {@code --version}. */
  static final class Version implements CommandLine.IVersionProvider {
    @Override
    public String[] getVersion() {
      return new String[] {"swak " + version()};
    }
  }

}
