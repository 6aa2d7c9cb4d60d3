package io.swak.core.config;

import io.swak.api.DataSize;
import io.swak.api.Option;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;

/** Settings of the agent itself, from the optional {@code - agent:} entry of a config. */
public record AgentOptions(
    @Option(value = "Log level of the agent's own log: error, warn, info, debug, trace.", defaultValue = "info")
    Level logLevel,
    @Option("Where checkpoints and disk buffers live. Default: $SWAK_DATA_DIR, else ~/.swak/data.")
    Path dataDir,
    @Option(value = "How long a stop waits for buffers to flush and steps to close.", defaultValue = "10s")
    java.time.Duration shutdownTimeout,
    @Option("The agent's own log file, rotated by size (SIGUSR2 reopens it for logrotate). Default: standard "
        + "error; `swak start` then sends it to <data_dir>/swak.out.")
    Path logFile,
    @Option(value = "Size at which log_file is rotated to log_file.1 (… up to log_keep files).",
        defaultValue = "10MiB")
    DataSize logRotateSize,
    @Option(value = "How many rotated log files to keep.", defaultValue = "5")
    int logKeep,
    @Option("Pid file of `swak start` (read by stop, status, reload). Default: <data_dir>/swak.pid.")
    Path pidFile,
    @Option("Status, metrics and the live dashboard over HTTP: {bind: 127.0.0.1, port: 24230, token: …}. Off "
        + "unless set.")
    Http http,
    @Option("When a task counts as degraded or failing (/health, swak status): {degraded_after: 10s, "
        + "failing_after: 1m, buffer_percent: 80}.")
    Health health) {

  public AgentOptions {
    if (logKeep < 1) {
      throw new IllegalArgumentException("option `log_keep` must be at least 1, got " + logKeep);
    }
    if (logRotateSize != null && logRotateSize.bytes() < 1024) {
      throw new IllegalArgumentException("option `log_rotate_size` must be at least 1KiB, got " + logRotateSize);
    }
  }

  /** Log levels, as written in configs. */
  public enum Level { ERROR, WARN, INFO, DEBUG, TRACE }

  /** The HTTP status endpoint. */
  public record Http(
      @Option(value = "Address to listen on. Keep it on loopback unless a firewall protects the port.",
          defaultValue = "127.0.0.1")
      String bind,
      @Option(value = "TCP port; 0 picks a free one (it is logged and written to the status file).",
          required = true)
      int port,
      @Option("A secret every request must carry (`Authorization: Bearer TOKEN`, or `?token=TOKEN` in the "
          + "dashboard's address); set it whenever bind is not a loopback address, e.g. token: ${SWAK_HTTP_TOKEN}.")
      String token) {

    public Http {
      if (port < 0 || port > 65535) {
        throw new IllegalArgumentException("option `port` must be 0 to 65535, got " + port);
      }
      if (bind == null || bind.isBlank()) {
        throw new IllegalArgumentException("option `bind` is empty: use an address such as 127.0.0.1");
      }
      if (token != null && token.isBlank()) {
        throw new IllegalArgumentException("option `token` is empty: leave it out, or give a long random secret");
      }
    }

    /** Never the token: this text may be logged (a reload says what changed). */
    @Override
    public String toString() {
      return "{bind: " + bind + ", port: " + port + (token != null ? ", token: (set)" : "") + "}";
    }
  }

  /**
   * Thresholds of a task's health. An output has stalled while its oldest undelivered batch waits with nothing
   * delivered meanwhile (retries, or a send that does not finish).
   */
  public record Health(
      @Option(value = "An output stalled this long makes its task degraded.", defaultValue = "10s")
      Duration degradedAfter,
      @Option(value = "An output stalled this long makes its task failing: /health answers 503, swak status exits "
          + "150.", defaultValue = "1m")
      Duration failingAfter,
      @Option(value = "A buffer at least this full (percent of its total_limit) makes its task degraded.",
          defaultValue = "80")
      int bufferPercent) {

    public static final Health DEFAULTS = new Health(Duration.ofSeconds(10), Duration.ofMinutes(1), 80);

    public Health {
      if (degradedAfter == null || degradedAfter.isNegative() || degradedAfter.isZero()) {
        throw new IllegalArgumentException("option `degraded_after` must be more than 0");
      }
      if (failingAfter == null || failingAfter.compareTo(degradedAfter) < 0) {
        throw new IllegalArgumentException("option `failing_after` must be at least `degraded_after` ("
            + degradedAfter.toMillis() + " ms)");
      }
      if (bufferPercent < 1 || bufferPercent > 100) {
        throw new IllegalArgumentException("option `buffer_percent` must be 1 to 100, got " + bufferPercent);
      }
    }
  }

  /** The health thresholds in force: the config's, else the defaults. */
  public Health healthOrDefaults() {
    return health != null ? health : Health.DEFAULTS;
  }

  /** The data directory to use, after defaults. */
  public Path resolvedDataDir(Map<String, String> env) {
    if (dataDir != null) {
      return dataDir;
    }
    return defaultDataDir(env);
  }

  /** $SWAK_DATA_DIR, else ~/.swak/data. */
  public static Path defaultDataDir(Map<String, String> env) {
    String e = env.get("SWAK_DATA_DIR");
    if (e != null && !e.isEmpty()) {
      return Path.of(e);
    }
    return Path.of(System.getProperty("user.home"), ".swak", "data");
  }

  /** The settings of a config without an agent entry. */
  public static AgentOptions defaults() {
    return new AgentOptions(Level.INFO, null, Duration.ofSeconds(10), null, DataSize.parse("10MiB"), 5, null, null, null);
  }
}
