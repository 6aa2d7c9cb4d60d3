package io.swak.core.cli;

import io.swak.core.config.AgentConfig;
import io.swak.core.config.AgentOptions;
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

    /** The config when one was given and is valid; null otherwise (errors printed when invalid). */
    AgentConfig cfg;
    boolean cfgInvalid;

    void loadConfigIfGiven() {
      if (config != null && cfg == null && !cfgInvalid) {
        cfg = Main.load(config, Main.registry());
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
      Path pf = pidFileResolved();
      if (cfgInvalid) {
        System.err.println("(using " + pf + " despite the config's errors)");
      }
      return new Daemon(pf, System.out, System.err).stop(Main.parseDuration(timeout));
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
      Path file = config != null ? config : d.runningConfig().orElse(null);
      if (file != null && Main.load(file, Main.registry()) == null) {
        System.err.println("not reloading: the running agent keeps its config");
        return Main.FAILED;
      }
      return d.reload(Duration.ofSeconds(30));
    }
  }
}
