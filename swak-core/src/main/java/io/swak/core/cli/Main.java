package io.swak.core.cli;

import io.swak.api.Plugin;
import io.swak.core.config.AgentConfig;
import io.swak.core.config.ConfigException;
import io.swak.core.config.ConfigLoader;
import io.swak.core.config.PluginRegistry;
import io.swak.core.config.TaskConfig;
import io.swak.core.runtime.Agent;
import io.swak.core.runtime.Task;
import java.io.IOException;
import java.io.InputStream;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.util.List;
import java.util.Locale;
import java.util.Properties;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
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
    subcommands = {Main.Run.class, Main.Test.class, Main.Validate.class, Main.Plugins.class, Main.VersionCmd.class},
    exitCodeListHeading = "%nExit codes:%n",
    exitCodeList = {"0:success (or stopped by SIGINT/SIGTERM)", "1:invalid config, or the agent failed",
        "2:wrong command-line usage"})
public final class Main implements Callable<Integer> {

  /** Exit code for a config or runtime failure. */
  public static final int FAILED = 1;

  @Override
  public Integer call() {
    CommandLine.usage(this, System.out);
    return CommandLine.ExitCode.USAGE;
  }

  public static void main(String[] args) {
    System.exit(execute(args));
  }

  /** Runs the command line and returns the exit code (used by tests too). */
  public static int execute(String... args) {
    CommandLine cl = new CommandLine(new Main());
    cl.setCaseInsensitiveEnumValuesAllowed(true);
    return cl.execute(args);
  }

  static PluginRegistry registry() {
    String home = System.getProperty("swak.home");
    return PluginRegistry.load(home == null ? null : Path.of(home, "plugins"));
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

  @Command(name = "run", mixinStandardHelpOptions = true,
      description = "Runs every task of CONFIG in the foreground until SIGINT or SIGTERM.")
  static final class Run extends Running {
    @Override
    public Integer call() throws Exception {
      AgentConfig cfg = load(config, registry());
      if (cfg == null) {
        return FAILED;
      }
      setLogLevel(cfg, verbose);
      Agent agent = new Agent(cfg, dataDir(cfg), Clock.systemUTC());
      onStopSignals(() -> { });
      agent.start();
      stopRequested.await();
      return agent.stop() ? 0 : FAILED;
    }
  }

  @Command(name = "test", mixinStandardHelpOptions = true,
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

  @Command(name = "validate", mixinStandardHelpOptions = true,
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

  @Command(name = "version", description = "Prints the version.")
  static final class VersionCmd implements Callable<Integer> {
    @Override
    public Integer call() {
      System.out.println("swak " + version() + " (Java " + System.getProperty("java.version") + ")");
      return 0;
    }
  }

  static String version() {
    try (InputStream in = Main.class.getResourceAsStream("/io/swak/core/version.properties")) {
      Properties p = new Properties();
      if (in != null) {
        p.load(in);
      }
      return p.getProperty("version", "unknown");
    } catch (IOException e) {
      return "unknown";
    }
  }

  /** For {@code --version}. */
  static final class Version implements CommandLine.IVersionProvider {
    @Override
    public String[] getVersion() {
      return new String[] {"swak " + version()};
    }
  }

}
