package io.swak.plugins.parse.step;

import static io.swak.plugins.parse.step.GrepStepTest.rec;
import static io.swak.plugins.parse.step.GrepStepTest.records;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.swak.api.Event;
import io.swak.core.config.ConfigLoader;
import io.swak.core.testing.Pipelines;
import io.swak.core.testing.TestContext;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The modify step on batches. */
class ModifyStepTest {

  final TestContext context = new TestContext();

  ModifyStep step(List<String> lift, Map<String, String> rename, Map<String, String> copy, List<String> remove,
      List<String> keepOnly, Map<String, Object> setIfMissing, Map<String, Object> set) {
    ModifyStep s = new ModifyStep(new ModifyPlugin.Options(lift, rename, copy, remove, keepOnly, setIfMissing, set,
        null));
    s.start(context);
    return s;
  }

  static Map<String, Object> ordered(Object... kv) {
    return rec(kv);
  }

  @Test
  void renameCopyRemoveAndSetChangeTheRecordInPlaceOfItsFields() throws Exception {
    Map<String, Object> set = new LinkedHashMap<>();
    set.put("env", "prod");
    set.put("n", 3L);
    set.put("ok", true);
    set.put("where", "${tag}/${record.http.path} on ${hostname}");
    set.put("status_copy", "${record.http.status}");
    ModifyStep s = step(null, Map.of("msg", "message"), Map.of("http.status", "status"), List.of("secret"), null,
        null, set);
    Event e = s.process(records(rec("msg", "hi", "secret", "pw", "http", Map.of("status", 503L, "path", "/a"))))
        .events().get(0);
    assertThat(e.record()).containsOnlyKeys("message", "http", "status", "env", "n", "ok", "where", "status_copy")
        .containsEntry("message", "hi").containsEntry("status", 503L).containsEntry("env", "prod")
        .containsEntry("n", 3L).containsEntry("ok", true).containsEntry("status_copy", 503L);
    assertThat((String) e.record().get("where")).startsWith("t//a on ").doesNotEndWith(" on ");
    assertThat(e.timeNanos()).isEqualTo(1L);
  }

  @Test
  void setReplacesAFieldAndSetIfMissingOnlyFillsAGap() throws Exception {
    ModifyStep s = step(null, null, null, null, null, Map.of("level", "info"), Map.of("seq", 0L));
    List<Event> out = s.process(records(rec("seq", 1L, "level", "warn"), rec("seq", 2L))).events();
    assertThat(out.get(0).record()).isEqualTo(ordered("seq", 0L, "level", "warn"));
    assertThat(out.get(1).record()).isEqualTo(ordered("seq", 0L, "level", "info"));
  }

  @Test
  void liftMovesANestedMapUpAndKeepOnlyKeepsTheNamedFields() throws Exception {
    ModifyStep s = step(List.of("kubernetes"), null, null, null, List.of("pod", "ns", "log"), null, null);
    Event e = s.process(records(rec("log", "x", "stream", "stdout", "kubernetes", Map.of("pod", "p1", "ns", "n1"))))
        .events().get(0);
    assertThat(e.record()).isEqualTo(Map.of("log", "x", "pod", "p1", "ns", "n1"));
    // a field that is not a map is left as it is
    Event odd = s.process(records(rec("log", "y", "kubernetes", "text"))).events().get(0);
    assertThat(odd.record()).isEqualTo(Map.of("log", "y"));
  }

