package io.swak.plugins.tcp;

import io.swak.core.testing.InputContract;
import io.swak.core.testing.Ports;
import java.net.Socket;
import java.nio.file.Path;

/** in.Tcp passes the input contract: JSON lines {"seq": n} written on one kept connection. */
class TcpInputContractTest extends InputContract {

  @Override
  protected Source source(Path dir) throws Exception {
    int port = Ports.free();
    return new Source() {
      private Socket s;

      @Override
      public String step() {
        return "in.Tcp: {port: " + port + ", format: json_lines}";
      }

      @Override
      public void produce(long from, int n) throws Exception {
        if (s == null) {
          Net.awaitListening(port);
          s = Net.connect(port);
        }
        StringBuilder b = new StringBuilder();
        for (long i = from; i < from + n; i++) {
          b.append("{\"seq\":").append(i).append(",\"message\":\"event ").append(i).append("\"}\n");
        }
        Net.send(s, b.toString());
      }

      @Override
      public boolean keepsPositions() {
        return false;
      }

      @Override
      public void close() throws Exception {
        if (s != null) {
          s.close();
        }
      }
    };
  }
}
