package io.swak.plugins.fluentd.testing;

import io.swak.api.Batch;
import io.swak.api.Input;
import io.swak.api.StepContext;
import io.swak.core.testing.Ports;
import java.io.IOException;
import java.time.Duration;

/**
 * A started in.Forward seen only through the plugin API, for tests of its clients: it listens on a port
 * chosen free beforehand (the step does not tell which port it bound), or on the port given.
 */
public final class ForwardServer implements Input {

  private final Input input;
  private final int port;

  private ForwardServer(Input input, int port) {
    this.input = input;
    this.port = port;
  }

  /** A server on a free port of 127.0.0.1 with the given options (a YAML flow map's body). */
  public static ForwardServer start(StepContext ctx, String options) throws Exception {
    for (int attempt = 1; ; attempt++) {
      try {
        return start(ctx, Ports.free(), options);
      } catch (IOException e) {
        // another process took the port between the probe and the bind
        if (attempt == 3 || e.getMessage() == null || !e.getMessage().contains("cannot listen")) {
          throw e;
        }
      }
    }
  }

  public static ForwardServer start(StepContext ctx, int port, String options) throws Exception {
    Input in = (Input) Steps.input(port, options);
    in.start(ctx);
    return new ForwardServer(in, port);
  }

  public int port() {
    return port;
  }

  @Override
  public void start(StepContext ctx) {
    throw new UnsupportedOperationException("started by ForwardServer.start");
  }

  @Override
  public Batch poll(Duration maxWait) throws Exception {
    return input.poll(maxWait);
  }

  @Override
  public void close() throws Exception {
    input.close();
  }
}
