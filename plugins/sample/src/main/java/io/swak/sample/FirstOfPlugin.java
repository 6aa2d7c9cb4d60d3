package io.swak.sample;

import io.swak.api.NestedStep;
import io.swak.api.Option;
import io.swak.api.Plugin;
import java.util.List;

/** {@code out.FirstOf}: each batch to the first output that takes it. A model of an output made of outputs. */
public final class FirstOfPlugin extends Plugin<FirstOfPlugin.Options> {

  /** Options of out.FirstOf. */
  public record Options(
      @Option(value = "Outputs, tried in order for each batch.", required = true)
      List<NestedStep> outputs) { }

  public FirstOfPlugin() {
    super("out.FirstOf", "Sends each batch to the first of its outputs that takes it (a failover in a page).",
        Options.class, FirstOf::new);
  }
}
