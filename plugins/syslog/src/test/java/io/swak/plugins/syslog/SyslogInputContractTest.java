package io.swak.plugins.syslog;

import io.swak.core.testing.InputContract;
import io.swak.core.testing.Ports;
import java.io.OutputStream;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;

/** in.Syslog over TCP passes the input contract, fed RFC 5424 octet-counted messages on one connection. */
class SyslogInputContractTest extends InputContract {

  @Override
  protected Source source(Path dir) throws Exception {
    int port = Ports.free();
    return new Source() {
      private Socket socket;

      @Override
      public String step() {
        return "in.Syslog: {protocol: tcp, port: " + port + "}";
      }

      @Override
      public void produce(long from, int n) throws Exception {
        if (socket == null) {
          socket = Rsyslog.connect(port);
        }
        StringBuilder b = new StringBuilder();
        for (long i = from; i < from + n; i++) {
          String m = "<14>1 2026-03-04T05:06:07Z host app - - - event " + i;
          b.append(m.length()).append(' ').append(m);
        }
        OutputStream out = socket.getOutputStream();
        out.write(b.toString().getBytes(StandardCharsets.US_ASCII));
        out.flush();
      }

      @Override
      public boolean keepsPositions() {
        return false;
      }

      @Override
      public void close() throws Exception {
        if (socket != null) {
          socket.close();
        }
      }
    };
  }
}
