package io.swak.core.cli;

import io.swak.core.config.AgentConfig;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Parameters;

/** {@code swak validate CONFIG}: every problem of a config, without running it. */
@Command(name = "validate", mixinStandardHelpOptions = true, versionProvider = Main.Version.class,
    description = "Checks CONFIG without running it: exit 0 when valid, 1 with every problem otherwise.")
final class ValidateCommand implements Callable<Integer> {
  @Parameters(index = "0", paramLabel = "CONFIG", description = "YAML file of tasks.")
  Path config;

  @Override
  public Integer call() {
    AgentConfig cfg = Main.load(config, Main.registry());
    if (cfg == null) {
      return Main.FAILED;
    }
    for (String w : io.swak.core.runtime.SharedPositions.warnings(cfg,
        cfg.agent().resolvedDataDir(System.getenv()))) {
      System.out.println("warning: " + w);
    }
    int steps = cfg.tasks().stream().mapToInt(t -> t.steps().size()).sum();
    System.out.println(config + ": valid (" + cfg.tasks().size() + (cfg.tasks().size() == 1 ? " task, " : " tasks, ")
        + steps + " steps)");
    return 0;
  }
}
