package io.swak.support;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

class WarnEveryTest {

  private static final long SECOND = 1_000_000_000L;

  /** A clock the test steps; starts far from 0 and from the sentinel, as System.nanoTime may. */
  private final AtomicLong clock = new AtomicLong(-5 * SECOND);
  private final WarnEvery warn = new WarnEvery(Duration.ofSeconds(10), clock::get);

  @Test
  void theFirstWarningGoesThenNoneUntilThePeriodHasPassed() {
    assertThat(warn.due()).isTrue();
    assertThat(warn.due()).isFalse();
    clock.addAndGet(10 * SECOND - 1);
    assertThat(warn.due()).isFalse();
    clock.addAndGet(1);
    assertThat(warn.due()).isTrue();
    assertThat(warn.due()).isFalse();
    clock.addAndGet(3600 * SECOND); // a long quiet time: one warning, not one per period missed
    assertThat(warn.due()).isTrue();
    assertThat(warn.due()).isFalse();
  }

  @Test
  void eachKindHasItsOwnPeriodAndTheWholeAnother() {
    assertThat(warn.due("json")).isTrue();
    assertThat(warn.due("time")).isTrue();
    assertThat(warn.due("json")).isFalse();
    assertThat(warn.due()).isTrue();
    clock.addAndGet(4 * SECOND);
    assertThat(warn.due("long")).isTrue();
    clock.addAndGet(6 * SECOND);
    assertThat(warn.due("json")).isTrue();
    assertThat(warn.due("long")).isFalse(); // 6 s after its own
    assertThat(warn.due("time")).isTrue();
  }

  @Test
  void ofThreadsAskingAtTheSameMomentOneIsToldYes() throws Exception {
    int threads = 8;
    CountDownLatch start = new CountDownLatch(1);
    AtomicInteger yes = new AtomicInteger();
    List<Thread> all = new ArrayList<>();
    for (int i = 0; i < threads; i++) {
      Thread t = new Thread(() -> {
        try {
          start.await();
        } catch (InterruptedException e) {
          return;
        }
        for (int k = 0; k < 1000; k++) {
          if (warn.due("protocol")) {
            yes.incrementAndGet();
          }
        }
      });
      t.start();
      all.add(t);
    }
    start.countDown();
    for (Thread t : all) {
      t.join();
    }
    assertThat(yes).hasValue(1);
  }

  @Test
  void aPeriodMustBePositive() {
    assertThatThrownBy(() -> new WarnEvery(Duration.ZERO, clock::get)).hasMessageContaining("positive");
  }
}
