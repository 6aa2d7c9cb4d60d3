package io.swak.plugins.filetail;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

class MultilineTest {

  private final List<String> events = new ArrayList<>();
  private final Multiline.Events out = (b, off, len) -> events.add(new String(b, off, len, StandardCharsets.UTF_8));
  private long pos;

  private void line(Multiline m, String s, long now) {
    byte[] b = s.getBytes(StandardCharsets.UTF_8);
    m.line(b, 0, b.length, pos, now, out);
    pos += b.length + 1;
  }

  @Test
  void joinsContinuationLinesAndHoldsTheLastEvent() {
    Multiline m = new Multiline(Pattern.compile("^\\d{4}-"), 1000);
    line(m, "orphan before any start", 0);
    line(m, "2026-01-01 ERROR boom", 0);
    long heldAt = pos - "2026-01-01 ERROR boom".length() - 1;
    line(m, "  at a.B(B.java:1)", 0);
    assertThat(events).containsExactly("orphan before any start");
    assertThat(m.holding()).isTrue();
    assertThat(m.heldStart()).isEqualTo(heldAt);
    line(m, "2026-01-01 INFO next", 0);
    assertThat(events).containsExactly("orphan before any start", "2026-01-01 ERROR boom\n  at a.B(B.java:1)");
  }

  @Test
  void isDueAfterTheFlushTimeoutOnly() {
    Multiline m = new Multiline(Pattern.compile("^S"), 1000);
    line(m, "S one", 1_000);
    assertThat(m.due(1_500, 1_000)).isFalse();
    assertThat(m.due(2_000, 1_000)).isTrue();
    m.flush(out);
    assertThat(events).containsExactly("S one");
    assertThat(m.holding()).isFalse();
    assertThat(m.due(10_000, 1_000)).isFalse();
  }

  @Test
  void anEventLongerThanTheLimitIsTruncatedOnceAndCounted() {
    Multiline m = new Multiline(Pattern.compile("^S"), 12);
    line(m, "S 12345", 0);
    line(m, "continued line", 0);
    line(m, "more", 0);
    line(m, "S next", 0);
    assertThat(events).containsExactly("S 12345\ncont");
    assertThat(m.truncatedEvents).isEqualTo(1);
  }
}
