package io.swak.core.testing;

import io.swak.core.cli.Main;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;

/**
 * `swak run CONFIG` in a JVM of its own, on this JVM's class path (the plugins of the module under test), its output
 * in a log file: for tests that kill an agent with kill -9 ({@link Process#destroyForcibly()}) and start it again.
 */
public final class AgentProcess {

  private AgentProcess() { }

  /** Starts the agent; what it prints goes to {@code log}. */
  public static Process start(Path cfg, Path log) throws IOException {
    return new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "java").toString(), "-Xmx256m",
        "-cp", System.getProperty("java.class.path"), Main.class.getName(), "run", cfg.toString())
        .redirectErrorStream(true).redirectOutput(log.toFile()).start();
  }

  /** After a test: prints the logs that exist (for a failure's report) and kills the agent if it still runs. */
  public static void printLogsAndKill(Process agent, Path... logs) throws Exception {
    for (int n = 0; n < logs.length; n++) {
      if (Files.exists(logs[n])) {
        System.out.println("--- agent run " + (n + 1) + ":\n" + Files.readString(logs[n]));
      }
    }
    if (agent != null && agent.isAlive()) {
      agent.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
    }
  }
}
