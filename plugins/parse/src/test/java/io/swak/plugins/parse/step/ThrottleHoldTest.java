package io.swak.plugins.parse.step;

import static io.swak.plugins.parse.step.GrepStepTest.seqs;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.swak.api.Batch;
import io.swak.api.DataSize;
import io.swak.core.testing.TestContext;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** throttle's hold mode with its real timer thread, by a clock the test moves. */
class ThrottleHoldTest {

  final KeyedFilterTest.Hand clock = new KeyedFilterTest.Hand();
  final TestContext context = new TestContext(Path.of(System.getProperty("java.io.tmpdir")), clock, "t", "throttle");
  final List<Batch> emitted = new CopyOnWriteArrayList<>();
  ThrottleHoldStep step;

  ThrottleHoldStep start(long rate, String holdLimit) throws Exception {
    step = (ThrottleHoldStep) new ThrottlePlugin().create(new ThrottlePlugin.Options(rate, Duration.ofSeconds(1),
        List.of("host"), 100, ThrottlePlugin.Mode.HOLD, DataSize.parse(holdLimit)));
    step.start(context);
    step.connect(emitted::add);
    return step;
  }

  @AfterEach
  void close() throws Exception {
    if (step != null) {
      step.close();
    }
  }

  static Batch hostBatch(int from, int to, String host, AtomicInteger acked) {
    Batch b = KeyedFilterTest.seq(from, to, i -> new Object[] {"host", host});
    return b.withAck(acked::incrementAndGet);
  }

  List<Object> seqsEmitted() {
    return emitted.stream().flatMap(b -> seqs(b).stream()).toList();
  }

  @Test
  void theExcessWaitsAndGoesOnInTheNextWindowsAtTheRateInOrderPerKey() throws Exception {
    start(2, "1MiB");
    AtomicInteger acked = new AtomicInteger();
    step.accept(hostBatch(1, 5, "a", acked), emitted::add);
    step.accept(hostBatch(11, 12, "b", acked), emitted::add);
    assertThat(seqsEmitted()).containsExactly(1L, 2L, 11L, 12L);
    assertThat(context.count("throttle_held")).isEqualTo(3);
    assertThat(context.count("dropped")).isZero();
    emitted.forEach(b -> b.ack().done());
    assertThat(acked).hasValue(1); // b's batch; a's waits for its held events
    clock.now = clock.now.plusSeconds(1);
    await().atMost(Duration.ofSeconds(5)).until(() -> seqsEmitted().size() == 6); // the timer, no batch needed
    // a new event of a waits behind the held ones
    step.accept(hostBatch(6, 6, "a", acked), emitted::add);
    assertThat(seqsEmitted()).containsExactly(1L, 2L, 11L, 12L, 3L, 4L);
    clock.now = clock.now.plusSeconds(1);
    await().atMost(Duration.ofSeconds(5)).until(() -> seqsEmitted().size() == 8);
    assertThat(seqsEmitted()).endsWith(5L, 6L);
    emitted.forEach(b -> b.ack().done());
    assertThat(acked).hasValue(3);
  }

  @Test
  void whenWhatWaitsPassesHoldLimitTheTaskWaitsUntilTheRateLetsItGo() throws Exception {
    start(1, "60B"); // a few ~20-byte entries
    AtomicInteger acked = new AtomicInteger();
    CountDownLatch returned = new CountDownLatch(1);
    AtomicReference<Exception> failure = new AtomicReference<>();
    Thread task = new Thread(() -> {
      try {
        step.accept(hostBatch(1, 8, "a", acked), emitted::add);
      } catch (Exception e) {
        failure.set(e);
      }
      returned.countDown();
    });
    task.start();
    assertThat(returned.await(300, TimeUnit.MILLISECONDS)).isFalse(); // backpressure: accept does not return
    assertThat(context.count("throttle_full")).isEqualTo(1);
    for (int i = 0; i < 8 && returned.getCount() > 0; i++) {
      clock.now = clock.now.plusSeconds(1);
      int before = seqsEmitted().size();
      await().atMost(Duration.ofSeconds(5)).until(() -> seqsEmitted().size() > before || returned.getCount() == 0);
    }
    assertThat(returned.await(5, TimeUnit.SECONDS)).isTrue();
    assertThat(failure.get()).isNull();
    assertThat(seqsEmitted()).isSorted().doesNotHaveDuplicates();
  }

  @Test
  void atCloseWhatWaitsGoesOnSoNothingIsLost() throws Exception {
    start(1, "1MiB");
    AtomicInteger acked = new AtomicInteger();
    step.accept(hostBatch(1, 4, "a", acked), emitted::add);
    assertThat(seqsEmitted()).containsExactly(1L);
    step.close();
    step = null;
    assertThat(seqsEmitted()).containsExactly(1L, 2L, 3L, 4L);
    emitted.forEach(b -> b.ack().done());
    assertThat(acked).hasValue(1);
  }
}
