package io.swak.plugins.filetail;

import static org.awaitility.Awaitility.await;

import io.swak.core.config.AgentConfig;
import io.swak.core.config.ConfigLoader;
import io.swak.core.config.PluginRegistry;
import io.swak.core.runtime.Agent;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

/** Runs a real agent (ConfigLoader + Agent) with in.FileTail → out.File and reads what it wrote. */
final class Pipeline implements AutoCloseable {

  final Path logs;
  final Path out;
  final Path data;
  private Agent agent;

  Pipeline(Path root) throws IOException {
    this.logs = Files.createDirectories(root.resolve("logs"));
    this.out = Files.createDirectories(root.resolve("out"));
    this.data = Files.createDirectories(root.resolve("data"));
  }

  /** Starts an agent; {@code tailOptions} are YAML lines (4-space indented) added to in.FileTail. */
  Pipeline start(String tailOptions) throws Exception {
    return start(tailOptions, "raw");
  }

  /** The same, with out.File writing {@code format} (raw: one line per event's message). */
  Pipeline start(String tailOptions, String format) throws Exception {
    String yaml = "- task:\n"
        + "  - in.FileTail:\n"
        + tailOptions
        + "  - out.File:\n"
        + "      path: " + out + "/${tag}.out\n"
        + "      format: " + format + "\n";
    AgentConfig c = new ConfigLoader(PluginRegistry.builtIn(), Map.of()).parse("test.yml", yaml);
    agent = new Agent(c, data, Clock.systemUTC());
    agent.start();
    // the first scan decides read_from_head; files written before it would count as already there
    Agent a = agent;
    await().atMost(Duration.ofSeconds(10)).pollInterval(Duration.ofMillis(10))
        .until(() -> a.tasks().stream().allMatch(t -> t.state().equals("running")));
    return this;
  }

  void stop() throws InterruptedException {
    if (agent != null) {
      agent.stop();
      agent = null;
    }
  }

  /** Every line written so far by out.File, over all outputs. */
  List<String> lines() {
    List<String> all = new ArrayList<>();
    try (Stream<Path> s = Files.list(out)) {
      for (Path p : s.sorted().toList()) {
        all.addAll(Files.readAllLines(p, StandardCharsets.UTF_8));
      }
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return all;
  }

  /** Lines of the output of one tag. */
  List<String> lines(String tag) {
    Path p = out.resolve(tag + ".out");
    try {
      return Files.exists(p) ? Files.readAllLines(p, StandardCharsets.UTF_8) : List.of();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** Waits until at least {@code n} lines were written. */
  void awaitLines(int n, Duration timeout) {
    await().atMost(timeout).pollInterval(Duration.ofMillis(50)).until(() -> lines().size() >= n);
  }

  /** The files' own tag for in.FileTail's default `tail.*`. */
  static String tagOf(Path file) {
    return "tail." + file.toString().substring(1).replace('/', '.');
  }

  @Override
  public void close() throws Exception {
    stop();
  }

  /** Starts {@link TailWriter} as its own JVM. */
  static Process writer(String... args) throws IOException {
    List<String> cmd = new ArrayList<>();
    cmd.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
    cmd.add("-XX:TieredStopAtLevel=1");
    cmd.add("-cp");
    cmd.add(System.getProperty("java.class.path"));
    cmd.add(TailWriter.class.getName());
    cmd.addAll(List.of(args));
    return new ProcessBuilder(cmd).redirectError(ProcessBuilder.Redirect.INHERIT).start();
  }
}
