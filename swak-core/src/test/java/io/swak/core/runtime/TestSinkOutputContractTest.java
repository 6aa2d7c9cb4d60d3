package io.swak.core.runtime;

import io.swak.core.testing.OutputContract;
import io.swak.core.testing.TestSink;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Nested;

/** The output contract run against the runtime's own test destination, synchronous and windowed. */
class TestSinkOutputContractTest {

  /** A destination in memory: down or refusing when the test says so. */
  static OutputContract.Destination sink(String name, int window) {
    TestSink.State s = TestSink.state(name);
    return new OutputContract.Destination() {
      @Override
      public String step() {
        return "out.TestSink: {name: " + name + ", window: " + window + "}";
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

  @Nested
  class Synchronous extends OutputContract {
    @Override
    protected Destination destination(Path dir) {
      return sink(id + "-sink", 1);
    }
  }

  @Nested
  class Windowed extends OutputContract {
    @Override
    protected Destination destination(Path dir) {
      return sink(id + "-sink", 8);
    }
  }
}
