package io.swak.core.runtime;

import static org.assertj.core.api.Assertions.assertThat;

import io.swak.core.config.AgentConfig;
import io.swak.core.config.ConfigLoader;
import io.swak.core.config.PluginRegistry;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** A reload compares a route's branches step by step: a change inside a branch restarts the task, nothing else. */
class RouteReloadTest {

  private static AgentConfig load(String route) throws Exception {
    return new ConfigLoader(PluginRegistry.builtIn(), Map.of()).parse("r.yml", """
        - task:
          - in.FakeData: {type: apache}
          - route:
        %s
          name: web
        - task:
          - in.FakeData: {type: people}
          - out.Null: {when: 'record.age > 30'}
          name: people
        """.formatted(route.indent(6).stripTrailing()));
  }

  private static final String BASE = """
      errors: {when: 'record.code >= 500', steps: [{buffer: {type: memory}}, {out.File: {path: /tmp/e.log}}]}
      web: {match: "web.*", steps: [out.Null]}
      else: [out.Stdout]
      """;

  private static boolean same(String a, String b, int task) throws Exception {
    return ReloadPlan.sameTask(load(a).tasks().get(task), load(b).tasks().get(task));
  }

  @Test
  void theSameBranchesAreTheSameTask() throws Exception {
    assertThat(same(BASE, BASE, 0)).isTrue();
    assertThat(same(BASE, BASE, 1)).isTrue();
  }

  @Test
  void aChangeInsideABranchIsAChangedTask() throws Exception {
    assertThat(same(BASE, BASE.replace("/tmp/e.log", "/tmp/f.log"), 0)).as("a nested step's option").isFalse();
    assertThat(same(BASE, BASE.replace(">= 500", ">= 400"), 0)).as("a branch's when").isFalse();
    assertThat(same(BASE, BASE.replace("web.*", "web.**"), 0)).as("a branch's match").isFalse();
    assertThat(same(BASE, BASE.replace("type: memory", "type: file"), 0)).as("a branch's buffer").isFalse();
    assertThat(same(BASE, BASE.replace("else: [out.Stdout]", "else: [out.Null]"), 0)).as("else").isFalse();
    assertThat(same(BASE, BASE.replace("web: {", "www: {"), 0)).as("a branch's name").isFalse();
    assertThat(same(BASE, BASE + "more: {steps: [out.Null]}\n", 0)).as("a new branch").isFalse();
    // and the other task, with its own condition, is untouched by any of them
    assertThat(same(BASE, BASE.replace("/tmp/e.log", "/tmp/f.log"), 1)).isTrue();
  }

  @Test
  void aStepsConditionIsPartOfTheStep() throws Exception {
    AgentConfig a = load(BASE);
    AgentConfig b = new ConfigLoader(PluginRegistry.builtIn(), Map.of()).parse("r.yml", """
        - task:
          - in.FakeData: {type: people}
          - out.Null: {when: 'record.age > 40'}
          name: people
        """);
    assertThat(ReloadPlan.sameTask(a.tasks().get(1), b.tasks().get(0))).isFalse();
  }
}
