package io.swak.plugins.route;

import io.swak.api.NestedStep;
import io.swak.api.Option;
import io.swak.api.Plugin;
import io.swak.support.condition.Condition;
import java.util.List;
import java.util.Map;

/** {@code route}: named branches, each a chain of steps of its own; an event goes to every branch that takes it. */
public final class RoutePlugin extends Plugin<RoutePlugin.Options> {

  /** One branch: which events it takes and its steps. */
  public record Branch(
      @Option("Expression the branch's events satisfy, e.g. 'record.status >= 500' (as a step's `when`).")
      Condition when,
      @Option("Tag patterns of the branch's events, e.g. \"web.*\" or [\"web.*\", \"app.**\"] (as a step's `match`).")
      List<String> match,
      @Option(value = "The branch's steps, a list like a task's after its input: processing steps, buffers, outputs, "
          + "another route.", required = true)
      List<NestedStep> steps) {

    public Branch {
      if (steps != null && steps.isEmpty()) {
        throw new IllegalArgumentException("a branch needs at least one step under `steps`");
      }
      checkLast(steps);
    }

    /** when and match together; null takes every event. */
    Condition condition() {
      Condition m = match == null || match.isEmpty() ? null : Condition.match(match);
      return Condition.both(m, when);
    }
  }

  /** Options of route. */
  public record Options(
      @Option(value = "A branch, under a name of your choice (`errors:`, `web:`): `when` and/or `match` say which "
          + "events it takes (neither: all of them), `steps` what it does with them. An event goes to every branch "
          + "that takes it, in the order written.", name = "*")
      Map<String, Branch> branches,
      @Option(value = "Steps for the events no branch took. Without it those events are dropped (counted as "
          + "`unrouted`).", name = "else")
      List<NestedStep> otherwise) {

    public Options {
      if ((branches == null || branches.isEmpty()) && (otherwise == null || otherwise.isEmpty())) {
        throw new IllegalArgumentException("route needs branches: e.g. errors: {when: 'record.status >= 500', "
            + "steps: [...]}, and optionally else: [...]");
      }
      if (branches != null) {
        for (Map.Entry<String, Branch> b : branches.entrySet()) {
          if (b.getKey().isBlank()) {
            throw new IllegalArgumentException("a branch needs a name");
          }
          if (b.getValue().match() != null && !b.getValue().match().isEmpty()) {
            try {
              Condition.match(b.getValue().match());
            } catch (IllegalArgumentException e) {
              throw new IllegalArgumentException("branch `" + b.getKey() + "`, `match`: " + e.getMessage());
            }
          }
        }
      }
      checkLast(otherwise);
    }
  }

  /** A route inside a branch passes nothing on either: it must be the branch's last step. */
  static void checkLast(List<NestedStep> steps) {
    if (steps == null) {
      return;
    }
    for (int i = 0; i < steps.size() - 1; i++) {
      if (steps.get(i).name().equals("route")) {
        throw new IllegalArgumentException(steps.get(i).where() + ": nothing can follow `route` in a list of steps: it "
            + "hands every event to its branches and passes none on");
      }
    }
  }

  public RoutePlugin() {
    super("route", "Sends each event to every branch whose `when`/`match` takes it, the rest to `else`; each branch "
        + "is its own chain of steps (buffers, outputs) and acknowledges on its own.", Options.class, Route::new);
  }

  @Override
  public boolean terminal() {
    return true;
  }
}
