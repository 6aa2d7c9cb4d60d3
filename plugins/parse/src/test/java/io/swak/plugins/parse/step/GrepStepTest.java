package io.swak.plugins.parse.step;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.swak.api.Ack;
import io.swak.api.Batch;
import io.swak.api.BatchBuilder;
import io.swak.api.Event;
import io.swak.core.config.ConfigLoader;
import io.swak.core.testing.Pipelines;
import io.swak.core.testing.TestContext;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The grep step on batches, with the runtime's real counters. */
class GrepStepTest {

  final TestContext context = new TestContext();

  GrepStep step(Map<String, String> regex, Map<String, String> exclude, GrepPlugin.LogicalOp op) {
    GrepStep s = new GrepStep(new GrepPlugin.Options(regex, exclude, op));
    s.start(context);
    return s;
  }

  @SafeVarargs
  static Batch records(Map<String, Object>... records) {
    BatchBuilder b = new BatchBuilder();
    for (Map<String, Object> r : records) {
      b.add(1L, r);
    }
    return b.build("t", Ack.NONE);
  }

  static Map<String, Object> rec(Object... kv) {
    Map<String, Object> m = new LinkedHashMap<>();
    for (int i = 0; i < kv.length; i += 2) {
      m.put((String) kv[i], kv[i + 1]);
    }
    return m;
  }

  static List<Object> seqs(Batch b) {
    return b == null ? List.of() : b.events().stream().map(e -> e.record().get("seq")).toList();
  }

  @Test
  void regexKeepsOnlyMatchingEventsAndCountsTheOthers() throws Exception {
    GrepStep s = step(Map.of("level", "^(ERROR|WARN)$"), null, GrepPlugin.LogicalOp.AND);
    Batch out = s.process(records(rec("seq", 1L, "level", "INFO"), rec("seq", 2L, "level", "ERROR"),
        rec("seq", 3L), rec("seq", 4L, "level", "WARN"), rec("seq", 5L, "level", "WARNING")));
    assertThat(seqs(out)).containsExactly(2L, 4L);
    assertThat(context.count("filtered")).isEqualTo(3);
  }

  @Test
  void aBatchKeptWholeGoesOnUnchangedAndOneDroppedWholeIsNull() throws Exception {
    GrepStep s = step(null, Map.of("path", "/health"), GrepPlugin.LogicalOp.AND);
    Batch all = records(rec("seq", 1L, "path", "/a"), rec("seq", 2L, "path", "/b"));
    assertThat(s.process(all)).isSameAs(all);
    assertThat(s.process(records(rec("seq", 3L, "path", "/healthz")))).isNull();
  }

  @Test
  void excludeDropsMatchingEventsAndRulesCombineWithAndOr() throws Exception {
    Batch in = records(rec("seq", 1L, "a", "x", "b", "y"), rec("seq", 2L, "a", "x", "b", "n"),
        rec("seq", 3L, "a", "n", "b", "n"));
    Map<String, String> rules = new LinkedHashMap<>();
    rules.put("a", "x");
    rules.put("b", "y");
    assertThat(seqs(step(rules, null, GrepPlugin.LogicalOp.AND).process(in))).containsExactly(1L);
    assertThat(seqs(step(rules, null, GrepPlugin.LogicalOp.OR).process(in))).containsExactly(1L, 2L);
    assertThat(seqs(step(null, rules, GrepPlugin.LogicalOp.AND).process(in))).containsExactly(2L, 3L);
    assertThat(seqs(step(null, rules, GrepPlugin.LogicalOp.OR).process(in))).containsExactly(3L);
  }

  @Test
  void nestedPathsNumbersAndAPathIntoANonMap() throws Exception {
    GrepStep s = step(Map.of("http.status", "^5\\d\\d$"), null, GrepPlugin.LogicalOp.AND);
    Batch out = s.process(records(rec("seq", 1L, "http", Map.of("status", 503L)),
        rec("seq", 2L, "http", Map.of("status", 200L)), rec("seq", 3L, "http", "not a map"),
        rec("seq", 4L, "http", Map.of("status", "500"))));
    assertThat(seqs(out)).containsExactly(1L, 4L);
  }

