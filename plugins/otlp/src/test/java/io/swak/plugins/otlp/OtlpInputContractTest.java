package io.swak.plugins.otlp;

import static org.assertj.core.api.Assertions.assertThat;

import io.swak.core.testing.InputContract;
import io.swak.core.testing.Ports;
import java.nio.file.Path;

/** in.OpenTelemetry passes the input contract, fed by OTLP/HTTP protobuf requests of numbered log records. */
class OtlpInputContractTest extends InputContract {

  @Override
  protected Source source(Path dir) throws Exception {
    int port = Ports.free();
    return new Source() {
      @Override
      public String step() {
        return "in.OpenTelemetry: {port: " + port + ", grpc_port: -1}";
      }

      @Override
      public void produce(long from, int n) throws Exception {
        Otlp.awaitListening(port);
        for (long i = from; i < from + n; i += 100) {
          int chunk = (int) Math.min(100, from + n - i);
          // answered only once the sink acknowledged the request's batches
          assertThat(Otlp.post(port, Otlp.numbered(i, chunk)).statusCode()).isEqualTo(200);
        }
      }

      @Override
      public boolean keepsPositions() {
        return false; // OTLP clients resend what was not answered success
      }
    };
  }
}