  @Test
  void nestMovesNamedAndPrefixedFieldsIntoANewMapTakingThePrefixOff() throws Exception {
    ModifyStep s = new ModifyStep(new ModifyPlugin.Options(null, null, null, null, null, null,
        Map.of("mem_set", "${record.host}"), new ModifyPlugin.Nest("memory", List.of("mem_*", "swap"), "mem_")));
    s.start(context);
    Event e = s.process(records(rec("host", "h1", "mem_total", 16L, "mem_free", 3L, "swap", 0L, "memory", "old",
        "other", Map.of("mem_x", 1L)))).events().get(0);
    assertThat(e.record()).isEqualTo(ordered("host", "h1", "other", Map.of("mem_x", 1L),
        "memory", ordered("total", 16L, "free", 3L, "swap", 0L, "set", "h1")));
    assertThat(new java.util.ArrayList<Object>(((Map<?, ?>) e.record().get("memory")).keySet()))
        .containsExactly((Object) "total", "free", "swap", "set");
    // nothing to move: the record stays as it was, without an empty map
    Event none = s.process(records(rec("host", "h2"))).events().get(0);
    assertThat(none.record()).isEqualTo(ordered("host", "h2", "memory", ordered("set", "h2")));
  }

  @Test
  void nestOptionsAreCheckedWhenTheConfigurationLoads() {
    ConfigLoader loader = new ConfigLoader(Pipelines.registry(), Map.of());
    assertThatThrownBy(() -> loader.parse("n.yml", """
        - task:
          - in.TestSource: {name: x}
          - modify: {nest: {under: m, keys: ['a*b']}}
          - out.TestSink: {name: x}
        """)).hasMessageContaining("n.yml:3:").hasMessageContaining("one * at its end");
    assertThatThrownBy(() -> loader.parse("n.yml", """
        - task:
          - in.TestSource: {name: x}
          - modify: {nest: {keys: [a]}}
          - out.TestSink: {name: x}
        """)).hasMessageContaining("under");
  }

  @Test
  void aMissingFieldChangesNothingAndTimeFillsRfc3339() throws Exception {
    ModifyStep s = step(null, Map.of("nope", "other"), Map.of("a.b", "c"), List.of("absent"), null, null,
        Map.of("copy", "${record.missing}", "at", "${time}"));
    Event e = s.process(records(rec("a", 1L))).events().get(0);
    assertThat(e.record()).isEqualTo(Map.of("a", 1L, "at", "1970-01-01T00:00:00.000000001Z"));
  }

  @Test
  void templatesReadTheRecordAsChangedSoFar() throws Exception {
    Map<String, Object> set = new LinkedHashMap<>();
    set.put("who", "${record.pod}@${record.user}");
    set.put("secret_copy", "${record.password}");
    set.put("note", "pw=${record.password}");
    ModifyStep s = step(List.of("k8s"), Map.of("login", "user"), null, List.of("password"), null, null, set);
    Event e = s.process(records(rec("login", "bob", "password", "pw", "k8s", Map.of("pod", "p1")))).events().get(0);
    assertThat(e.record()).isEqualTo(Map.of("user", "bob", "pod", "p1", "who", "p1@bob", "note", "pw="));
  }

  @Test
  void configErrorsNameTheOptionAndTheProblem() {
    ConfigLoader loader = new ConfigLoader(Pipelines.registry(), Map.of());
    assertThatThrownBy(() -> loader.parse("m.yml", """
        - task:
          - in.TestSource: {name: x}
          - modify: {remove: [a.b]}
          - out.TestSink: {name: x}
        """)).hasMessageContaining("m.yml:3:").hasMessageContaining("must name a top-level field");
    assertThatThrownBy(() -> loader.parse("m.yml", """
        - task:
          - in.TestSource: {name: x}
          - modify: {set: {a: '${nope}'}}
          - out.TestSink: {name: x}
        """)).hasMessageContaining("environment variable nope is not set");
    assertThatThrownBy(() -> loader.parse("m.yml", """
        - task:
          - in.TestSource: {name: x}
          - modify: {set: {a: '${record.a'}}
          - out.TestSink: {name: x}
        """)).hasMessageContaining("is not closed");
    assertThatThrownBy(() -> loader.parse("m.yml", """
        - task:
          - in.TestSource: {name: x}
          - modify: {}
          - out.TestSink: {name: x}
        """)).hasMessageContaining("modify needs at least one of");
  }
}
