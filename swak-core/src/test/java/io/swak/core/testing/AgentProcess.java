package io.swak.core.testing;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.awaitility.Awaitility;

/**
 * An agent in a process of its own with bin/swak's default JVM options (heap, collector, exit on out of memory),
 * as a user's agent runs, on the test's class path: for the hostile-client trials, which read its resident memory
 * from /proc while clients hit it. {@link #close} ends it. The static {@link #start(Path, Path)} is the plain
 * kind, for kill -9 tests.
 */
public final class AgentProcess implements AutoCloseable {

  /** The launcher whose options the agent gets, from a plugin module's directory. */
  public static final Path LAUNCHER = Path.of("../../bin/swak").toAbsolutePath().normalize();

  private final Process process;
  private final Path log;
  private final int httpPort;
  private final HttpClient client = HttpClient.newHttpClient();
  private final AtomicLong peakKib = new AtomicLong();
  private volatile boolean sampling;
  private Thread sampler;

  private AgentProcess(Process process, Path log, int httpPort) {
    this.process = process;
    this.log = log;
    this.httpPort = httpPort;
  }

  /** bin/swak's DEFAULT_OPTS. */
  public static List<String> launcherOptions() throws IOException {
    Matcher m = Pattern.compile("DEFAULT_OPTS=\"([^\"]*)\"").matcher(Files.readString(LAUNCHER));
    if (!m.find()) {
      throw new IllegalStateException("no DEFAULT_OPTS in " + LAUNCHER);
    }
    return List.of(m.group(1).trim().split("\\s+"));
  }

  /**
   * Runs the tasks of {@code tasksYaml} (YAML list items) in {@code dir}, with the status server on {@code httpPort},
   * and waits until /metrics answers.
   */
  public static AgentProcess start(Path dir, String tasksYaml, int httpPort) throws Exception {
    Path config = dir.resolve("agent.yml");
    Files.writeString(config, tasksYaml + "- agent: {http: {port: " + httpPort + "}}\n");
    List<String> cmd = new ArrayList<>();
    cmd.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
    cmd.addAll(launcherOptions());
    cmd.addAll(List.of("-cp", System.getProperty("java.class.path"), "io.swak.core.cli.Main", "run",
        config.toString()));
    Path log = dir.resolve("agent.err");
    ProcessBuilder pb = new ProcessBuilder(cmd).redirectOutput(dir.resolve("agent.out").toFile())
        .redirectError(log.toFile());
    pb.environment().remove("JAVA_TOOL_OPTIONS");
    pb.environment().put("SWAK_DATA_DIR", dir.resolve("data").toString());
    AgentProcess a = new AgentProcess(pb.start(), log, httpPort);
    Awaitility.await().atMost(Duration.ofSeconds(60)).ignoreExceptions().until(() -> a.metrics() != null);
    return a;
  }

  /**
   * `swak run CONFIG` in a JVM of its own, on this JVM's class path (the plugins of the module under test), its
   * output in {@code log}: for tests that kill an agent with kill -9 ({@link Process#destroyForcibly()}) and start
   * it again.
   */
  public static Process start(Path cfg, Path log) throws IOException {
    return new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "java").toString(), "-Xmx256m",
        "-cp", System.getProperty("java.class.path"), "io.swak.core.cli.Main", "run", cfg.toString())
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

  public long pid() {
    return process.pid();
  }

  public boolean isAlive() {
    return process.isAlive();
  }

  /** The agent's VmRSS now, KiB. */
  public long rssKib() throws IOException {
    for (String l : Files.readAllLines(Path.of("/proc/" + process.pid() + "/status"))) {
      if (l.startsWith("VmRSS:")) {
        return Long.parseLong(l.replaceAll("\\D+", ""));
      }
    }
    throw new IllegalStateException("no VmRSS for " + process.pid());
  }

  /** Starts reading VmRSS every 20 ms; {@link #peakKib} is the largest seen until {@link #stopSampling}. */
  public void startSampling() {
    sampling = true;
    sampler = new Thread(() -> {
      while (sampling && process.isAlive()) {
        try {
          peakKib.accumulateAndGet(rssKib(), Math::max);
          Thread.sleep(20); // a sampling period, not a synchronisation
        } catch (Exception e) {
          return;
        }
      }
    }, "rss-sampler");
    sampler.setDaemon(true);
    sampler.start();
  }

  public void stopSampling() throws InterruptedException {
    sampling = false;
    if (sampler != null) {
      sampler.join(5000);
    }
  }

  public long peakKib() {
    return peakKib.get();
  }

  /** The Prometheus text of /metrics; null when it does not answer 200. */
  public String metrics() throws IOException, InterruptedException {
    HttpResponse<String> r = client.send(
        HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + httpPort + "/metrics")).build(),
        HttpResponse.BodyHandlers.ofString());
    return r.statusCode() == 200 ? r.body() : null;
  }

  /** A step counter (swak_step_NAME_total) of the step {@code plugin}; 0 when not there. */
  public static long counter(String metrics, String plugin, String name) {
    Matcher m = Pattern.compile("^swak_step_" + name + "_total\\{[^}]*plugin=\"" + Pattern.quote(plugin)
        + "\"} (\\d+)", Pattern.MULTILINE).matcher(metrics);
    return m.find() ? Long.parseLong(m.group(1)) : 0;
  }

  /** What the agent logged to standard error. */
  public String log() throws IOException {
    return Files.readString(log, StandardCharsets.UTF_8);
  }

  @Override
  public void close() throws Exception {
    sampling = false;
    if (process.isAlive()) {
      process.destroy();
      if (!process.waitFor(10, TimeUnit.SECONDS)) {
        process.destroyForcibly();
      }
    }
  }
}
