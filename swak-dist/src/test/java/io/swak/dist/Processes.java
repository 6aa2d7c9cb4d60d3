package io.swak.dist;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/** The processes of the crash tests: the packaged agent and writer programs from the test class path. */
final class Processes {

  private Processes() { }

  /** {@code bin/swak run CONFIG}, output to root/agent.out, log appended to root/agent.err. */
  static Process agent(Path config, Path root, Map<String, String> env) throws IOException {
    Path launcher = Path.of("..", "bin", "swak").toAbsolutePath().normalize();
    ProcessBuilder pb = new ProcessBuilder(launcher.toString(), "run", config.toString())
        .redirectOutput(root.resolve("agent.out").toFile())
        .redirectError(ProcessBuilder.Redirect.appendTo(root.resolve("agent.err").toFile()));
    pb.environment().put("SWAK_DATA_DIR", root.resolve("data").toString());
    pb.environment().putAll(env);
    return pb.start();
  }

  /** A Java main of the test class path in its own JVM. */
  static Process java(String main, String... args) throws IOException {
    List<String> cmd = new ArrayList<>();
    cmd.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
    cmd.add("-cp");
    cmd.add(System.getProperty("java.class.path"));
    cmd.add(main);
    cmd.addAll(List.of(args));
    return new ProcessBuilder(cmd).redirectError(ProcessBuilder.Redirect.INHERIT).start();
  }

  /** Waits for a {@link CrashWriter} to finish and returns the number of lines it wrote. */
  static long done(Process writer) throws Exception {
    try (BufferedReader r = new BufferedReader(new InputStreamReader(writer.getInputStream(), StandardCharsets.UTF_8))) {
      String line;
      long total = -1;
      while ((line = r.readLine()) != null) {
        if (line.startsWith("done ")) {
          total = Long.parseLong(line.substring(5));
        }
      }
      assertThat(writer.waitFor(30, TimeUnit.SECONDS)).isTrue();
      assertThat(total).isPositive();
      return total;
    }
  }
}
