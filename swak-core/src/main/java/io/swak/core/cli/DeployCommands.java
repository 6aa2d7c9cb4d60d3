package io.swak.core.cli;

import io.swak.core.config.AgentOptions;
import io.swak.core.config.ConfigException;
import io.swak.core.config.ConfigLoader;
import io.swak.core.service.Daemon;
import io.swak.core.service.Deployment;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/**
 * {@code swak upgrade PACKAGE}, {@code swak rollback}, {@code swak releases}: Capistrano's deploy and rollback for
 * an installation laid out as releases/, current, previous and shared/ (see {@link Deployment}).
 */
final class DeployCommands {

  private DeployCommands() { }

  abstract static class DeployCommand implements Callable<Integer> {
    @Option(names = "--root", paramLabel = "DIR", description = "The installation: DIR/releases/<version>, DIR/current, "
        + "DIR/shared (default: the one this swak runs from).")
    Path root;

    @Option(names = "--config", paramLabel = "FILE", description = "The agent's config (default: "
        + "<root>/shared/conf/swak.yml).")
    Path config;

    @Option(names = "--wait", paramLabel = "DURATION", defaultValue = "60s",
        description = "How long the agent may take to come up (default: ${DEFAULT-VALUE}).")
    String wait;

    @Option(names = "--settle", paramLabel = "DURATION", defaultValue = "5s", description = "How long a started "
        + "release must then stay healthy before it counts as good (default: ${DEFAULT-VALUE}).")
    String settle;

    @Option(names = "--service", paramLabel = "NAME", description = "The agent runs as this systemd service: restart it "
        + "with systemctl (default: the agent `swak start` started, found through its pid file).")
    String service;

    Deployment deployment() {
      Path r = root;
      if (r == null) {
        r = Deployment.rootOf(Path.of(System.getProperty("swak.home", "."))).orElse(null);
      }
      if (r == null) {
        System.err.println("this swak is not installed in a releases layout: give --root DIR (an empty DIR gets "
            + "DIR/releases, DIR/current and DIR/shared)");
        return null;
      }
      return new Deployment(r, System.out, System.err);
    }

    Path config(Deployment d) {
      return config != null ? config.toAbsolutePath() : d.sharedConfig();
    }

    /** The pid file of the agent of CONFIG, as the releases' launchers resolve it (data in shared/data). */
    Daemon daemon(Deployment d, Path cfg) {
      AgentOptions ao;
      try {
        ao = Files.exists(cfg) ? new ConfigLoader(Main.registry(), System.getenv()).loadAgent(cfg) : AgentOptions.defaults();
      } catch (ConfigException e) {
        System.err.println(e.getMessage());
        return null;
      }
      String env = System.getenv("SWAK_DATA_DIR");
      Path data = ao.dataDir() != null ? ao.dataDir() : env != null && !env.isEmpty() ? Path.of(env) : d.sharedData();
      Path pid = ao.pidFile() != null ? ao.pidFile() : data.resolve("swak.pid");
      return new Daemon(pid, System.out, System.err);
    }

    boolean running(Daemon daemon) throws IOException, InterruptedException {
      if (service != null) {
        return systemctl("is-active", "--quiet", service) == 0;
      }
      return daemon.running();
    }

    boolean stop(Daemon daemon) throws IOException, InterruptedException {
      if (service != null) {
        return systemctl("stop", service) == 0;
      }
      return daemon.stop(Duration.ofSeconds(120)) == 0;
    }

    /** Starts {@code release}, then watches it for --settle: true when it came up and stayed healthy. */
    boolean startAndCheck(Deployment d, Path release, Path cfg) throws IOException, InterruptedException {
      Duration up = Main.parseDuration(wait);
      if (service != null) {
        if (systemctl("start", service) != 0) {
          return false;
        }
      } else {
        Deployment.Result r = d.swak(release, up.plusSeconds(30), "start", cfg.toString(), "--wait", wait);
        d.show("start (" + release.getFileName() + "):", r);
        if (r.code() != 0) {
          return false;
        }
      }
      // watched for a while: a release that comes up and then crashes or fails a task is not a good one
      long until = System.nanoTime() + Main.parseDuration(settle).toNanos();
      while (true) {
        Deployment.Result st = d.swak(release, Duration.ofSeconds(60), "status", cfg.toString());
        if (st.code() != 0 || service != null && systemctl("is-active", "--quiet", service) != 0) {
          d.show("status (" + release.getFileName() + ") is not healthy:", st);
          return false;
        }
        if (System.nanoTime() >= until) {
          d.show("status (" + release.getFileName() + "):", st);
          return true;
        }
        Thread.sleep(500);
      }
    }

    private static int systemctl(String... args) throws IOException, InterruptedException {
      List<String> cmd = new java.util.ArrayList<>(List.of("systemctl"));
      cmd.addAll(List.of(args));
      return new ProcessBuilder(cmd).inheritIO().start().waitFor();
    }

