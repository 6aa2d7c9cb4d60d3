package io.swak.support;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.swak.api.StepContext;
import io.swak.api.StepMetrics;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Fire times of cron lines, macros and periods (cron-utils underneath), and the pacing of polling inputs. */
class ScheduleTest {

  private static final ZoneId UTC = ZoneOffset.UTC;

  @Test
  void aFiveFieldLineFiresOnItsMinutes() {
    Schedule s = Schedule.parse("*/15 * * * *");
    assertThat(fires(s, "2026-03-02T10:07:30Z", UTC, 4)).containsExactly(
        "2026-03-02T10:15:00Z", "2026-03-02T10:30:00Z", "2026-03-02T10:45:00Z", "2026-03-02T11:00:00Z");
  }

  @Test
  void theTimeZoneDecidesWhatNineOClockIs() {
    // weekdays at 09:00 in Seoul (UTC+9): from Friday 2026-03-06 10:00 KST the next are Monday and Tuesday
    Schedule s = Schedule.parse("0 9 * * 1-5");
    assertThat(fires(s, "2026-03-06T01:00:00Z", ZoneId.of("Asia/Seoul"), 2)).containsExactly(
        "2026-03-09T00:00:00Z", "2026-03-10T00:00:00Z");
    assertThat(fires(s, "2026-03-06T01:00:00Z", UTC, 1)).containsExactly("2026-03-06T09:00:00Z");
  }

  @Test
  void sixFieldsHaveSecondsFirst() {
    assertThat(fires(Schedule.parse("*/20 * * * * *"), "2026-03-02T10:00:05.5Z", UTC, 3)).containsExactly(
        "2026-03-02T10:00:20Z", "2026-03-02T10:00:40Z", "2026-03-02T10:01:00Z");
    assertThat(fires(Schedule.parse("* * * * * *"), "2026-03-02T10:00:05.916Z", UTC, 2)).containsExactly(
        "2026-03-02T10:00:06Z", "2026-03-02T10:00:07Z"); // whole seconds, whatever the fraction of the start
    assertThat(fires(Schedule.parse("30 0 12 * * MON"), "2026-03-02T13:00:00Z", UTC, 1)) // a Monday, past noon
        .containsExactly("2026-03-09T12:00:30Z");
  }

  @Test
  void macrosAndAnyEventCronPeriods() {
    assertThat(fires(Schedule.parse("@daily"), "2026-03-02T10:00:00Z", UTC, 2)).containsExactly(
        "2026-03-03T00:00:00Z", "2026-03-04T00:00:00Z");
    assertThat(fires(Schedule.parse("@hourly"), "2026-03-02T10:00:00Z", UTC, 1)).containsExactly(
        "2026-03-02T11:00:00Z");
    // the seed's AnyEvent::Cron: '5 seconds' => sub { … }
    assertThat(fires(Schedule.parse("5 seconds"), "2026-03-02T10:00:01.250Z", UTC, 3)).containsExactly(
        "2026-03-02T10:00:05Z", "2026-03-02T10:00:10Z", "2026-03-02T10:00:15Z");
    assertThat(fires(Schedule.parse("every 2 minutes"), "2026-03-02T10:01:00Z", UTC, 1)).containsExactly(
        "2026-03-02T10:02:00Z");
    // a line that never fires again waits for ever instead of failing
    assertThat(Schedule.parse("0 0 30 2 *").next(Instant.parse("2026-01-01T00:00:00Z"), UTC)).isEqualTo(Instant.MAX);
  }

  @Test
  void badLinesSayWhatIsWrongInTheLibrarysWords() {
    assertThatThrownBy(() -> Schedule.parse("61 * * * *"))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageStartingWith("invalid cron schedule '61 * * * *': ")
        .hasMessageContaining("61"); // cron-utils: "Failed to parse cron expression. Value 61 not in range [0, 59]"
    assertThatThrownBy(() -> Schedule.parse("* * *")).hasMessageContaining("has 3 fields");
    assertThatThrownBy(() -> Schedule.parse("@often")).hasMessageContaining("unknown schedule macro '@often'");
    assertThatThrownBy(() -> Schedule.parse("0 seconds")).hasMessageContaining("period of 0");
    assertThatThrownBy(() -> Schedule.parse(" ")).hasMessageContaining("empty schedule");
    assertThatThrownBy(() -> Schedule.parse("a b c d e")).hasMessageStartingWith("invalid cron schedule");
  }

