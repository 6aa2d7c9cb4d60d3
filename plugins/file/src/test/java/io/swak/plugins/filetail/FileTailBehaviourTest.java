package io.swak.plugins.filetail;

import static org.assertj.core.api.Assertions.assertThat;

import io.swak.core.runtime.PositionStore;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.channels.FileChannel;
import java.nio.charset.Charset;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** in.FileTail in a real agent writing with out.File: what each documented behaviour looks like from outside. */
class FileTailBehaviourTest {

  private static void append(Path p, String text, Charset cs) throws IOException {
    Files.write(p, text.getBytes(cs), StandardOpenOption.CREATE, StandardOpenOption.APPEND);
  }

  private static void append(Path p, String text) throws IOException {
    append(p, text, StandardCharsets.UTF_8);
  }

  @Test
  void convertsCp949ShiftJisAndUtf16leToUtf8(@TempDir Path root) throws Exception {
    Map<String, String> text = Map.of(
        "cp949", "안녕하세요, 세계 - 로그 한 줄, 똠방각하", // 똠 exists only in Windows' 949 (UHC)
        "shift_jis", "こんにちは世界、ログの一行です",
        "utf-16le", "Grüße, 世界 and ☃ in UTF-16");
    for (Map.Entry<String, String> e : text.entrySet()) {
      try (Pipeline p = new Pipeline(root.resolve(e.getKey()))) {
        Path f = p.logs.resolve("x.log");
        Charset cs = Charset.forName(e.getKey().equals("cp949") ? "x-windows-949" : e.getKey());
        append(f, "first " + e.getValue() + "\r\nsecond " + e.getValue() + "\n", cs);
        p.start("      path: " + f + "\n      read_from_head: true\n      encoding: " + e.getKey() + "\n");
        append(f, "third " + e.getValue() + "\n", cs);
        p.awaitLines(3, Duration.ofSeconds(10));
        p.stop();
        assertThat(p.lines()).as(e.getKey()).containsExactly(
            "first " + e.getValue(), "second " + e.getValue(), "third " + e.getValue());
      }
    }
  }

  @Test
  void aTenMebibyteLineIsTruncatedOrSkippedAndTheFileGoesOn(@TempDir Path root) throws Exception {
    char[] big = new char[10 << 20];
    Arrays.fill(big, 'x');
    String huge = new String(big);
    for (String mode : List.of("truncate", "skip")) {
      try (Pipeline p = new Pipeline(root.resolve(mode))) {
        Path f = p.logs.resolve("big.log");
        append(f, "before\n" + huge + "\nafter\n");
        p.start("      path: " + f + "\n      read_from_head: true\n      long_lines: " + mode + "\n"
            + "      max_line_size: 1MiB\n");
        int expected = mode.equals("truncate") ? 3 : 2;
        p.awaitLines(expected, Duration.ofSeconds(20));
        append(f, "later\n");
        p.awaitLines(expected + 1, Duration.ofSeconds(10));
        p.stop();
        List<String> lines = p.lines();
        if (mode.equals("truncate")) {
          assertThat(lines).hasSize(4);
          assertThat(lines.get(0)).isEqualTo("before");
          assertThat(lines.get(1)).hasSize(1 << 20).matches("x+");
          assertThat(lines.subList(2, 4)).containsExactly("after", "later");
        } else {
          assertThat(lines).containsExactly("before", "after", "later");
        }
      }
    }
  }

  @Test
  void linesAcrossTheGrowingFirstReadsArriveWhole(@TempDir Path root) throws Exception {
    // the first reads after start are 16, 32, 64, 128 KiB: a first line longer than the first read, and
    // lines of every length, cross each of their ends
    List<String> want = new java.util.ArrayList<>();
    want.add("a".repeat(100_000));
    for (int i = 0; i < 3000; i++) {
      want.add("n=" + i + " " + "b".repeat(i % 157));
    }
    try (Pipeline p = new Pipeline(root)) {
      Path f = p.logs.resolve("grow.log");
      append(f, String.join("\n", want) + "\n");
      p.start("      path: " + f + "\n      read_from_head: true\n");
      p.awaitLines(want.size(), Duration.ofSeconds(10));
      p.stop();
      assertThat(p.lines()).isEqualTo(want);
    }
  }

