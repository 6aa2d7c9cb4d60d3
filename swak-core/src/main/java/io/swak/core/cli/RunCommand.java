package io.swak.core.cli;

import io.swak.core.config.AgentConfig;
import io.swak.core.config.PluginRegistry;
import java.nio.file.InvalidPathException;
import java.nio.file.Path;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code swak run CONFIG}: every task in the foreground until SIGINT or SIGTERM. */
@Command(name = "run", mixinStandardHelpOptions = true, versionProvider = Main.Version.class,
    description = {"Runs every task of CONFIG in the foreground until SIGINT or SIGTERM.",
        "Signals: HUP reloads CONFIG (unchanged tasks keep running), USR1 logs the status, "
            + "USR2 reopens the log file."})
final class RunCommand extends AgentCommand {
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
  static RunCommand plain(String[] args) {
    RunCommand r = new RunCommand();
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
    PluginRegistry registry = Main.registry();
    AgentConfig cfg = Main.load(config, registry);
    if (cfg == null) {
      return Main.FAILED;
    }
    return new AgentRun(config, cfg, registry, dataDir, verbose, statusFile, supervised).run();
  }
}
