package io.swak.plugins.parse.step;

import static io.swak.plugins.parse.step.GrepStepTest.rec;
import static org.assertj.core.api.Assertions.assertThat;

import io.swak.api.Ack;
import io.swak.api.Batch;
import io.swak.api.BatchBuilder;
import io.swak.api.Event;
import io.swak.api.Stage;
import io.swak.core.config.AgentConfig;
import io.swak.core.config.ConfigLoader;
import io.swak.core.testing.Pipelines;
import io.swak.core.testing.TestContext;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * One meaning of a field path in every step option that names a field, as users write them in the configuration:
 * {@code http.status}, {@code record.http.status}, {@code record["http"]["status"]} and {@code record["http"].status}
 * are the same field; {@code record["a.b"]} is the top-level key with a dot, never a.b nested.
 */
class FieldPathsTest {

  static final String[] SAME = {"http.status", "record.http.status", "record[\"http\"][\"status\"]",
      "record['http'].status"};

  /** Builds the step from its YAML as the configuration loader does and runs one batch through it. */
  static List<Event> run(String step, Batch in) throws Exception {
    AgentConfig c = new ConfigLoader(Pipelines.registry(), Map.of()).parse("p.yml",
        "- task:\n  - in.TestSource: {name: x}\n  - " + step + "\n  - out.TestSink: {name: x}\n");
    Stage s = (Stage) c.tasks().get(0).steps().get(1).create();
    s.start(new TestContext());
    List<Batch> out = new ArrayList<>();
    s.connect(out::add);
    s.accept(in, out::add);
    s.close();
    return out.stream().flatMap(b -> b.events().stream()).toList();
  }

  static Batch batch() {
    BatchBuilder b = new BatchBuilder();
    b.add(1L, rec("seq", 1L, "http", Map.of("status", 503L, "line", "k=v"), "a.b", "dotted", "a", Map.of("b",
        "nested")));
    b.add(2L, rec("seq", 2L, "http", Map.of("status", 200L, "line", "k=w"), "a.b", "other", "a", "not a map"));
    return b.build("t", Ack.NONE);
  }

  static String yaml(String path) {
    return "'" + path.replace("'", "''") + "'";
  }

  @ParameterizedTest
  @ValueSource(ints = {0, 1, 2, 3})
  void everyStepReadsTheSameNestedFieldWhicheverWayThePathIsWritten(int way) throws Exception {
    String p = SAME[way];
    assertThat(run("grep: {regex: {" + yaml(p) + ": '^5'}}", batch())).extracting(e -> e.record().get("seq"))
        .containsExactly(1L);
    assertThat(run("modify: {copy: {" + yaml(p) + ": status}}", batch())).extracting(e -> e.record().get("status"))
        .containsExactly(503L, 200L);
    assertThat(run("tag: {tag: " + yaml("web.${" + p + "}") + "}", batch())).extracting(Event::tag)
        .containsExactly("web.503", "web.200");
    assertThat(run("modify: {set: {s: " + yaml("${" + p + "}") + "}}", batch())).extracting(e -> e.record().get("s"))
        .containsExactly(503L, 200L);
    assertThat(run("dedupe: {fields: [" + yaml(p) + "]}", batch())).hasSize(2);
    assertThat(run("throttle: {rate: 1, key: [" + yaml(p) + "]}", batch())).hasSize(2); // two keys
    String line = p.replace("status", "line");
    assertThat(run("parse: {format: logfmt, key: " + yaml(line) + "}", batch())).extracting(e -> e.record().get("k"))
        .containsExactly("v", "w");
    assertThat(run("multiline: {start: '^k=v', key: " + yaml(line) + "}", batch()))
        .extracting(e -> (Object) ((Map<?, ?>) e.record().get("http")).get("line")).containsExactly("k=v\nk=w");
  }

  @Test
  void aQuotedKeyWithADotIsTheTopLevelKeyEverywhere() throws Exception {
    assertThat(run("grep: {regex: {'record[\"a.b\"]': '^dotted$'}}", batch())).hasSize(1);
    assertThat(run("grep: {regex: {a.b: '^nested$'}}", batch())).hasSize(1); // a.b unquoted: a, then b
    assertThat(run("modify: {rename: {'record[\"a.b\"]': ab}, remove: [a]}", batch()))
        .extracting(Event::record).containsExactly(rec("seq", 1L, "http", Map.of("status", 503L, "line", "k=v"),
            "ab", "dotted"), rec("seq", 2L, "http", Map.of("status", 200L, "line", "k=w"), "ab", "other"));
    assertThat(run("tag: {tag: '${record[\"a.b\"]}'}", batch())).extracting(Event::tag)
        .containsExactly("dotted", "other");
    assertThat(run("parse: {format: logfmt, key: http.line, into: 'record[\"p.q\"]'}", batch()))
        .extracting(e -> e.record().get("p.q")).containsExactly(Map.of("k", "v"), Map.of("k", "w"));
  }

  @Test
  void aPathThroughSomethingThatIsNotAMapMatchesNothingAndChangesNothing() throws Exception {
    // a.b: the second record's a is text
    assertThat(run("grep: {exclude: {a.b: '.'}}", batch())).extracting(e -> e.record().get("seq"))
        .containsExactly(2L);
    assertThat(run("modify: {copy: {a.b: c}}", batch())).extracting(e -> e.record().get("c"))
        .containsExactly("nested", null);
    assertThat(run("tag: {tag: 'x${a.b}'}", batch())).extracting(Event::tag).containsExactly("xnested", "x");
  }
}
