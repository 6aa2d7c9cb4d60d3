package io.swak.core.config;

import static org.assertj.core.api.Assertions.assertThat;

import io.swak.support.condition.Condition;
import java.util.List;
import org.junit.jupiter.api.Test;

/** when:, match: and route as `swak validate` sees them: compiled when the file loads, problems located. */
class ConditionConfigTest {

  private static List<ConfigProblem> problems(String yaml) {
    return ConfigLoaderTest.problems(yaml);
  }

  @Test
  void whenAndMatchAreTakenOffAnyStepAfterTheInputAndCompiled() throws Exception {
    AgentConfig c = ConfigLoaderTest.parse("""
        - task:
          - in.FakeData: {type: apache}
          - modify: {set: {slow: true}, when: 'record.size > 1000 && tag.startsWith("web.")'}
          - out.Stdout: {match: ["web.*", "app.**"]}
          - out.File: {path: /tmp/x, when: 'record.code == 500', match: "web.*"}
        """);
    List<StepConfig> steps = c.tasks().get(0).steps();
    assertThat(steps.get(0).condition()).isNull();
    assertThat(steps.get(1).condition().text()).isEqualTo("record.size > 1000 && tag.startsWith(\"web.\")");
    assertThat(steps.get(2).condition().byTag("app.a.b")).isEqualTo(Condition.TRUE);
    assertThat(steps.get(3).condition().byTag("db.x")).as("match is tested before when").isEqualTo(Condition.FALSE);
  }

  @Test
  void aBadExpressionIsLocatedAndHasTheLibrarysMessage() {
    List<ConfigProblem> p = problems("""
        - task:
          - in.FakeData: {type: apache}
          - out.Stdout:
              when: 'record.status >= '
        """);
    assertThat(p).hasSize(1);
    assertThat(p.get(0).line()).isEqualTo(4);
    assertThat(p.get(0).column()).isEqualTo(13);
    assertThat(p.get(0).where()).isEqualTo("task 1, step 2 (out.Stdout)");
    assertThat(p.get(0).message()).startsWith("`when`: not a valid condition: ").contains("column");
  }

  @Test
  void unknownVariablesAndSideEffectsAreRejected() {
    assertThat(problems("""
        - task:
          - in.FakeData: {type: apache}
          - out.Stdout: {when: 'status >= 500'}
        """).get(0).message()).contains("unknown variable `status`").contains("record.status");
    assertThat(problems("""
        - task:
          - in.FakeData: {type: apache}
          - out.Stdout: {when: 'record.x = 1'}
        """).get(0).message()).contains("not a valid condition");
  }

  @Test
  void conditionsOnAnInputAndBadTagPatternsAreProblems() {
    assertThat(problems("""
        - task:
          - in.FakeData: {type: apache, when: 'record.a == 1'}
          - out.Stdout
        """).get(0).message()).contains("`when` is for the steps after the input");
    ConfigProblem bad = problems("""
        - task:
          - in.FakeData: {type: apache}
          - out.Stdout: {match: "web..x"}
        """).get(0);
    assertThat(bad.message()).contains("`match`").contains("empty part");
    assertThat(bad.line()).isEqualTo(3);
  }

  @Test
  void routeBranchesTakeNamesWhenMatchAndSteps() throws Exception {
    AgentConfig c = ConfigLoaderTest.parse("""
        - task:
          - in.FakeData: {type: apache}
          - route:
              errors: {when: 'record.code >= 500', steps: [{buffer: {type: memory}}, out.Stdout]}
              web: {match: "web.*", steps: [{out.File: {path: /tmp/x}}]}
              else: [out.Null]
        """);
    assertThat(c.tasks().get(0).steps()).extracting(StepConfig::name).containsExactly("in.FakeData", "route");
  }

  @Test
  void aBadBranchIsLocated() {
    List<ConfigProblem> p = problems("""
        - task:
          - in.FakeData: {type: apache}
          - route:
              errors:
                when: 'record.code >=> 500'
                steps: [out.Stdout]
              web: {match: "web.*", steps: [{out.Nope: {}}]}
              slow: {when: 'record.took > 1', stepz: [out.Stdout]}
        """);
    assertThat(p).extracting(ConfigProblem::line).containsExactly(5, 7, 8);
    assertThat(p.get(0).message()).contains("not a valid condition");
    assertThat(p.get(1).message()).contains("unknown plugin `out.Nope`");
    assertThat(p.get(2).message()).contains("unknown option `stepz`");
  }

  @Test
  void nothingCanFollowARoute() {
    List<ConfigProblem> p = problems("""
        - task:
          - in.FakeData: {type: apache}
          - route:
              all: {steps: [out.Null]}
          - out.Stdout
        """);
    assertThat(p).hasSize(1);
    assertThat(p.get(0).line()).isEqualTo(5);
    assertThat(p.get(0).message()).contains("nothing can follow `route`");
    assertThat(problems("""
        - task:
          - in.FakeData: {type: apache}
          - route:
              all: {steps: [{route: {x: {steps: [out.Null]}}}, out.Stdout]}
        """).get(0).message()).contains("nothing can follow `route`");
  }

  @Test
  void aRouteNeedsBranches() {
    assertThat(problems("""
        - task:
          - in.FakeData: {type: apache}
          - route: {}
        """).get(0).message()).contains("route needs branches");
  }
}
