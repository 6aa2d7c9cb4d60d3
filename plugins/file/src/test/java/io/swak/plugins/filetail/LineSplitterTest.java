package io.swak.plugins.filetail;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.Charset;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;

class LineSplitterTest {

  /** Simulates the reader: a "file" of bytes, read in blocks of {@code block} at the splitter's position. */
  private static final class Run {
    final LineSplitter s;
    final byte[] buf;
    final List<String> lines = new ArrayList<>();
    /** Where each line starts; a line ends (newline included) where the next starts. */
    final List<Long> starts = new ArrayList<>();
    final Charset cs;

    Run(Charset cs, int block, int max, boolean truncate) {
      this.cs = cs;
      this.s = new LineSplitter(LineEncoder.newline(cs), "\r".getBytes(cs), max, truncate,
          cs.equals(StandardCharsets.UTF_8));
      this.buf = new byte[block];
    }

    /** Reads everything available in {@code file}, block by block, as the input would. */
    void readAll(byte[] file) {
      while (s.readPosition() < file.length) {
        long before = s.readPosition();
        long beforeLine = s.lineStart();
        int n = (int) Math.min(buf.length, file.length - s.readPosition());
        System.arraycopy(file, (int) s.readPosition(), buf, 0, n);
        s.feed(buf, n, (b, off, len, start) -> {
          lines.add(new String(b, off, len, cs));
          starts.add(start);
        });
        if (s.readPosition() == before && s.lineStart() == beforeLine) {
          return; // only a partial line left: wait for more
        }
      }
    }
  }

  @Test
  void splitsBlocksIntoLinesAndHoldsTheUnfinishedOne() {
    Run r = new Run(StandardCharsets.UTF_8, 16, 1000, true);
    r.readAll("alpha\nbeta\r\ngamma is longer\nunfini".getBytes(StandardCharsets.UTF_8));
    assertThat(r.lines).containsExactly("alpha", "beta", "gamma is longer");
    assertThat(r.s.lineStart()).isEqualTo("alpha\nbeta\r\ngamma is longer\n".length());
    r.readAll("alpha\nbeta\r\ngamma is longer\nunfinished\n".getBytes(StandardCharsets.UTF_8));
    assertThat(r.lines).containsExactly("alpha", "beta", "gamma is longer", "unfinished");
    assertThat(r.starts).containsExactly(0L, 6L, 12L, 28L);
  }

  @Test
  void aLineLongerThanTheBlockIsCollected() {
    Run r = new Run(StandardCharsets.UTF_8, 8, 1000, true);
    String longLine = "x".repeat(50);
    r.readAll(("a\n" + longLine + "\nb\n").getBytes(StandardCharsets.UTF_8));
    assertThat(r.lines).containsExactly("a", longLine, "b");
    assertThat(r.starts).containsExactly(0L, 2L, 53L);
  }

  @Test
  void longLinesAreTruncatedOrSkippedAndCounted() {
    String text = "ok\n" + "y".repeat(100) + "\r\n" + "z".repeat(20) + "\nend\n";
    Run t = new Run(StandardCharsets.UTF_8, 8, 10, true);
    t.readAll(text.getBytes(StandardCharsets.UTF_8));
    assertThat(t.lines).containsExactly("ok", "y".repeat(10), "z".repeat(10), "end");
    assertThat(t.s.truncatedLines).isEqualTo(2);
    Run s = new Run(StandardCharsets.UTF_8, 64, 10, false);
    s.readAll(text.getBytes(StandardCharsets.UTF_8));
    assertThat(s.lines).containsExactly("ok", "end");
    assertThat(s.s.skippedLines).isEqualTo(2);
    assertThat(s.s.lineStart()).isEqualTo(text.length());
  }

  @Test
  void aLineOfExactlyTheLimitPlusCarriageReturnIsNotLong() {
    Run r = new Run(StandardCharsets.UTF_8, 4, 10, false);
    r.readAll(("0123456789\r\n").getBytes(StandardCharsets.UTF_8));
    assertThat(r.lines).containsExactly("0123456789");
    assertThat(r.s.skippedLines).isZero();
  }

  @Test
  void truncationNeverCutsAUtf8CharacterInTwo() {
    Run r = new Run(StandardCharsets.UTF_8, 4096, 10, true);
    r.readAll("가나다라마\n".getBytes(StandardCharsets.UTF_8)); // 3 bytes each: 10 bytes hold 3 characters
    assertThat(r.lines).containsExactly("가나다");
  }

  @Test
  void utf16leNewlinesAreFoundOnlyOnCodeUnitBoundaries() {
    // U+0A0A is the bytes 0A 0A in UTF-16LE: a naive byte scan would see two newlines inside it
    Charset cs = StandardCharsets.UTF_16LE;
    Run r = new Run(cs, 8, 1000, true);
    String text = "a\u0A0Ab\r\nsecond line\n";
    r.readAll(text.getBytes(cs));
    assertThat(r.lines).containsExactly("a\u0A0Ab", "second line");
  }

  @Test
  void resetStartsOverAtAPosition() {
    Run r = new Run(StandardCharsets.UTF_8, 8, 100, true);
    byte[] file = "one\ntwo\nthree\n".getBytes(StandardCharsets.UTF_8);
    r.s.reset(4);
    r.readAll(file);
    assertThat(r.lines).containsExactly("two", "three");
    assertThat(Arrays.asList(r.s.lineStart())).containsExactly((long) file.length);
  }
}
