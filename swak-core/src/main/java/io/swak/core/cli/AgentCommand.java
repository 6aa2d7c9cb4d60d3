package io.swak.core.cli;

import io.swak.core.config.AgentConfig;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;
import java.util.concurrent.Callable;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** What the commands that run tasks in this process ({@code run}, {@code test}) have in common. */
abstract class AgentCommand implements Callable<Integer> {
  @Parameters(index = "0", paramLabel = "CONFIG", description = "YAML file of tasks.")
  Path config;

  @Option(names = "--data-dir", paramLabel = "DIR",
      description = "Where checkpoints and buffers live (overrides the config's agent.data_dir).")
  Path dataDir;

  @Option(names = {"-v", "--verbose"}, description = "Debug logging.")
  boolean verbose;

  /** --data-dir, else the config's; created when missing. */
  Path dataDir(AgentConfig cfg) throws IOException {
    Path d = dataDir != null ? dataDir : cfg.agent().resolvedDataDir(System.getenv());
    Files.createDirectories(d);
    return d;
  }

  /** The config's log level, or debug; -Dswak.log.level wins over both. */
  static void setLogLevel(AgentConfig cfg, boolean debug) {
    if (System.getProperty("swak.log.level") == null) {
      LogSetup.setLevel(debug ? "debug" : cfg.agent().logLevel().name().toLowerCase(Locale.ROOT));
    }
  }
}
