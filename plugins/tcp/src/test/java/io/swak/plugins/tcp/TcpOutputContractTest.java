package io.swak.plugins.tcp;

import io.swak.core.runtime.Agent;
import io.swak.core.testing.OutputContract;
import io.swak.core.testing.Ports;
import io.swak.core.testing.TestSink;
import java.nio.file.Path;
import java.util.List;
import java.util.UUID;

/**
 * out.Tcp passes the output contract with acknowledgements (format forward, require_ack, gzip) into a real
 * collector: a second agent whose in.Tcp feeds out.TestSink. "Broken" is that agent stopped (connection refused
 * or cut), "repaired" the agent started again on the same port.
 */
class TcpOutputContractTest extends OutputContract {

  @Override
  protected Destination destination(Path dir) throws Exception {
    int port = Ports.free();
    String name = UUID.randomUUID().toString();
    String yaml = """
        - task:
          - in.Tcp: {port: %d, format: forward}
          - out.TestSink: {name: %s}
        """.formatted(port, name);
    return new Destination() {
      private Agent collector = start();
      private int starts;

      private Agent start() throws Exception {
        Agent a = Net.agent(dir, "collector-" + starts++, yaml);
        Net.awaitListening(port);
        return a;
      }

      @Override
      public String step() {
        return "out.Tcp: {host: 127.0.0.1, port: " + port + ", format: forward, require_ack: true, compress: gzip, "
            + "reconnect_wait: 20ms, reconnect_wait_max: 100ms, ack_timeout: 5s}";
      }

      @Override
      public List<Long> received() {
        return TestSink.state(name).seqs();
      }

      @Override
      public boolean breakDown() throws Exception {
        collector.stop();
        collector = null;
        return true;
      }

      @Override
      public void repair() throws Exception {
        collector = start();
      }

      @Override
      public void close() throws Exception {
        if (collector != null) {
          collector.stop();
        }
      }
    };
  }
}
