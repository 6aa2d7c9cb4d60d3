package io.swak.core.cli;

import io.swak.core.config.AgentConfig;
import io.swak.core.service.ServiceFiles;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** {@code swak service install|uninstall}: the agent as a system service. */
final class ServiceCommands {

  private ServiceCommands() { }

  @Command(name = "service", mixinStandardHelpOptions = true,
      description = "Installs or removes the agent as a system service (systemd on Linux, launchd on macOS, "
          + "a WinSW definition on Windows).",
      subcommands = {ServiceCommands.ServiceInstall.class, ServiceCommands.ServiceUninstall.class})
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
      AgentConfig cfg = Main.load(config, Main.registry());
      if (cfg == null) {
        return Main.FAILED;
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
        return Main.FAILED;
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
        return Main.FAILED;
      }
      System.out.println("removed " + f + (os() == ServiceFiles.Os.LINUX ? "; then: " + systemctl() + " daemon-reload"
          : ""));
      return 0;
    }
  }
}
