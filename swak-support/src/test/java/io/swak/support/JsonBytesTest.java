package io.swak.support;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/** JsonBytes.number writes what Long.toString does, at any position, for the edges and random values. */
class JsonBytesTest {

  private static String written(long v, int at) {
    byte[] out = new byte[at + 20];
    int end = JsonBytes.number(v, out, at);
    return new String(out, at, end - at, StandardCharsets.US_ASCII);
  }

  @Test
  void numbersAreTheirDecimalDigits() {
    long[] edges = {0, 1, 9, 10, 99, 100, -1, -9, -10, Integer.MAX_VALUE, Integer.MIN_VALUE, Long.MAX_VALUE,
        Long.MIN_VALUE, Long.MIN_VALUE + 1, 1_000_000_000_000_000_000L};
    for (long v : edges) {
      assertThat(written(v, 3)).isEqualTo(Long.toString(v));
    }
    SplittableRandom r = new SplittableRandom(7);
    for (int i = 0; i < 10_000; i++) {
      long v = r.nextLong() >> r.nextInt(64);
      assertThat(written(v, i % 5)).isEqualTo(Long.toString(v));
    }
  }
}
