package io.swak.core.config;

import io.swak.api.Option;
import java.nio.file.Path;
import java.time.Duration;

/** Settings of the agent itself, from the optional {@code - agent:} entry of a config. */
public record AgentOptions(
    @Option(value = "Log level of the agent's own log: error, warn, info, debug, trace.", defaultValue = "info")
    Level logLevel,
    @Option("Where checkpoints and disk buffers live. Default: $SWAK_DATA_DIR, else ~/.swak/data.")
    Path dataDir,
    @Option(value = "How long a stop waits for buffers to flush and steps to close.", defaultValue = "10s")
    java.time.Duration shutdownTimeout) {

  /** Log levels, as written in configs. */
  public enum Level { ERROR, WARN, INFO, DEBUG, TRACE }

  /** The data directory to use, after defaults. */
  public Path resolvedDataDir(java.util.Map<String, String> env) {
    if (dataDir != null) {
      return dataDir;
    }
    String e = env.get("SWAK_DATA_DIR");
    if (e != null && !e.isEmpty()) {
      return Path.of(e);
    }
    return Path.of(System.getProperty("user.home"), ".swak", "data");
  }

  static AgentOptions defaults() {
    return new AgentOptions(Level.INFO, null, Duration.ofSeconds(10));
  }
}
