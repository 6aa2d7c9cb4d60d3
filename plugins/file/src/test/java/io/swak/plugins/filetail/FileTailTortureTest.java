package io.swak.plugins.filetail;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.io.OutputStreamWriter;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A writer process appends numbered lines as fast as it can while its file is rotated; every line must
 * come out exactly once, and in order within each generation of the file.
 */
class FileTailTortureTest {

  private static final Pattern LINE = Pattern.compile("g=(\\d+) n=(\\d+) ");

  @Test
  void renameRotationTwentyTimesLosesAndRepeatsNothing(@TempDir Path root) throws Exception {
    try (Pipeline p = new Pipeline(root)) {
      Path app = p.logs.resolve("app.log");
      p.start("      path: " + p.logs + "/*.log\n      rotate_wait: 1s\n");
      Process w = Pipeline.writer("rename", app.toString(), "20", "2000");
      long total = awaitDone(w);
      try {
        p.awaitLines((int) total, Duration.ofSeconds(30));
      } finally {
        p.stop();
      }
      assertExactlyOnceInOrder(p.lines(), total);
    }
  }

  @Test
  void copytruncateTwentyTimesLosesAndRepeatsNothing(@TempDir Path root) throws Exception {
    try (Pipeline p = new Pipeline(root)) {
      Path app = p.logs.resolve("app.log");
      p.start("      path: " + p.logs + "/*.log\n");
      Process w = Pipeline.writer("copytruncate", app.toString(), "20", "1500");
      long total = -1;
      try (BufferedReader r = new BufferedReader(new InputStreamReader(w.getInputStream(), StandardCharsets.UTF_8));
           Writer go = new OutputStreamWriter(w.getOutputStream(), StandardCharsets.UTF_8)) {
        String line;
        while ((line = r.readLine()) != null) {
          if (line.startsWith("sync ")) {
            // copytruncate itself loses what the reader had not read when the copy is taken (true of every
            // tailer); the test lets the agent catch up, then checks nothing is lost or repeated afterwards
            p.awaitLines(Integer.parseInt(line.substring(5)), Duration.ofSeconds(30));
            go.write("go\n");
            go.flush();
          } else if (line.startsWith("done ")) {
            total = Long.parseLong(line.substring(5));
          }
        }
      }
      assertThat(w.waitFor(30, TimeUnit.SECONDS)).isTrue();
      assertThat(total).isEqualTo(21 * 1500);
      p.awaitLines((int) total, Duration.ofSeconds(30));
      p.stop();
      assertExactlyOnceInOrder(p.lines(), total);
    }
  }

  @Test
  void newFilesInTheGlobAreAllRead(@TempDir Path root) throws Exception {
    try (Pipeline p = new Pipeline(root)) {
      p.start("      path: " + p.logs + "/new-*.log\n      refresh_interval: 60s\n      tag: new\n");
      Process w = Pipeline.writer("files", p.logs.toString(), "50", "400");
      long total = awaitDone(w);
      p.awaitLines((int) total, Duration.ofSeconds(30));
      p.stop();
      assertExactlyOnceInOrder(p.lines(), total);
    }
  }

  static long awaitDone(Process w) throws Exception {
    try (BufferedReader r = new BufferedReader(new InputStreamReader(w.getInputStream(), StandardCharsets.UTF_8))) {
      String line;
      long total = -1;
      while ((line = r.readLine()) != null) {
        if (line.startsWith("done ")) {
          total = Long.parseLong(line.substring(5));
        }
      }
      assertThat(w.waitFor(60, TimeUnit.SECONDS)).isTrue();
      assertThat(w.exitValue()).isZero();
      assertThat(total).isPositive();
      return total;
    }
  }

  /** Every n in 0..total-1 exactly once; within a generation (one file) the numbers only grow. */
  static void assertExactlyOnceInOrder(List<String> lines, long total) {
    int[] seen = new int[(int) total];
    Map<Integer, Long> lastPerGen = new HashMap<>();
    int bad = 0;
    for (String l : lines) {
      Matcher m = LINE.matcher(l);
      assertThat(m.lookingAt()).as("well-formed line: %s", l).isTrue();
      int g = Integer.parseInt(m.group(1));
      long n = Long.parseLong(m.group(2));
      assertThat(n).as("line number in range: %s", l).isLessThan(total);
      seen[(int) n]++;
      Long prev = lastPerGen.put(g, n);
      if (prev != null && prev >= n) {
        bad++;
      }
    }
    int missing = 0;
    int dup = 0;
    StringBuilder where = new StringBuilder();
    for (int i = 0; i < seen.length; i++) {
      if (seen[i] == 0) {
        if (missing++ < 20) {
          where.append(i).append(' ');
        }
      } else if (seen[i] > 1) {
        dup++;
      }
    }
    assertThat(missing).as("lines missing, first: %s", where).isZero();
    assertThat(dup).as("lines repeated").isZero();
    assertThat(bad).as("lines out of order within a file").isZero();
    assertThat(lines).hasSize((int) total);
  }
}
