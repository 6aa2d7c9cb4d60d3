package io.swak.plugins.fluentd.output;

import io.swak.core.testing.TestContext;
import io.swak.plugins.fluentd.testing.Steps;

/** Started out.Fluentd steps made from YAML options, as a config file would make them. */
final class Clients {

  private Clients() { }

  static FluentdOutput start(TestContext ctx, String options) throws Exception {
    FluentdOutput out = (FluentdOutput) Steps.output(options);
    out.start(ctx);
    return out;
  }
}
