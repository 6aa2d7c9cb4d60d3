package io.swak.plugins.tcp;

import io.swak.core.runtime.Agent;
import io.swak.core.testing.Pipelines;
import io.swak.core.testing.Ports;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;

/** Sockets and agents of the module's tests. */
final class Net {

  private Net() { }

  /** Waits until something accepts connections on the port (an input starts on its task's thread). */
  static void awaitListening(int port) {
    org.awaitility.Awaitility.await().atMost(java.time.Duration.ofSeconds(20)).ignoreExceptions().until(() -> {
      try (Socket s = connect(port)) {
        return true;
      }
    });
  }

  static Socket connect(int port) throws Exception {
    return new Socket(InetAddress.getLoopbackAddress(), port);
  }

  static void send(Socket s, String text) throws Exception {
    OutputStream out = s.getOutputStream();
    out.write(text.getBytes(StandardCharsets.UTF_8));
    out.flush();
  }

  /** A second agent of the test (a relay's other end), its data under dir/name. */
  static Agent agent(Path dir, String name, String yaml) throws Exception {
    Path d = Files.createDirectories(dir.resolve(name));
    return Pipelines.start(d, yaml);
  }

  /** The counters and gauges of step {@code step} of the agent's first task. */
  static Map<String, Long> counters(Agent a, int step) {
    var c = a.tasks().get(0).counters().get(step);
    Map<String, Long> m = new java.util.TreeMap<>(c.gauges());
    m.putAll(c.snapshot());
    return m;
  }

  static long counter(Agent a, int step, String name) {
    return counters(a, step).getOrDefault(name, 0L);
  }
}
