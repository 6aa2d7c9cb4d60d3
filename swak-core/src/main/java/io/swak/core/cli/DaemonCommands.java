package io.swak.core.cli;

import io.swak.core.config.AgentConfig;
import io.swak.core.config.AgentOptions;
import io.swak.core.config.ConfigException;
import io.swak.core.config.ConfigLoader;
import io.swak.core.service.Daemon;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** {@code swak start|stop|status|restart|reload}: the agent in the background, found through its pid file. */
final class DaemonCommands {

  private DaemonCommands() { }

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

    /** The whole config, once {@link #loadConfig} found it valid. */
    AgentConfig cfg;
    /** CONFIG's agent settings (the defaults without CONFIG), once read. */
    private AgentOptions agent;
    private Path pidFileChosen;

    /** Loads the whole CONFIG (start, restart need it valid), printing its problems; false when invalid. */
    boolean loadConfig() {
      cfg = Main.load(config, Main.registry());
      if (cfg != null) {
        agent = cfg.agent();
      }
      return cfg != null;
    }

    /**
     * Reads CONFIG's agent settings alone, so an agent is found even after a task of its config was broken;
     * false, with the problems and what to do printed, when the agent entry itself (or the YAML) is broken.
     */
    boolean readAgentSettings() {
      if (agent != null) {
        return true;
      }
      if (config == null) {
        agent = AgentOptions.defaults();
        return true;
      }
      try {
        agent = new ConfigLoader(Main.registry(), System.getenv()).loadAgent(config);
        return true;
      } catch (ConfigException e) {
        System.err.println(e.getMessage());
        System.err.println("cannot tell which pid file the agent of " + config + " uses: fix the config, or name "
            + "the pid file with --pid-file FILE");
        return false;
      }
    }

    /** --data-dir, else CONFIG's agent.data_dir, else $SWAK_DATA_DIR, else ~/.swak/data; after readAgentSettings. */
    Path dataDirResolved() {
      return dataDir != null ? dataDir : agent.resolvedDataDir(System.getenv());
    }

    /** Where the choice of the data directory came from, for the pid file line. */
    private String dataDirSource() {
      if (dataDir != null) {
        return "--data-dir";
      }
      if (agent.dataDir() != null) {
        return "agent.data_dir in " + config;
      }
      String env = System.getenv("SWAK_DATA_DIR");
      return env != null && !env.isEmpty() ? "$SWAK_DATA_DIR" : "the default data directory";
    }

    /**
     * --pid-file, else CONFIG's agent.pid_file, else DATA_DIR/swak.pid; printed with where it came from. Null
     * when CONFIG's agent entry is broken (said so).
     */
    Path pidFileResolved() {
      if (pidFileChosen != null) {
        return pidFileChosen;
      }
      String source;
      if (pidFile != null) {
        pidFileChosen = pidFile;
        source = "--pid-file";
      } else if (!readAgentSettings()) {
        return null;
      } else if (agent.pidFile() != null) {
        pidFileChosen = agent.pidFile();
        source = "agent.pid_file in " + config;
      } else {
        pidFileChosen = dataDirResolved().resolve("swak.pid");
        source = dataDirSource();
      }
      System.out.println("pid file " + pidFileChosen.toAbsolutePath() + " (" + source + ")");
      return pidFileChosen;
    }

    /** The background agent of the pid file; null when it cannot be told (said so). */
    Daemon daemon() {
      Path pf = pidFileResolved();
      return pf == null ? null : new Daemon(pf, System.out, System.err);
    }

    /** Says so when CONFIG's tasks have problems: they do not matter to stop and status, but to the next reload. */
    void noteTaskProblems() {
      if (config == null || pidFile != null) {
        return;
      }
      try {
        new ConfigLoader(Main.registry(), System.getenv()).load(config);
      } catch (ConfigException e) {
        int n = e.problems().size();
        System.err.println("note: " + config + " has " + (n == 1 ? "a problem" : n + " problems") + " (`swak validate "
            + config + "` shows " + (n == 1 ? "it" : "them") + "); a reload would reject it");
      }
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
      if (!loadConfig()) {
        return Main.FAILED;
      }
      return daemon().start(new Daemon.Launch(config, dataDirResolved(), cfg.agent().logFile(), verbose,
          Main.parseDuration(wait)));
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
      Daemon d = daemon();
      if (d == null) {
        return Main.FAILED;
      }
      noteTaskProblems();
      return d.stop(Main.parseDuration(timeout));
    }
  }

  @Command(name = "status", mixinStandardHelpOptions = true,
      description = "Whether the started agent runs: pid, uptime, a line per task.",
      exitCodeListHeading = "%nExit codes (LSB):%n",
      exitCodeList = {"0:running", "1:not running, but the pid file remains", "3:not running",
          "4:unknown: CONFIG's agent entry is broken, so its pid file is not known",
          "150:running, but a task is failing (its reason is printed)"})
  static final class Status extends Controlling {
    @Override
    public Integer call() throws Exception {
      Daemon d = daemon();
      if (d == null) {
        return Daemon.UNKNOWN;
      }
      noteTaskProblems();
      return d.status();
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
      if (!loadConfig()) {
        System.err.println("not restarting: the running agent keeps its config");
        return Main.FAILED;
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
      if (d == null) {
        return Main.FAILED;
      }
      Path file = config != null ? config : d.runningConfig().orElse(null);
      if (file != null && Main.load(file, Main.registry()) == null) {
        System.err.println("not reloading: the running agent keeps its config");
        return Main.FAILED;
      }
      return d.reload(Duration.ofSeconds(30));
    }
  }
}
