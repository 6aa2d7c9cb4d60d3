package io.swak.support.condition;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.swak.api.Ack;
import io.swak.api.Batch;
import io.swak.api.BatchBuilder;
import io.swak.api.Event;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

class ConditionTest {

  private static final long T = 1_700_000_000_500_000_000L;

  /** One event's record as the bytes a batch holds, tested with {@code c}. */
  private static int test(Condition c, String tag, Map<String, ?> record) {
    Batch b = new BatchBuilder().add(T, record).build(tag, Ack.NONE);
    Selection s = Selection.of(b);
    Selection.Result r = s.test(c);
    return r.errors > 0 ? Condition.ERROR : r.taken == 1 ? Condition.TRUE : Condition.FALSE;
  }

  private static Map<String, Object> rec(Object... kv) {
    Map<String, Object> m = new LinkedHashMap<>();
    for (int i = 0; i < kv.length; i += 2) {
      m.put((String) kv[i], kv[i + 1]);
    }
    return m;
  }

  @Test
  void theIssuesExampleReadsRecordAndTag() {
    Condition c = Condition.expression("record.status >= 500 && tag.startsWith(\"web.\")");
    assertThat(test(c, "web.access", rec("status", 503))).isEqualTo(Condition.TRUE);
    assertThat(test(c, "web.access", rec("status", 200))).isEqualTo(Condition.FALSE);
    assertThat(test(c, "db.slow", rec("status", 503))).isEqualTo(Condition.FALSE);
    assertThat(c.byTag("web.access")).as("it reads the record: decided per event").isNull();
  }

  @Test
  void typesNumbersStringsBooleansFloatsAndNull() {
    assertThat(test(Condition.expression("record.took > 1.5"), "t", rec("took", 2.25))).isEqualTo(Condition.TRUE);
    assertThat(test(Condition.expression("record.took > 1.5"), "t", rec("took", 1))).isEqualTo(Condition.FALSE);
    assertThat(test(Condition.expression("record.level == 'error'"), "t", rec("level", "error"))).isEqualTo(Condition.TRUE);
    assertThat(test(Condition.expression("record.level =~ ['error', 'fatal']"), "t", rec("level", "fatal")))
        .isEqualTo(Condition.TRUE);
    assertThat(test(Condition.expression("record.ok"), "t", rec("ok", true))).isEqualTo(Condition.TRUE);
    assertThat(test(Condition.expression("!record.ok"), "t", rec("ok", true))).isEqualTo(Condition.FALSE);
    assertThat(test(Condition.expression("record.user == null"), "t", rec("user", null))).isEqualTo(Condition.TRUE);
    assertThat(test(Condition.expression("record.msg =~ '.*timeout.*'"), "t", rec("msg", "read timeout after 3s")))
        .isEqualTo(Condition.TRUE);
    assertThat(test(Condition.expression("record.status == '503'"), "t", rec("status", 503)))
        .as("JEXL compares a number and a numeric string as numbers").isEqualTo(Condition.TRUE);
  }

  @Test
  void nestedPathsQuotedKeysAndLists() {
    Map<String, Object> r = rec("http", rec("status", 404, "path", "/x"), "a.b", "dotted", "items", List.of(1, 2, 3));
    assertThat(test(Condition.expression("record.http.status == 404"), "t", r)).isEqualTo(Condition.TRUE);
    assertThat(test(Condition.expression("record[\"a.b\"] == 'dotted'"), "t", r)).isEqualTo(Condition.TRUE);
    assertThat(test(Condition.expression("record.items[1] == 2"), "t", r)).isEqualTo(Condition.TRUE);
    assertThat(test(Condition.expression("record.items.size() == 3"), "t", r)).isEqualTo(Condition.TRUE);
  }

  @Test
  void aMissingFieldAPathIntoANonMapAndATypeMismatchAreFalseAndCounted() {
    Condition missing = Condition.expression("record.status >= 500");
    assertThat(test(missing, "t", rec("other", 1))).isEqualTo(Condition.ERROR);
    assertThat(missing.lastError()).contains("record.status >= 500");
    assertThat(test(missing, "t", rec("status", "not a number"))).isEqualTo(Condition.ERROR);
    Condition nonMap = Condition.expression("record.message.status == 1");
    assertThat(test(nonMap, "t", rec("message", "a line"))).isEqualTo(Condition.ERROR);
    Condition notBoolean = Condition.expression("record.status");
    assertThat(test(notBoolean, "t", rec("status", 3))).isEqualTo(Condition.ERROR);
    assertThat(notBoolean.lastError()).contains("not true or false");
    // but a test for presence is no error
    assertThat(test(Condition.expression("record.status == null"), "t", rec("other", 1))).isEqualTo(Condition.TRUE);
  }

  @Test
  void timeIsSecondsSinceTheEpoch() {
    assertThat(test(Condition.expression("time > 1700000000.4 && time < 1700000000.6"), "t", rec())).isEqualTo(Condition.TRUE);
  }

  @Test
  void aConditionOnTheTagAloneIsDecidedOncePerBatch() {
    Condition c = Condition.expression("tag == 'web.access'");
    assertThat(c.byTag("web.access")).isEqualTo(Condition.TRUE);
    assertThat(c.byTag("web.error")).isEqualTo(Condition.FALSE);
  }

