package io.swak.api;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Random;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

class AckWindowTest {

  @Test
  void outOfOrderAcksNeverMovePastAnUnfinishedBatch() {
    AckWindow w = new AckWindow(100);
    Ack a = w.add(200);
    Ack b = w.add(300);
    Ack c = w.add(400);
    c.done();
    assertThat(w.committed()).isEqualTo(100);
    a.done();
    assertThat(w.committed()).isEqualTo(200);
    b.done();
    assertThat(w.committed()).isEqualTo(400);
    assertThat(w.inFlight()).isZero();
  }

  @Test
  void doubleAckAndAcksAfterResetAreHarmless() {
    AckWindow w = new AckWindow(0);
    Ack a = w.add(10);
    a.done();
    a.done();
    Ack b = w.add(20);
    w.reset(0); // file truncated: what was in flight no longer counts
    b.done();
    assertThat(w.committed()).isZero();
    w.add(5).done();
    assertThat(w.committed()).isEqualTo(5);
  }

  @Test
  void concurrentAcksInAnyOrderEndAtTheLastPosition() throws Exception {
    AckWindow w = new AckWindow(0);
    List<Ack> acks = new ArrayList<>();
    for (int i = 1; i <= 10_000; i++) {
      acks.add(w.add(i));
    }
    Collections.shuffle(acks, new Random(7));
    ExecutorService pool = Executors.newFixedThreadPool(4);
    for (Ack a : acks) {
      pool.execute(a::done);
    }
    pool.shutdown();
    assertThat(pool.awaitTermination(30, TimeUnit.SECONDS)).isTrue();
    assertThat(w.committed()).isEqualTo(10_000);
  }
}