  @Test
  void aLastLineWithoutNewlineIsHeldUntilItsNewlineArrives(@TempDir Path root) throws Exception {
    try (Pipeline p = new Pipeline(root)) {
      Path f = p.logs.resolve("a.log");
      append(f, "");
      p.start("      path: " + f + "\n      read_from_head: true\n");
      append(f, "first\npart");
      p.awaitLines(1, Duration.ofSeconds(10));
      // "first" was delivered, so the block holding "part" was read with it: "part" is held, not lost
      append(f, "ial");
      append(f, " line\nlast\n");
      p.awaitLines(3, Duration.ofSeconds(10));
      p.stop();
      assertThat(p.lines()).containsExactly("first", "partial line", "last");
    }
  }

  @Test
  void aRestartResumesAtTheCheckpointWithoutLossOrRepeats(@TempDir Path root) throws Exception {
    try (Pipeline p = new Pipeline(root)) {
      Path f = p.logs.resolve("r.log");
      StringBuilder sb = new StringBuilder();
      for (int i = 0; i < 5000; i++) {
        sb.append("g=0 n=").append(i).append(" some text\n");
      }
      append(f, sb.toString());
      String options = "      path: " + f + "\n      read_from_head: true\n";
      p.start(options);
      p.awaitLines(5000, Duration.ofSeconds(10));
      p.stop();
      sb.setLength(0);
      for (int i = 5000; i < 10000; i++) {
        sb.append("g=0 n=").append(i).append(" some text\n");
      }
      append(f, sb.toString());
      p.start(options);
      p.awaitLines(10000, Duration.ofSeconds(10));
      p.stop();
      FileTailTortureTest.assertExactlyOnceInOrder(p.lines(), 10000);
    }
  }

  @Test
  void readFromHeadFalseStartsAtTheEndOnlyAtTheFirstStart(@TempDir Path root) throws Exception {
    try (Pipeline p = new Pipeline(root)) {
      Path old = p.logs.resolve("old.log");
      append(old, "old line\n");
      String options = "      path: " + p.logs + "/*.log\n      tag: t\n";
      p.start(options);
      append(old, "new line\n");
      append(p.logs.resolve("later.log"), "later line\n");
      p.awaitLines(2, Duration.ofSeconds(10));
      p.stop();
      append(old, "while stopped\n");
      append(p.logs.resolve("while.log"), "new file while stopped\n");
      p.start(options);
      p.awaitLines(4, Duration.ofSeconds(10));
      p.stop();
      assertThat(p.lines()).containsExactlyInAnyOrder("new line", "later line", "while stopped",
          "new file while stopped");
    }
  }

  @Test
  void aNewFileIsNoticedByNotificationNotByTheScan(@TempDir Path root) throws Exception {
    try (Pipeline p = new Pipeline(root)) {
      p.start("      path: " + p.logs + "/sub/*.log\n      refresh_interval: 1h\n      tag: t\n");
      // the directory itself does not exist yet: it is waited for
      Files.createDirectories(p.logs.resolve("sub"));
      append(p.logs.resolve("sub/n.log"), "hello\n");
      p.awaitLines(1, Duration.ofSeconds(3));
      p.stop();
      assertThat(p.lines()).containsExactly("hello");
    }
  }

  @Test
  void aBurstOfNewFilesIsReadCompletelyEvenIfNotificationsOverflow(@TempDir Path root) throws Exception {
    try (Pipeline p = new Pipeline(root)) {
      p.start("      path: " + p.logs + "/*\n      exclude: ['*.skip']\n      refresh_interval: 1h\n      tag: t\n");
      int files = 1500; // 6,000 events, far more than the watch service queues (512): OVERFLOW, then a scan
      for (int i = 0; i < files; i++) {
        Files.writeString(p.logs.resolve("burst-" + i + ".log"), "line " + i + "\n");
        Files.writeString(p.logs.resolve("burst-" + i + ".skip"), "excluded " + i + "\n");
      }
      p.awaitLines(files, Duration.ofSeconds(30));
      p.stop();
      assertThat(p.lines()).hasSize(files).allMatch(l -> l.startsWith("line "));
    }
  }