  @Test
  void badExpressionsSayWhatIsWrong() {
    assertThatThrownBy(() -> Condition.expression("record.status >= "))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("not a valid condition");
    assertThatThrownBy(() -> Condition.expression("record.status >= 500 &&& x"))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("column");
    assertThatThrownBy(() -> Condition.expression("status >= 500"))
        .hasMessageContaining("unknown variable `status`");
    assertThatThrownBy(() -> Condition.expression("record.x = 5")).hasMessageContaining("not a valid condition");
    assertThatThrownBy(() -> Condition.expression("while (true) {}")).hasMessageContaining("not a valid condition");
    assertThatThrownBy(() -> Condition.expression(" ")).hasMessageContaining("empty");
  }

  @Test
  void noReflectionOrProcesses() {
    Condition c = Condition.expression("tag.getClass().forName('java.lang.Runtime') != null");
    assertThat(c.byTag("x")).isEqualTo(Condition.ERROR);
  }

  @Test
  void tagGlobs() {
    assertThat(matches("web.*", "web.access")).isTrue();
    assertThat(matches("web.*", "web")).isFalse();
    assertThat(matches("web.*", "web.a.b")).isFalse();
    assertThat(matches("web.**", "web")).isTrue();
    assertThat(matches("web.**", "web.a.b")).isTrue();
    assertThat(matches("web.**", "webx.a")).isFalse();
    assertThat(matches("**.error", "error")).isTrue();
    assertThat(matches("**.error", "a.b.error")).isTrue();
    assertThat(matches("**.error", "a.berror")).isFalse();
    assertThat(matches("a.**.z", "a.z")).isTrue();
    assertThat(matches("a.**.z", "a.b.c.z")).isTrue();
    assertThat(matches("a.**.z", "a.bz")).isFalse();
    assertThat(matches("**", "anything.at.all")).isTrue();
    assertThat(matches("app.acc*", "app.access")).isTrue();
    assertThat(matches("app.acc*", "app.acc")).isTrue();
    assertThat(matches("app.acc*", "app.access.x")).isFalse();
    assertThat(matches("a+b.(c)", "a+b.(c)")).as("other characters are literal").isTrue();
    assertThat(Condition.match(List.of("web.*", "db.**")).byTag("db.slow.query")).isEqualTo(Condition.TRUE);
    assertThat(Condition.match(List.of("web.*", "db.**")).byTag("cache")).isEqualTo(Condition.FALSE);
    assertThatThrownBy(() -> Condition.match(List.of("web..x"))).hasMessageContaining("empty part");
    assertThatThrownBy(() -> Condition.match(List.of("web.a**"))).hasMessageContaining("between dots");
    assertThatThrownBy(() -> Condition.match(List.of())).hasMessageContaining("no tag pattern");
  }

  private static boolean matches(String pattern, String tag) {
    return Condition.match(List.of(pattern)).byTag(tag) == Condition.TRUE;
  }

  @Test
  void matchAndWhenTogether() {
    Condition c = Condition.both(Condition.match(List.of("web.*")), Condition.expression("record.status >= 500"));
    assertThat(c.byTag("db.x")).isEqualTo(Condition.FALSE);
    assertThat(c.byTag("web.x")).isNull();
    assertThat(test(c, "web.x", rec("status", 500))).isEqualTo(Condition.TRUE);
  }

  @Test
  void selectionPicksAndCutsRunsInOrderAndSplitsTheAck() throws Exception {
    BatchBuilder bb = new BatchBuilder();
    int[] statuses = {200, 500, 501, 200, 200, 502};
    for (int i = 0; i < statuses.length; i++) {
      bb.add(T + i, rec("seq", i, "status", statuses[i]));
    }
    AtomicInteger done = new AtomicInteger();
    Batch b = bb.build("web", done::incrementAndGet);
    Selection s = Selection.of(b);
    Selection.Result r = s.test(Condition.expression("record.status >= 500"));
    assertThat(r.taken).isEqualTo(3);
    assertThat(seqs(s.pick(r, true, Ack.NONE))).containsExactly(1L, 2L, 5L);
    assertThat(seqs(s.pick(r, false, Ack.NONE))).containsExactly(0L, 3L, 4L);
    List<Selection.Run> runs = s.runs(r);
    assertThat(runs).extracting(Selection.Run::taken).containsExactly(false, true, false, true);
    assertThat(runs.stream().flatMap(x -> seqs(x.events()).stream()).toList()).containsExactly(0L, 1L, 2L, 3L, 4L, 5L);
    runs.forEach(x -> x.events().ack().done());
    assertThat(done.get()).as("the batch's ack completes once, after every run's").isEqualTo(1);
  }

  @Test
  void aDamagedBatchIsNotTakenAndCounted() {
    Batch good = new BatchBuilder().add(T, rec("status", 500)).add(T, rec("status", 500)).build("t", Ack.NONE);
    byte[] cut = java.util.Arrays.copyOf(good.data(), good.length() - 3);
    Batch b = new Batch("t", cut, cut.length, 2, Ack.NONE);
    Selection s = Selection.of(b);
    Selection.Result r = s.test(Condition.expression("record.status >= 500"));
    assertThat(r.taken).isEqualTo(1);
    assertThat(r.errors).isEqualTo(1);
    Batch rest = s.pick(r, false, Ack.NONE);
    assertThat(rest.length()).as("the damaged rest is passed on as it is").isEqualTo(cut.length - s.pick(r, true, Ack.NONE).length());
  }

  private static List<Long> seqs(Batch b) {
    return b.events().stream().map(Event::record).map(m -> ((Number) m.get("seq")).longValue()).toList();
  }
}
