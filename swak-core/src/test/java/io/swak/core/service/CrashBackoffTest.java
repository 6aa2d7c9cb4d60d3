package io.swak.core.service;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import org.junit.jupiter.api.Test;

class CrashBackoffTest {

  private final CrashBackoff backoff = new CrashBackoff(Duration.ofSeconds(1), Duration.ofSeconds(10),
      Duration.ofSeconds(30), 4);

  @Test
  void fastCrashesDoubleTheWaitThenGiveUp() {
    assertThat(backoff.afterCrash(Duration.ofSeconds(2))).isEqualTo(Duration.ofSeconds(1));
    assertThat(backoff.afterCrash(Duration.ofSeconds(2))).isEqualTo(Duration.ofSeconds(2));
    assertThat(backoff.afterCrash(Duration.ofSeconds(2))).isEqualTo(Duration.ofSeconds(4));
    assertThat(backoff.afterCrash(Duration.ofSeconds(2))).isEqualTo(Duration.ofSeconds(8));
    assertThat(backoff.afterCrash(Duration.ofSeconds(2))).as("fifth fast crash in a row: give up").isNull();
  }

  @Test
  void aLongRunResetsTheCountAndTheWaitIsCapped() {
    CrashBackoff b = new CrashBackoff(Duration.ofSeconds(1), Duration.ofSeconds(3), Duration.ofSeconds(30), 10);
    b.afterCrash(Duration.ofSeconds(1));
    b.afterCrash(Duration.ofSeconds(1));
    assertThat(b.afterCrash(Duration.ofSeconds(1))).isEqualTo(Duration.ofSeconds(3));
    assertThat(b.afterCrash(Duration.ofMinutes(5))).isEqualTo(Duration.ofSeconds(1));
    assertThat(b.fastCrashes()).isEqualTo(1);
  }

  @Test
  void exitCodesAreDescribedForPeople() {
    assertThat(Supervisor.describe(137)).isEqualTo("was killed by SIGKILL");
    assertThat(Supervisor.describe(3)).isEqualTo("crashed (exit code 3)");
  }
}
