package io.swak.plugins.failover;

import io.swak.api.Option;
import io.swak.api.Plugin;
import io.swak.api.NestedStep;
import java.time.Duration;
import java.util.List;

/** {@code failover}: sends each batch to the first output that takes it. */
public final class FailoverPlugin extends Plugin<FailoverPlugin.Options> {

  /** Options of failover. */
  public record Options(
      @Option(value = "Outputs tried in order (from the one start_by picks); a batch that fails on one moves to "
          + "the next.", required = true)
      List<NestedStep> outputs,
      @Option("Output that receives a batch when every one of `outputs` failed.")
      NestedStep last,
      @Option("Which output to start from: `ip` or `hostname` (hash of this host's, so a fleet of agents "
          + "spreads over the outputs) or a record field (hash of its value in the batch's first event). "
          + "Unset: always the first.")
      String startBy,
      @Option(value = "After an output failed, try it again this long after.", defaultValue = "30s")
      Duration recoverInterval) {

    public Options {
      if (outputs != null && outputs.isEmpty()) {
        throw new IllegalArgumentException("failover needs at least one output under `outputs`");
      }
    }
  }

  public FailoverPlugin() {
    super("failover", "Tries outputs in order until one takes the batch; `last` gets it when all fail.",
        Options.class, Failover::new);
  }
}
