package io.swak.plugins.metrics;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/** Starts {@link Child} processes (a real JVM each) and ends them, by their own handle, when the test is done. */
final class Children implements AutoCloseable {

  /** A started child and the first line it printed. */
  record Started(Process process, String firstLine) {
    long pid() {
      return process.pid();
    }
  }

  private final List<Process> started = new ArrayList<>();

  Started start(String... args) throws IOException {
    List<String> cmd = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
        "-Xmx32m", "-Xss512k", "-XX:TieredStopAtLevel=1", "-XX:+UseSerialGC", "-cp",
        System.getProperty("java.class.path"), Child.class.getName()));
    cmd.addAll(List.of(args));
    Process p = new ProcessBuilder(cmd).redirectError(ProcessBuilder.Redirect.INHERIT).start();
    started.add(p);
    BufferedReader out = new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8));
    String line = out.readLine();
    if (line == null) {
      throw new IOException("child " + List.of(args) + " ended before it was ready");
    }
    return new Started(p, line.trim());
  }

  /** Ends one child: its stdin closes, so it exits; killed if it does not. */
  void stop(Started s) throws InterruptedException {
    try {
      s.process().getOutputStream().close();
    } catch (IOException ignored) {
      // already gone
    }
    if (!s.process().waitFor(10, TimeUnit.SECONDS)) {
      s.process().destroyForcibly().waitFor(10, TimeUnit.SECONDS);
    }
  }

  @Override
  public void close() throws InterruptedException {
    for (Process p : started) {
      stop(new Started(p, ""));
    }
  }
}
