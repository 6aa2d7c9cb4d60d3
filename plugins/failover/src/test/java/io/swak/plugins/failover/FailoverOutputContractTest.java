package io.swak.plugins.failover;

import io.swak.core.testing.OutputContract;
import io.swak.core.testing.TestSink;
import java.nio.file.Path;
import java.util.List;

/**
 * failover passes the output contract with a windowed output and a synchronous one inside it (both write
 * to one destination, so the order of arrival over both can be checked).
 */
class FailoverOutputContractTest extends OutputContract {

  @Override
  protected Destination destination(Path dir) {
    String name = id + "-failover";
    TestSink.State s = TestSink.state(name);
    return new Destination() {
      @Override
      public String step() {
        return "failover: {recover_interval: 50ms, outputs: [{out.TestSink: {name: " + name + ", window: 8}}, "
            + "{out.TestSink: {name: " + name + "}}]}";
      }

      @Override
      public List<Long> received() {
        return s.seqs();
      }

      @Override
      public boolean breakDown() {
        s.failing = true;
        return true;
      }

      @Override
      public void repair() {
        s.failing = false;
      }

      @Override
      public boolean rejectAll() {
        s.rejecting = true;
        return true;
      }
    };
  }
}
