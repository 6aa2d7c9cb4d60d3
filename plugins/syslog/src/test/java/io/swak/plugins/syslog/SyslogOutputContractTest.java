package io.swak.plugins.syslog;

import io.swak.core.testing.OutputContract;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * out.Syslog over TCP passes the output contract against a syslog server on a real socket; "broken" is the
 * server not listening. Syslog has no rejection, so the dead-letter case does not apply.
 */
class SyslogOutputContractTest extends OutputContract {

  private static final Pattern SEQ = Pattern.compile("\"seq\":(\\d+)");

  @Override
  protected Destination destination(Path dir) throws Exception {
    SyslogReceiver server = new SyslogReceiver();
    return new Destination() {
      @Override
      public String step() {
        return "out.Syslog: {protocol: tcp, port: " + server.port + ", connect_timeout: 1s}";
      }

      @Override
      public List<Long> received() throws Exception {
        if (agent == null) {
          server.drained(); // after a stop: what was written is read before it is counted
        }
        List<Long> seqs = new ArrayList<>();
        for (String m : server.messages) {
          Matcher x = SEQ.matcher(m);
          seqs.add(x.find() ? Long.parseLong(x.group(1)) : -1);
        }
        return seqs;
      }

      @Override
      public boolean breakDown() throws Exception {
        server.down();
        return true;
      }

      @Override
      public void repair() throws Exception {
        server.up();
      }

      @Override
      public void close() throws Exception {
        server.close();
      }
    };
  }
}
