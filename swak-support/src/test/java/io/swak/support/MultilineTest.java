package io.swak.support;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

class MultilineTest {

  private final List<String> events = new ArrayList<>();
  private final Multiline.Events out = (b, off, len) -> events.add(new String(b, off, len, StandardCharsets.UTF_8));
  private long pos;

  private Multiline.Took line(Multiline m, String s, long now) {
    byte[] b = s.getBytes(StandardCharsets.UTF_8);
    Multiline.Took t = m.line(b, 0, b.length, pos, now, out);
    if (t == Multiline.Took.ALONE) {
      events.add(s);
    }
    pos += b.length + 1;
    return t;
  }

  @Test
  void joinsContinuationLinesAndHoldsTheLastEvent() {
    Multiline m = new Multiline(Pattern.compile("^\\d{4}-"), 1000);
    assertThat(line(m, "orphan before any start", 0)).isEqualTo(Multiline.Took.ALONE);
    assertThat(line(m, "2026-01-01 ERROR boom", 0)).isEqualTo(Multiline.Took.STARTED);
    long heldAt = pos - "2026-01-01 ERROR boom".length() - 1;
    assertThat(line(m, "  at a.B(B.java:1)", 0)).isEqualTo(Multiline.Took.APPENDED);
    assertThat(events).containsExactly("orphan before any start");
    assertThat(m.holding()).isTrue();
    assertThat(m.heldMark()).isEqualTo(heldAt);
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
    assertThat(m.takeTruncated()).isEqualTo(1);
    assertThat(m.takeTruncated()).isZero();
  }

  @Test
  void withAContinuationPatternALineMatchingNeitherEndsTheEventAndStandsAlone() {
    Multiline m = new Multiline(Pattern.compile("^ERROR"), Pattern.compile("^\\s+at "), 1000, 100,
        Multiline.Overflow.SPLIT);
    line(m, "ERROR boom", 0);
    line(m, "  at a.B(B.java:1)", 0);
    assertThat(line(m, "INFO unrelated", 0)).isEqualTo(Multiline.Took.ALONE);
    assertThat(line(m, "  at orphan frame", 0)).isEqualTo(Multiline.Took.ALONE);
    assertThat(events).containsExactly("ERROR boom\n  at a.B(B.java:1)", "INFO unrelated", "  at orphan frame");
    assertThat(m.holding()).isFalse();
  }

  @Test
  void splitEmitsAnEventAtMaxLinesOrMaxBytesAndTheNextLineBeginsTheNextEventLosingNothing() {
    Multiline m = new Multiline(Pattern.compile("^S"), null, 20, 3, Multiline.Overflow.SPLIT);
    line(m, "S a", 0);
    line(m, " 1", 0);
    line(m, " 2", 0);
    assertThat(line(m, " 3", 0)).isEqualTo(Multiline.Took.STARTED); // a fourth line: over max_lines
    assertThat(events).containsExactly("S a\n 1\n 2");
    line(m, " 4567890123456789", 0); // " 3\n" + 17 bytes = 20: fits exactly
    assertThat(line(m, " x", 0)).isEqualTo(Multiline.Took.STARTED); // 23 bytes: over max_bytes
    assertThat(events).containsExactly("S a\n 1\n 2", " 3\n 4567890123456789");
    assertThat(line(m, "S" + "y".repeat(30), 0)).isEqualTo(Multiline.Took.ALONE); // longer than an event may be
    assertThat(events).endsWith(" x", "S" + "y".repeat(30));
    assertThat(m.takeSplit()).isEqualTo(3);
    assertThat(m.takeTruncated()).isZero();
  }

  @Test
  void invalidUtf8IsMatchedWithReplacementCharactersAndKeptAsItsBytes() {
    Multiline m = new Multiline(Pattern.compile("^S"), 1000);
    byte[] bad = {'S', ' ', (byte) 0xff, (byte) 0xc3};
    m.line(bad, 0, bad.length, 0, 0, out);
    byte[] cont = {' ', (byte) 0x80};
    assertThat(m.line(cont, 0, cont.length, 0, 0, out)).isEqualTo(Multiline.Took.APPENDED);
    List<byte[]> raw = new ArrayList<>();
    m.flush((b, off, len) -> raw.add(java.util.Arrays.copyOfRange(b, off, off + len)));
    assertThat(raw.get(0)).containsExactly('S', ' ', 0xff, 0xc3, '\n', ' ', 0x80);
  }

  @Test
  void startAndPresetAreCheckedTogether() {
    assertThat(Multiline.startPattern(null, MultilinePreset.JAVA, "m")).isSameAs(MultilinePreset.JAVA.start());
    assertThatThrownBy(() -> Multiline.startPattern(Pattern.compile("x"), MultilinePreset.GO, "m"))
        .hasMessageContaining("not both");
    assertThatThrownBy(() -> Multiline.startPattern(null, null, "m")).hasMessageContaining("needs `start`");
  }
}