  @Test
  void thePacerFollowsTheScheduleOnTheStepsClockAndSkipsWhatALongLookMissed() {
    MutableClock clock = new MutableClock(Instant.parse("2026-03-02T10:00:07Z"));
    Pacer p = new Pacer(Duration.ofSeconds(1), Schedule.parse("*/10 * * * * *"), UTC, clock);
    assertThat(p.due()).isEqualTo(Instant.parse("2026-03-02T10:00:10Z")); // the schedule wins over the interval
    assertThat(p.isDue()).isFalse();
    clock.now = Instant.parse("2026-03-02T10:00:10Z");
    assertThat(p.isDue()).isTrue();
    p.done();
    assertThat(p.due()).isEqualTo(Instant.parse("2026-03-02T10:00:20Z"));
    clock.now = Instant.parse("2026-03-02T10:00:45Z"); // the look took 35 s: 20, 30 and 40 are not made up for
    p.done();
    assertThat(p.due()).isEqualTo(Instant.parse("2026-03-02T10:00:50Z"));
    p.after(Duration.ofSeconds(2)); // a failure's backoff overrides the schedule once
    assertThat(p.due()).isEqualTo(Instant.parse("2026-03-02T10:00:47Z"));
  }

  @Test
  void anIntervalPacerLooksAtOnceThenAfterEachInterval() {
    MutableClock clock = new MutableClock(Instant.parse("2026-03-02T10:00:07Z"));
    Pacer p = new Pacer(Duration.ofMillis(1500), null, null, clock);
    assertThat(p.isDue()).isTrue();
    p.done();
    assertThat(p.due()).isEqualTo(Instant.parse("2026-03-02T10:00:08.500Z"));
    p.now();
    assertThat(p.due()).isEqualTo(clock.now);
  }

  @Test
  void awaitSleepsOnlyUntilDueOrMaxWait() {
    MutableClock clock = new MutableClock(Instant.parse("2026-03-02T10:00:00Z"));
    Pacer p = new Pacer(null, Schedule.parse("0 * * * *"), UTC, clock);
    List<Duration> slept = new ArrayList<>();
    StepContext ctx = new SleepRecorder(clock, slept);
    assertThat(p.await(ctx, Duration.ofSeconds(1))).isFalse();
    assertThat(slept).containsExactly(Duration.ofSeconds(1)); // maxWait, not the hour
    clock.now = Instant.parse("2026-03-02T10:59:59.750Z");
    assertThat(p.await(ctx, Duration.ofSeconds(1))).isTrue(); // the recorder moves the clock by what was slept
    assertThat(slept).last().isEqualTo(Duration.ofMillis(250));
  }

  private static List<String> fires(Schedule s, String from, ZoneId zone, int n) {
    List<String> out = new ArrayList<>();
    Instant t = Instant.parse(from);
    for (int i = 0; i < n; i++) {
      t = s.next(t, zone);
      out.add(t.toString());
    }
    return out;
  }

  private static final class MutableClock extends Clock {
    Instant now;

    MutableClock(Instant now) {
      this.now = now;
    }

    @Override
    public ZoneId getZone() {
      return UTC;
    }

    @Override
    public Clock withZone(ZoneId zone) {
      return this;
    }

    @Override
    public Instant instant() {
      return now;
    }
  }

  /** A context whose sleep moves the test clock instead of waiting. */
  private record SleepRecorder(MutableClock time, List<Duration> slept) implements StepContext {
    @Override
    public boolean sleep(Duration d) {
      slept.add(d);
      time.now = time.now.plus(d);
      return true;
    }

    @Override
    public String taskName() {
      return "task";
    }

    @Override
    public String stepName() {
      return "step";
    }

    @Override
    public Path dataDir() {
      return Path.of(".");
    }

    @Override
    public Clock clock() {
      return time;
    }

    @Override
    public boolean stopping() {
      return false;
    }

    @Override
    public StepMetrics metrics() {
      throw new UnsupportedOperationException();
    }
  }
}
