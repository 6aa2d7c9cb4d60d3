package io.swak.core.cli;

import io.swak.core.config.AgentConfig;
import io.swak.core.config.TaskConfig;
import io.swak.core.runtime.Agent;
import io.swak.core.runtime.Task;
import java.time.Clock;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code swak test CONFIG [-t N]}: one task in the foreground with debug logging, to try a config out. */
@Command(name = "test", mixinStandardHelpOptions = true, versionProvider = Main.Version.class,
    description = "Runs one task of CONFIG in the foreground with debug logging, to try a config out.")
final class TestCommand extends AgentCommand {
  @Option(names = {"-t", "--task"}, paramLabel = "N", defaultValue = "1",
      description = "Which task to run, counting from 1 (default: ${DEFAULT-VALUE}).")
  int task;

  @Override
  public Integer call() throws Exception {
    AgentConfig cfg = Main.load(config, Main.registry());
    if (cfg == null) {
      return Main.FAILED;
    }
    int n = cfg.tasks().size();
    if (task < 1 || task > n) {
      System.err.println(config + " has " + n + (n == 1 ? " task" : " tasks") + "; there is no task " + task
          + (n == 1 ? " (use -t 1 or leave -t out)" : " (use -t 1 to -t " + n + ")"));
      return Main.FAILED;
    }
    setLogLevel(cfg, true);
    TaskConfig tc = cfg.tasks().get(task - 1);
    Agent agent = new Agent(cfg, dataDir(cfg), Clock.systemUTC(), List.of(tc));
    Task t = agent.tasks().get(0);
    AgentRun.onStopSignals(new CountDownLatch(1), t::stop);
    Logger log = LoggerFactory.getLogger("swak");
    log.info("testing {} of {} ({} steps); stop with Ctrl-C", tc.label(), config, tc.steps().size());
    t.run(); // on this thread, as the seed's test mode does
    log.info("stopped");
    return 0;
  }
}
