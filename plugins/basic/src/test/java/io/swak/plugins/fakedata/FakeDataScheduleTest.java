package io.swak.plugins.fakedata;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import io.swak.api.Event;
import io.swak.core.config.ConfigLoader;
import io.swak.core.testing.AgentTestBase;
import io.swak.core.testing.Pipelines;
import io.swak.core.testing.TestSink;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;

/** in.FakeData on a cron schedule: `count` events at each fire time, through the real runtime. */
class FakeDataScheduleTest extends AgentTestBase {

  @Test
  void countEventsAreMadeAtEachFireTime() throws Exception {
    start("""
        - task:
          - in.FakeData: {type: json, count: 3, schedule: "* * * * * *", schedule_time_zone: UTC}
          - out.TestSink: {name: %s}
        """.formatted(id));
    await().atMost(Duration.ofSeconds(10)).until(() -> TestSink.state(id).received.size() >= 6);
    List<Event> got = TestSink.state(id).received;
    Map<Long, Long> perSecond = got.subList(0, 6).stream()
        .collect(Collectors.groupingBy(e -> e.timeNanos() / 1_000_000_000L, Collectors.counting()));
    assertThat(perSecond.values()).containsOnly(3L); // three per fire time, two fire times
    assertThat(perSecond).hasSize(2);
    // made on the second: a poll wakes at the fire time, not at some later poll
    assertThat(got).allSatisfy(e -> assertThat(e.timeNanos() % 1_000_000_000L).isLessThan(400_000_000L));
  }

  @Test
  void aSleepStepOnAScheduleMakesTheTaskLoopOnItsFireTimes() throws Exception {
    // the seed's loop (FakeData → Stdout → sleep) with the pause given as AnyEvent::Cron writes it
    start("""
        - task:
          - in.FakeData: {count: 2}
          - out.TestSink: {name: %s}
          - sleep: {schedule: "1 seconds"}
        """.formatted(id));
    await().atMost(Duration.ofSeconds(10)).until(() -> TestSink.state(id).received.size() >= 6);
    List<Event> got = TestSink.state(id).received;
    // the first batch at once, then one batch each second, on the second
    assertThat(got.subList(2, 6)).allSatisfy(e -> assertThat(e.timeNanos() % 1_000_000_000L).isLessThan(400_000_000L));
    assertThat(got.get(4).timeNanos() / 1_000_000_000L).isEqualTo(got.get(2).timeNanos() / 1_000_000_000L + 1);
    assertThatThrownBy(() -> new ConfigLoader(Pipelines.registry(), Map.of()).parse("t.yml",
        "- task:\n  - in.FakeData\n  - sleep: {seconds: 1, schedule: \"@hourly\"}\n"))
        .hasMessageContaining("a `schedule` or a time to pause");
  }

  @Test
  void aScheduleAndARateExcludeEachOther() {
    assertThatThrownBy(() -> new ConfigLoader(Pipelines.registry(), Map.of()).parse("t.yml",
        "- task:\n  - in.FakeData: {rate: 10, schedule: \"@hourly\"}\n  - out.Null\n"))
        .hasMessageContaining("`rate` and `schedule` exclude each other");
  }
}
