package io.swak.core.cli;

import io.swak.core.config.AgentConfig;
import io.swak.core.service.Deployment;
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

    boolean systemctl(String... args) {
      return systemctlRun(user, args);
    }
  }

  /** When the service starts: with the system (auto) or only when started by hand (manual). */
  enum Startup { AUTO, MANUAL }

  /**
   * The config a service runs when none is named: the shared one of a releases layout
   * ({@code <root>/shared/conf/swak.yml} beside {@code <root>/releases/<version>}), else conf/swak.yml of this
   * installation.
   */
  static Path defaultConfig() {
    Path home = Path.of(System.getProperty("swak.home", ".")).toAbsolutePath().normalize();
    Path shared = Deployment.rootOf(home).map(r -> r.resolve("shared/conf/swak.yml")).orElse(null);
    return shared != null && Files.exists(shared) ? shared : home.resolve("conf/swak.yml");
  }

  @Command(name = "install", mixinStandardHelpOptions = true,
      description = {"Writes the service definition for CONFIG and prints the commands that enable and start it.",
          "Without CONFIG: conf/swak.yml of this installation (shared/conf/swak.yml in a releases layout)."})
  static class ServiceInstall extends ServiceCommand {
    @Parameters(index = "0", arity = "0..1", paramLabel = "CONFIG", description = "YAML file of tasks.")
    Path config;

    @Option(names = "--run-as", paramLabel = "USER", description = "System user the service runs as (systemd).")
    String runAs;

    @Option(names = "--startup", paramLabel = "auto|manual", description = "auto: start with the system "
        + "(systemd: enabled; launchd: RunAtLoad; Windows: Automatic); manual: only when started (not enabled; "
        + "RunAtLoad false; Manual). Default: write the file and print how to enable it.")
    Startup startup;

    Startup startup() {
      return startup;
    }

    @Override
    public Integer call() throws Exception {
      if (config == null) {
        config = defaultConfig();
        System.out.println("config " + config + " (no CONFIG given)");
      }
      Startup start = startup();
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
            cfg.agent().logFile() != null ? cfg.agent().logFile() : data.resolve("swak.out"), start != Startup.MANUAL);
        case WINDOWS -> ServiceFiles.winswXml(name, launcher, conf, data, start != Startup.MANUAL);
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
        case LINUX -> {
          if (start != null && dir == null && Files.isDirectory(Path.of("/run/systemd/system"))) {
            // the start type is systemd's "enabled": do it, as the seed's install did on Windows
            systemctl("daemon-reload");
            if (start == Startup.AUTO && !systemctl("enable", name)) {
              return Main.FAILED;
            }
            System.out.println(start == Startup.AUTO ? "enabled " + name + ": it starts with the system; now: "
                + systemctl() + " start " + name : "not enabled (startup manual): " + systemctl() + " start " + name);
          } else if (start == Startup.MANUAL) {
            System.out.println("now: " + systemctl() + " daemon-reload, then to run it: " + systemctl() + " start "
                + name + " (not enabled: it does not start with the system)");
          } else {
            System.out.println("now: " + systemctl() + " daemon-reload && " + systemctl()
                + " enable --now " + name + "\nthen: " + systemctl() + " status " + name + ", " + systemctl()
                + " reload " + name + " (SIGHUP), journalctl " + (user ? "--user " : "") + "-u " + name);
          }
        }
        case MACOS -> System.out.println("now: launchctl load -w " + f + "  (untested on macOS)");
        case WINDOWS -> System.out.println("now: download WinSW (https://github.com/winsw/winsw/releases), save it as "
            + f.resolveSibling(name + ".exe") + ", then in an administrator prompt: " + name + ".exe install && "
            + name + ".exe start  (untested on Windows)");
      }
      return 0;
    }
  }

  /** Runs systemctl (with --user for a per-user unit); false, said why, when it failed. */
  private static boolean systemctlRun(boolean user, String... args) {
    java.util.List<String> cmd = new java.util.ArrayList<>(java.util.List.of("systemctl"));
    if (user) {
      cmd.add("--user");
    }
    cmd.addAll(java.util.List.of(args));
    try {
      Process p = new ProcessBuilder(cmd).inheritIO().start();
      if (p.waitFor() == 0) {
        return true;
      }
      System.err.println(String.join(" ", cmd) + " failed (exit code " + p.exitValue() + ")");
    } catch (IOException e) {
      System.err.println("cannot run systemctl: " + e.getMessage());
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    return false;
  }

  /** The seed's spelling: {@code swak [--startup=auto|manual] install [CONFIG]} = {@code swak service install}. */
  @Command(name = "install", mixinStandardHelpOptions = true,
      description = {"Installs the agent as a system service: the same as `swak service install`.",
          "`swak --startup=auto install` starts it with the system, --startup=manual only when started."})
  static final class InstallAlias extends ServiceInstall {
    @picocli.CommandLine.ParentCommand
    Main parent;

    @Override
    Startup startup() {
      return startup != null ? startup : parent != null ? parent.startup : null;
    }
  }

  /** {@code swak uninstall} = {@code swak service uninstall}. */
  @Command(name = "uninstall", mixinStandardHelpOptions = true,
      description = "Removes the service definition written by install: the same as `swak service uninstall`.")
  static final class UninstallAlias extends ServiceUninstall { }

  @Command(name = "uninstall", mixinStandardHelpOptions = true,
      description = "Removes the service definition written by install (stop and disable the service first).")
  static class ServiceUninstall extends ServiceCommand {
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
