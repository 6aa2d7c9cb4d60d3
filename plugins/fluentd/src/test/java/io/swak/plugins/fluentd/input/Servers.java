package io.swak.plugins.fluentd.input;

import io.swak.core.testing.TestContext;
import io.swak.plugins.fluentd.testing.Steps;

/** Started in.Forward steps made from YAML options, as a config file would make them. */
final class Servers {

  private Servers() { }

  /** A server on a free port of 127.0.0.1 (it binds port 0 and tells which it got). */
  static ForwardInput start(TestContext ctx, String options) throws Exception {
    return start(ctx, 0, options);
  }

  static ForwardInput start(TestContext ctx, int port, String options) throws Exception {
    ForwardInput in = (ForwardInput) Steps.input(port, options);
    in.start(ctx);
    return in;
  }
}