  @Test
  void aSymlinkIsFollowedToItsTarget(@TempDir Path root) throws Exception {
    try (Pipeline p = new Pipeline(root)) {
      Path elsewhere = Files.createDirectories(root.resolve("elsewhere"));
      Path real = elsewhere.resolve("real.log");
      append(real, "before\n");
      Files.createSymbolicLink(p.logs.resolve("link.log"), real);
      p.start("      path: " + p.logs + "/*.log\n      read_from_head: true\n      refresh_interval: 1h\n"
          + "      tag: t\n");
      p.awaitLines(1, Duration.ofSeconds(10));
      append(real, "after\n"); // reported in the target's directory, which is watched too
      p.awaitLines(2, Duration.ofSeconds(5));
      p.stop();
      assertThat(p.lines()).containsExactly("before", "after");
    }
  }

  @Test
  void aReusedInodeWithOtherContentIsReadFromTheStart(@TempDir Path root) throws Exception {
    try (Pipeline p = new Pipeline(root)) {
      Path f = p.logs.resolve("reuse.log");
      append(f, "old content that is long enough to put the checkpoint far into the file\n");
      String options = "      path: " + f + "\n      read_from_head: true\n      tag: t\n";
      p.start(options);
      p.awaitLines(1, Duration.ofSeconds(10));
      p.stop();
      Object inode = Files.getAttribute(f, "unix:ino");
      Files.delete(f);
      append(f, "new 1\nnew 2\nnew 3 and more text so this file is longer than the old checkpoint\n");
      for (int i = 0; i < 20 && !Files.getAttribute(f, "unix:ino").equals(inode); i++) {
        Files.delete(f);
        append(f, "new 1\nnew 2\nnew 3 and more text so this file is longer than the old checkpoint\n");
      }
      if (!Files.getAttribute(f, "unix:ino").equals(inode)) {
        // the file system did not hand the inode out again this time: give the new file the old file's
        // checkpoint, which is the state inode reuse leaves behind
        Path pos;
        try (var dirs = Files.list(p.data.resolve("positions"))) {
          pos = dirs.findFirst().orElseThrow();
        }
        PositionStore store = PositionStore.open(pos, null);
        String saved = store.saved().get(key(f, (Long) inode));
        store.track(key(f, (Long) Files.getAttribute(f, "unix:ino")), () -> saved);
        store.forget(key(f, (Long) inode));
        store.close();
      }
      p.start(options);
      p.awaitLines(4, Duration.ofSeconds(10));
      p.stop();
      assertThat(p.lines()).containsExactly(
          "old content that is long enough to put the checkpoint far into the file", "new 1", "new 2",
          "new 3 and more text so this file is longer than the old checkpoint");
    }
  }

  private static String key(Path f, long ino) throws IOException {
    return Long.toHexString(((Number) Files.getAttribute(f, "unix:dev")).longValue()) + "-" + Long.toHexString(ino);
  }

  @Test
  void deletedWhileOpenIsDrainedAndClosed(@TempDir Path root) throws Exception {
    try (Pipeline p = new Pipeline(root)) {
      Path f = p.logs.resolve("gone.log");
      append(f, "");
      p.start("      path: " + f + "\n      rotate_wait: 100ms\n      tag: t\n");
      try (OutputStream out = Files.newOutputStream(f, StandardOpenOption.APPEND)) {
        out.write("one\n".getBytes(StandardCharsets.UTF_8));
        Files.delete(f);
        out.write("two\n".getBytes(StandardCharsets.UTF_8));
      }
      p.awaitLines(2, Duration.ofSeconds(10));
      // closed after draining: no handle to the deleted file remains
      org.awaitility.Awaitility.await().atMost(Duration.ofSeconds(10)).until(() -> !openHandleTo("gone.log"));
      p.stop();
      assertThat(p.lines()).containsExactly("one", "two");
    }
  }

  private static boolean openHandleTo(String name) throws IOException {
    try (var s = Files.list(Path.of("/proc/self/fd"))) {
      for (Path fd : s.toList()) {
        try {
          if (Files.readSymbolicLink(fd).toString().contains(name)) {
            return true;
          }
        } catch (IOException e) {
          // closed meanwhile
        }
      }
    }
    return false;
  }

