package io.swak.sample;

import io.swak.core.testing.OutputContract;
import io.swak.core.testing.TestSink;
import java.nio.file.Path;
import java.util.List;

/**
 * out.FirstOf, an output made of outputs written against swak-api alone, passes the output contract with a
 * windowed output inside it: retries, order after a loss and dead letters come from the runtime.
 */
class FirstOfOutputContractTest extends OutputContract {

  @Override
  protected Destination destination(Path dir) {
    String name = id + "-first";
    TestSink.State s = TestSink.state(name);
    return new Destination() {
      @Override
      public String step() {
        return "out.FirstOf: {outputs: [{out.TestSink: {name: " + name + ", window: 8}}]}";
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
