package io.swak.plugins.parse.step;

import static io.swak.plugins.parse.step.GrepStepTest.rec;
import static io.swak.plugins.parse.step.GrepStepTest.records;
import static io.swak.plugins.parse.step.GrepStepTest.seqs;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.swak.api.Batch;
import io.swak.api.Processor;
import io.swak.core.config.ConfigLoader;
import io.swak.core.testing.Pipelines;
import io.swak.core.testing.TestContext;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;

/** sample, throttle and dedupe on batches. */
class KeyedFilterTest {

  /** A clock the test moves. */
  static final class Hand extends Clock {
    Instant now = Instant.parse("2026-11-21T00:00:00Z");

    @Override
    public java.time.ZoneId getZone() {
      return ZoneOffset.UTC;
    }

    @Override
    public Clock withZone(java.time.ZoneId zone) {
      return this;
    }

    @Override
    public Instant instant() {
      return now;
    }
  }

  final Hand clock = new Hand();
  final TestContext context = new TestContext(Path.of(System.getProperty("java.io.tmpdir")), clock, "t", "s");

  Processor start(io.swak.api.Step s) throws Exception {
    s.start(context);
    return (Processor) s;
  }

  @SuppressWarnings("unchecked")
  static Batch seq(int from, int to, java.util.function.IntFunction<Object[]> extra) {
    List<Map<String, Object>> rs = new ArrayList<>();
    IntStream.rangeClosed(from, to).forEach(i -> {
      Object[] e = extra.apply(i);
      Object[] kv = new Object[e.length + 2];
      kv[0] = "seq";
      kv[1] = (long) i;
      System.arraycopy(e, 0, kv, 2, e.length);
      rs.add(rec(kv));
    });
    return records(rs.toArray(new Map[0]));
  }

  @Test
  void sampleKeepsEveryNthWithoutAKey() throws Exception {
    Processor p = start(new SamplePlugin().create(new SamplePlugin.Options(3, null)));
    assertThat(seqs(p.process(seq(1, 9, i -> new Object[0])))).containsExactly(1L, 4L, 7L);
    assertThat(context.count("sampled_out")).isEqualTo(6);
    assertThat(context.count("dropped")).isZero();
  }

  @Test
  void sampleByKeyKeepsOrDropsAllEventsOfAKeyTheSameWayEveryTime() throws Exception {
    Processor a = start(new SamplePlugin().create(new SamplePlugin.Options(4, List.of("trace"))));
    Processor b = start(new SamplePlugin().create(new SamplePlugin.Options(4, List.of("trace"))));
    Batch in = seq(1, 400, i -> new Object[] {"trace", "t" + (i % 40)});
    List<Object> kept = seqs(a.process(in));
    assertThat(seqs(b.process(in))).isEqualTo(kept); // another agent, or after a restart: the same events
    assertThat(kept.size()).isBetween(20, 200); // about a quarter of 40 traces, 10 events each
    assertThat(kept.size() % 10).isZero(); // whole traces only
  }

  @Test
  void throttleLetsRatePerPeriodPerKeyThroughAndCountsTheRest() throws Exception {
    Processor p = start(new ThrottlePlugin().create(new ThrottlePlugin.Options(2, Duration.ofSeconds(1),
        List.of("host"), 100, null, null)));
    Batch in = seq(1, 6, i -> new Object[] {"host", i % 2 == 0 ? "a" : "b"});
    assertThat(seqs(p.process(in))).containsExactly(1L, 2L, 3L, 4L);
    assertThat(p.process(seq(7, 8, i -> new Object[] {"host", "a"}))).isNull();
    assertThat(context.count("throttled")).isEqualTo(4);
    assertThat(context.count("dropped")).isEqualTo(4);
    clock.now = clock.now.plusSeconds(1);
    assertThat(seqs(p.process(seq(9, 11, i -> new Object[] {"host", "a"})))).containsExactly(9L, 10L);
  }

  @Test
  void throttleBeyondMaxKeysSharesOneRate() throws Exception {
    Processor p = start(new ThrottlePlugin().create(new ThrottlePlugin.Options(1, Duration.ofSeconds(1),
        List.of("host"), 2, null, null)));
    assertThat(seqs(p.process(seq(1, 5, i -> new Object[] {"host", "h" + i})))).containsExactly(1L, 2L, 3L);
    assertThat(context.count("throttle_keys_overflow")).isEqualTo(3);
  }

  @Test
  void dedupeDropsRepeatsWithinItsCacheOnly() throws Exception {
    Processor p = start(new DedupePlugin().create(new DedupePlugin.Options(List.of("id"), 2)));
    Batch in = seq(1, 6, i -> new Object[] {"id", new long[] {1, 2, 1, 3, 1, 2}[i - 1]});
    // 1 2 [1 dup] 3 (forgets 2) [1 dup] 2 (forgotten: kept)
    assertThat(seqs(p.process(in))).containsExactly(1L, 2L, 4L, 6L);
    assertThat(context.count("duplicates")).isEqualTo(2);
    Processor whole = start(new DedupePlugin().create(new DedupePlugin.Options(null, 100)));
    assertThat(seqs(whole.process(records(rec("seq", 1L, "a", "x"), rec("seq", 1L, "a", "x"), rec("seq", 1L,
        "a", "y"))))).containsExactly(1L, 1L);
  }

  @Test
  void optionsAreCheckedWhenTheConfigurationLoads() {
    ConfigLoader loader = new ConfigLoader(Pipelines.registry(), Map.of());
    assertThatThrownBy(() -> loader.parse("k.yml", """
        - task:
          - in.TestSource: {name: x}
          - sample: {rate: 0}
          - out.TestSink: {name: x}
        """)).hasMessageContaining("k.yml:3:").hasMessageContaining("`rate` must be at least 1");
    assertThatThrownBy(() -> loader.parse("k.yml", """
        - task:
          - in.TestSource: {name: x}
          - dedupe: {fields: ['a[']}
          - out.TestSink: {name: x}
        """)).hasMessageContaining("is not closed");
  }
}