  @Test
  void multilineJoinsStackTracesAndFlushesTheLastEventAfterTheTimeout(@TempDir Path root) throws Exception {
    try (Pipeline p = new Pipeline(root)) {
      Path f = p.logs.resolve("ml.log");
      append(f, "2026-01-01 ERROR boom\n  at a.B.c(B.java:1)\n  at a.B.d(B.java:2)\n2026-01-01 INFO ok\n"
          + "2026-01-01 WARN last\n  at x.Y.z(Y.java:3)\n");
      p.start("      path: " + f + "\n      read_from_head: true\n      multiline:\n"
          + "        start: '^\\d{4}-'\n        flush_timeout: 200ms\n", "record");
      p.awaitLines(3, Duration.ofSeconds(10)); // the last event only after the flush timeout
      p.stop();
      assertThat(p.lines()).containsExactly(
          "{\"message\":\"2026-01-01 ERROR boom\\n  at a.B.c(B.java:1)\\n  at a.B.d(B.java:2)\"}",
          "{\"message\":\"2026-01-01 INFO ok\"}",
          "{\"message\":\"2026-01-01 WARN last\\n  at x.Y.z(Y.java:3)\"}");
    }
  }

  @Test
  void copytruncateWhileStoppedIsNoticedAtTheNextStart(@TempDir Path root) throws Exception {
    try (Pipeline p = new Pipeline(root)) {
      Path f = p.logs.resolve("t.log");
      append(f, "a fairly long first line to put the checkpoint well into the file\n");
      String options = "      path: " + f + "\n      read_from_head: true\n      tag: t\n";
      p.start(options);
      p.awaitLines(1, Duration.ofSeconds(10));
      p.stop();
      try (FileChannel ch = FileChannel.open(f, StandardOpenOption.WRITE)) {
        ch.truncate(0);
      }
      append(f, "short\n");
      p.start(options);
      p.awaitLines(2, Duration.ofSeconds(10));
      p.stop();
      assertThat(p.lines()).containsExactly("a fairly long first line to put the checkpoint well into the file",
          "short");
    }
  }

  @Test
  void copytruncateWrittenBackToTheSameSizeIsReadAgain(@TempDir Path root) throws Exception {
    try (Pipeline p = new Pipeline(root)) {
      Path f = p.logs.resolve("t.log");
      append(f, "round 0 line a\nround 0 line b\n");
      p.start("      path: " + f + "\n      read_from_head: true\n      tag: t\n");
      p.awaitLines(2, Duration.ofSeconds(10));
      for (int round = 1; round < 5; round++) {
        // truncated and written back at once to the size it had: only the first bytes changed
        try (FileChannel ch = FileChannel.open(f, StandardOpenOption.WRITE)) {
          ch.truncate(0);
          ch.write(java.nio.ByteBuffer.wrap(("round " + round + " line a\nround " + round + " line b\n")
              .getBytes(StandardCharsets.UTF_8)), 0);
        }
        p.awaitLines(2 * round + 2, Duration.ofSeconds(10));
      }
      p.stop();
      List<String> expected = new ArrayList<>();
      for (int round = 0; round < 5; round++) {
        expected.add("round " + round + " line a");
        expected.add("round " + round + " line b");
      }
      assertThat(p.lines()).containsExactlyElementsOf(expected);
    }
  }

  @Test
  void tenThousandFilesAreAllDelivered(@TempDir Path root) throws Exception {
    try (Pipeline p = new Pipeline(root)) {
      int files = 10_000;
      for (int i = 0; i < files; i++) {
        Path dir = p.logs.resolve("d" + (i % 10));
        if (i < 10) {
          Files.createDirectories(dir);
        }
        Files.writeString(dir.resolve("f" + i + ".log"), "f=" + i + " n=0\nf=" + i + " n=1\n");
      }
      p.start("      path: " + p.logs + "/**.log\n      read_from_head: true\n      tag: many\n"
          + "      max_open_files: 200\n");
      p.awaitLines(2 * files, Duration.ofSeconds(60));
      p.stop();
      List<String> lines = p.lines();
      assertThat(lines).hasSize(2 * files);
      List<String> expected = new ArrayList<>();
      for (int i = 0; i < files; i++) {
        expected.add("f=" + i + " n=0");
        expected.add("f=" + i + " n=1");
      }
      assertThat(lines).containsExactlyInAnyOrderElementsOf(expected);
    }
  }
}
