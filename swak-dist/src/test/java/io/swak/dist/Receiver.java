package io.swak.dist;

import io.swak.core.config.AgentConfig;
import io.swak.core.config.ConfigLoader;
import io.swak.core.config.PluginRegistry;
import io.swak.core.runtime.Agent;
import java.io.IOException;
import java.net.ServerSocket;
import java.nio.file.Path;
import java.time.Clock;
import java.util.Map;

/**
 * A real Forward receiver for delivery tests: a Swak agent in the test JVM, in.Forward → out.File
 * (raw lines), that can be stopped and started again on the same port to play a server outage.
 */
final class Receiver implements AutoCloseable {

  final int port;
  final Path out;
  private final Path data;
  private Agent agent;

  Receiver(Path dir) throws IOException {
    try (ServerSocket s = new ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
      port = s.getLocalPort();
    }
    out = dir.resolve("received.log");
    data = dir.resolve("receiver-data");
  }

  Receiver start() throws Exception {
    AgentConfig c = new ConfigLoader(PluginRegistry.builtIn(), Map.of()).parse("receiver.yml", """
        - task:
          - in.Forward: {bind: 127.0.0.1, port: %d}
          - out.File: {path: "%s", format: raw}
        """.formatted(port, out));
    agent = new Agent(c, data, Clock.systemUTC());
    agent.start();
    return this;
  }

  void stop() throws InterruptedException {
    if (agent != null) {
      agent.stop();
      agent = null;
    }
  }

  @Override
  public void close() throws InterruptedException {
    stop();
  }
}
