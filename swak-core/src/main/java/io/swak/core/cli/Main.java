package io.swak.core.cli;

import io.swak.core.config.AgentConfig;
import io.swak.core.config.ConfigException;
import io.swak.core.config.ConfigLoader;
import io.swak.core.config.PluginRegistry;
import io.swak.core.http.StatusReport;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Arrays;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;

/** The {@code swak} command: reads the command line and hands it to one of the commands. */
@Command(name = "swak", mixinStandardHelpOptions = true, versionProvider = Main.Version.class,
    description = "Swak collects events (files, network, databases, processes), processes them and ships "
        + "them reliably (Fluentd forward, files, stdout, …).",
    subcommands = {RunCommand.class, TestCommand.class, ValidateCommand.class, PluginsCommand.class,
        Main.VersionCmd.class, DaemonCommands.Start.class, DaemonCommands.Stop.class, DaemonCommands.Status.class,
        DaemonCommands.Restart.class, DaemonCommands.Reload.class, ServiceCommands.Service.class, CdsCommand.class,
        ServiceCommands.InstallAlias.class, ServiceCommands.UninstallAlias.class, TopCommand.class,
        DeployCommands.Upgrade.class, DeployCommands.Rollback.class, DeployCommands.Releases.class},
    exitCodeListHeading = "%nExit codes:%n",
    exitCodeList = {"0:success (or stopped by SIGINT/SIGTERM); status: running", "1:invalid config, or the agent "
        + "failed; status: not running but the pid file remains", "2:wrong command-line usage",
        "3:status: not running", "4:status: unknown (the config's agent entry is broken)", "7:reload: not running",
        "150:status: running, but a task is failing"})
public final class Main implements Callable<Integer> {

  /** Exit code for a config or runtime failure. */
  public static final int FAILED = 1;

  /** The seed's {@code swak --startup=auto install}: read by the install alias. */
  @picocli.CommandLine.Option(names = "--startup", paramLabel = "auto|manual",
      description = "With install: start the service with the system (auto) or only by hand (manual).")
  ServiceCommands.Startup startup;

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
      RunCommand plain = RunCommand.plain(Arrays.copyOfRange(args, 1, args.length));
      if (plain != null) {
        return callDirectly(plain);
      }
    }
    if (args.length > 0 && TOOLS.containsKey(args[0])) {
      Object tool = tool(args[0]);
      if (tool == null) {
        System.err.println("swak " + args[0] + " needs lib/build (Maven Resolver), which this installation lacks: "
            + "run it from the full distribution");
        return FAILED;
      }
      CommandLine t = new CommandLine(tool);
      t.setCommandName("swak " + args[0]);
      t.setCaseInsensitiveEnumValuesAllowed(true);
      return t.execute(Arrays.copyOfRange(args, 1, args.length));
    }
    CommandLine cl;
    String[] rest = args;
    Callable<Integer> direct = args.length == 0 ? null : switch (args[0]) {
      case "run" -> new RunCommand();
      case "test" -> new TestCommand();
      case "validate" -> new ValidateCommand();
      default -> null;
    };
    if (direct != null) {
      // picocli reads the annotations of every subcommand it is given: the commands that start an agent
      // get a command line of their own (same options, same messages), which starts ~60 ms sooner
      cl = new CommandLine(direct);
      cl.setCommandName("swak " + args[0]);
      rest = Arrays.copyOfRange(args, 1, args.length);
    } else {
      cl = new CommandLine(new Main());
      for (String name : TOOLS.keySet()) {
        Object tool = tool(name);
        if (tool != null) {
          cl.addSubcommand(name, tool);
        }
      }
    }
    cl.setCaseInsensitiveEnumValuesAllowed(true);
    return cl.execute(rest);
  }

  /**
   * Commands whose libraries (Maven Resolver) are in lib/build/, on the class path only when bin/swak runs them, so
   * the agent's class path stays small.
   */
  private static final java.util.Map<String, String> TOOLS = new java.util.LinkedHashMap<>(java.util.Map.of(
      "build", "io.swak.build.BuildCommand", "plugin", "io.swak.build.PluginCommand"));

  private static Object tool(String name) {
    try {
      return Class.forName(TOOLS.get(name)).getDeclaredConstructor().newInstance();
    } catch (ReflectiveOperationException | LinkageError e) {
      return null;
    }
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

  static Duration parseDuration(String text) {
    return io.swak.api.Durations.parse(text);
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