  @Test
  void aRegexThatBacktracksForeverGivesUpOnThatEventAndIsCounted() throws Exception {
    GrepStep s = step(Map.of("m", "^(a|aa)+$"), null, GrepPlugin.LogicalOp.AND);
    Batch out = s.process(records(rec("seq", 1L, "m", "a".repeat(5000) + "b"), rec("seq", 2L, "m", "aaaa")));
    assertThat(seqs(out)).containsExactly(2L);
    assertThat(context.count("regex_gave_up")).isEqualTo(1);
  }

  @Test
  void entriesOfOtherFormsAndALyingRecordGoTheGeneralWay() throws Exception {
    GrepStep s = step(Map.of("level", "^ERROR$"), null, GrepPlugin.LogicalOp.AND);
    // [integer time, record] and Fluent Bit's [[time, metadata], record], then a record that is not valid msgpack
    byte[] intTime = BatchBuilder.packValue(List.of(1700000000L, rec("seq", 1L, "level", "ERROR")));
    byte[] withMeta = BatchBuilder.packValue(List.of(List.of(1700000001L, Map.of()), rec("seq", 2L, "level", "INFO")));
    byte[] d = new byte[intTime.length + withMeta.length];
    System.arraycopy(intTime, 0, d, 0, intTime.length);
    System.arraycopy(withMeta, 0, d, intTime.length, withMeta.length);
    Batch out = s.process(new Batch("t", d, d.length, 2, Ack.NONE));
    assertThat(seqs(out)).containsExactly(1L);
    assertThat(context.count("filtered")).isEqualTo(1);
    Batch good = records(rec("seq", 3L, "level", "ERROR"));
    byte[] lying = java.util.Arrays.copyOf(good.data(), good.length());
    lying[11] = (byte) 0x8f; // the record claims 15 pairs
    // where the entry ends is unknown: the batch fails as a whole (the runtime drops it, counted as errors)
    assertThatThrownBy(() -> s.process(new Batch("t", lying, lying.length, 1, Ack.NONE)))
        .isInstanceOf(io.swak.api.MsgpackException.class);
    assertThat(context.count("filtered")).isEqualTo(1); // nothing counted twice by the fast way
  }

  @Test
  void aBadRegexIsAConfigErrorWithItsPosition() {
    assertThatThrownBy(() -> new ConfigLoader(Pipelines.registry(), Map.of()).parse("g.yml", """
        - task:
          - in.TestSource: {name: x}
          - grep: {regex: {level: '(ERROR'}}
          - out.TestSink: {name: x}
        """)).hasMessageContaining("g.yml:3:").hasMessageContaining("level").hasMessageContaining("Unclosed group");
    assertThatThrownBy(() -> new ConfigLoader(Pipelines.registry(), Map.of()).parse("g.yml", """
        - task:
          - in.TestSource: {name: x}
          - grep: {logical_op: or}
          - out.TestSink: {name: x}
        """)).hasMessageContaining("grep needs `regex` or `exclude`");
  }

  @Test
  void eventsKeepTheirTimeAndRecordBytes() throws Exception {
    BatchBuilder b = new BatchBuilder();
    b.add(7L, rec("seq", 1L, "level", "INFO"));
    b.add(8L, rec("seq", 2L, "level", "ERROR", "x", List.of(1L, Map.of("y", true))));
    Batch out = step(Map.of("level", "ERROR"), null, GrepPlugin.LogicalOp.AND).process(b.build("t", Ack.NONE));
    Event e = out.events().get(0);
    assertThat(e.timeNanos()).isEqualTo(8L);
    assertThat(e.record()).isEqualTo(rec("seq", 2L, "level", "ERROR", "x", List.of(1L, Map.of("y", true))));
  }
}
