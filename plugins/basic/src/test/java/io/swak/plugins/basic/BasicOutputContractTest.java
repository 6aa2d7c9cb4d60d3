package io.swak.plugins.basic;

import io.swak.core.testing.OutputContract;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Nested;

/**
 * out.Null and out.Stdout pass the output contract. Neither can be read back by the test nor broken, so the
 * suite checks what it can: every batch delivered, counted, and nothing acknowledged at a stop that was not.
 */
class BasicOutputContractTest {

  static OutputContract.Destination unreadable(String step) {
    return new OutputContract.Destination() {
      @Override
      public String step() {
        return step;
      }

      @Override
      public List<Long> received() {
        return null;
      }
    };
  }

  @Nested
  class Null extends OutputContract {
    @Override
    protected Destination destination(Path dir) {
      return unreadable("out.Null: {}");
    }
  }

  @Nested
  class Stdout extends OutputContract {
    @Override
    protected Destination destination(Path dir) {
      return unreadable("out.Stdout: {format: record}");
    }
  }
}
