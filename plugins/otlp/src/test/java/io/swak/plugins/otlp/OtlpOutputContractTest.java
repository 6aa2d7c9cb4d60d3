package io.swak.plugins.otlp;

import io.swak.core.testing.OutputContract;
import java.nio.file.Path;
import java.util.List;

/** out.OpenTelemetry passes the output contract against a receiver that decodes with the official classes. */
class OtlpOutputContractTest extends OutputContract {

  @Override
  protected Destination destination(Path dir) throws Exception {
    CapturingReceiver r = new CapturingReceiver();
    return new Destination() {
      @Override
      public String step() {
        return "out.OpenTelemetry: {endpoint: \"" + r.endpoint() + "\", timeout: 5s}";
      }

      @Override
      public List<Long> received() {
        return r.seqs();
      }

      @Override
      public boolean breakDown() {
        r.mode = CapturingReceiver.Mode.DOWN;
        return true;
      }

      @Override
      public void repair() {
        r.mode = CapturingReceiver.Mode.OK;
      }

      @Override
      public boolean rejectAll() {
        r.mode = CapturingReceiver.Mode.REJECT;
        return true;
      }

      @Override
      public void close() {
        r.close();
      }
    };
  }
}