    /**
     * Makes {@code to} current ({@code previous} = {@code from}), restarts the agent when it ran (or {@code start}),
     * and checks it; on failure switches back to {@code from} and starts it again. The exit code.
     */
    int switchTo(Deployment d, Path to, Optional<Path> from, Path cfg, boolean start, String what)
        throws IOException, InterruptedException {
      Daemon daemon = daemon(d, cfg);
      if (daemon == null) {
        return Main.FAILED;
      }
      boolean wasRunning = running(daemon);
      if (wasRunning && !stop(daemon)) {
        System.err.println(what + " stopped: the running agent did not stop; nothing was switched");
        return Main.FAILED;
      }
      Optional<Path> previousBefore = d.release("previous");
      d.point("current", to);
      if (from.isPresent()) {
        d.point("previous", from.get());
      }
      System.out.println("current -> releases/" + to.getFileName() + from.map(f -> " (previous: releases/"
          + f.getFileName() + ")").orElse(""));
      if (!wasRunning && !start) {
        System.out.println(what + " done; the agent was not running: start it with " + d.root().resolve("current/bin/swak")
            + " start " + cfg);
        return 0;
      }
      if (startAndCheck(d, to, cfg)) {
        System.out.println(what + " done: releases/" + to.getFileName() + " runs and is healthy");
        return 0;
      }
      System.err.println(what + " failed: releases/" + to.getFileName() + " did not come up healthy"
          + (from.isPresent() ? "; switching back to releases/" + from.get().getFileName() : ""));
      if (running(daemon)) {
        stop(daemon);
      }
      if (from.isEmpty()) {
        return Main.FAILED;
      }
      d.point("current", from.get());
      if (previousBefore.isPresent()) {
        d.point("previous", previousBefore.get()); // so that a later rollback still goes where it went before
      }
      System.err.println("current -> releases/" + from.get().getFileName() + " (rolled back by itself)");
      if (wasRunning && !startAndCheck(d, from.get(), cfg)) {
        System.err.println("the previous release did not come up healthy either: see the log in " + d.sharedData());
      }
      return Main.FAILED;
    }
  }

  @Command(name = "upgrade", mixinStandardHelpOptions = true,
      description = {"Installs a new release and switches to it: unpacks PACKAGE into <root>/releases/<version>, checks "
          + "the running config (and the data directory's format) with it, builds its class-data sharing archive, "
          + "points <root>/current at it, restarts the agent and checks its health.",
          "If the new release does not come up healthy, current is switched back and the previous release started "
              + "again by itself. `swak rollback` goes back later."})
  static final class Upgrade extends DeployCommand {
    @Parameters(index = "0", paramLabel = "PACKAGE", description = "The distribution tarball, swak-<version>.tar.gz.")
    Path pkg;

    @Option(names = "--skip-cds", description = "Do not build the new release's class-data sharing archive "
        + "(it then starts slower until `swak cds`).")
    boolean skipCds;

    @Option(names = "--start", description = "Start the agent after switching even if it was not running.")
    boolean start;

    @Override
    public Integer call() throws Exception {
      Deployment d = deployment();
      if (d == null) {
        return Main.FAILED;
      }
      Optional<Path> old = d.release("current");
      Path release;
      try {
        release = d.unpack(pkg);
      } catch (IOException e) {
        System.err.println("upgrade stopped: " + e.getMessage());
        return Main.FAILED;
      }
      System.out.println("unpacked " + pkg + " into " + release);
      Path cfg = config(d);
      if (!Files.exists(cfg) && config == null) {
        Files.copy(release.resolve("conf/swak.yml"), cfg);
        System.out.println("no " + cfg + " yet: copied the release's sample config there (edit it)");
      }
      Deployment.Result v = d.swak(release, Duration.ofMinutes(2), "validate", cfg.toString());
      d.show("validate " + cfg + " with releases/" + release.getFileName() + ":", v);
      if (v.code() != 0) {
        System.err.println("upgrade stopped: releases/" + release.getFileName() + " rejects the config (or the data "
            + "directory); the running release is untouched. Fix it and run upgrade again, or remove " + release);
        return Main.FAILED;
      }
      if (!skipCds) {
        Deployment.Result c = d.swak(release, Duration.ofMinutes(5), "cds");
        d.show("class-data sharing archive:", c);
      }
      return switchTo(d, release, old, cfg, start, "upgrade to releases/" + release.getFileName());
    }
  }

  @Command(name = "rollback", mixinStandardHelpOptions = true,
      description = "Switches <root>/current back to the previous release and restarts the agent (if it ran).")
  static final class Rollback extends DeployCommand {
    @Override
    public Integer call() throws Exception {
      Deployment d = deployment();
      if (d == null) {
        return Main.FAILED;
      }
      Optional<Path> prev = d.release("previous");
      Optional<Path> cur = d.release("current");
      if (prev.isEmpty() || cur.isEmpty()) {
        System.err.println("nothing to roll back to: " + d.root() + " has no previous release (releases: "
            + d.all().stream().map(p -> p.getFileName().toString()).toList() + ")");
        return Main.FAILED;
      }
      Path cfg = config(d);
      Deployment.Result v = d.swak(prev.get(), Duration.ofMinutes(2), "validate", cfg.toString());
      if (v.code() != 0) {
        d.show("releases/" + prev.get().getFileName() + " rejects " + cfg + ":", v);
        System.err.println("rollback stopped: nothing was switched");
        return Main.FAILED;
      }
      return switchTo(d, prev.get(), cur, cfg, false, "rollback to releases/" + prev.get().getFileName());
    }
  }

  @Command(name = "releases", mixinStandardHelpOptions = true,
      description = "Lists the installed releases, oldest first, with the current and the previous one marked.")
  static final class Releases extends DeployCommand {
    @Override
    public Integer call() throws Exception {
      Deployment d = deployment();
      if (d == null) {
        return Main.FAILED;
      }
      Optional<Path> cur = d.release("current");
      Optional<Path> prev = d.release("previous");
      for (Path r : d.all()) {
        String mark = cur.filter(r::equals).isPresent() ? "current " : prev.filter(r::equals).isPresent()
            ? "previous" : "        ";
        System.out.println(mark + " " + r.getFileName());
      }
      return 0;
    }
  }
}
