package io.swak.dist;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The packaged agent (bin/swak) follows a file a writer process keeps appending to, and is killed with
 * SIGKILL ten times mid-stream. Afterwards every line has been delivered, and the only repeats are the
 * lines that had been written out but were not yet in the checkpoint when the process died (the
 * un-acknowledged window), measured at each kill.
 */
class FileTailCrashTest {

  private static final Pattern LINE = Pattern.compile("n=(\\d+) payload that makes the line about a hundred bytes "
      + "long abcdefghijklmnopqrstuvwxyz");

  @Test
  void killMinusNineTenTimesLosesNothing(@TempDir Path root) throws Exception {
    Path log = root.resolve("app.log");
    Path out = root.resolve("out.log");
    Path pos = root.resolve("pos");
    Path config = root.resolve("swak.yml");
    Files.writeString(config, "- task:\n"
        + "  - in.FileTail:\n"
        + "      path: " + log + "\n"
        + "      pos_dir: " + pos + "\n"
        + "      read_from_head: true\n"
        + "  - out.File:\n"
        + "      path: " + out + "\n"
        + "      format: raw\n");
    Files.writeString(log, "");
    Process writer = Processes.java(CrashWriter.class.getName(), log.toString(), "200");
    long window = 0;
    int kills = 0;
    try {
      for (int k = 0; k < 10; k++) {
        Process agent = Processes.agent(config, root, java.util.Map.of());
        long before = distinct(out);
        await().atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(20))
            .until(() -> distinct(out) > before + 3000);
        agent.destroyForcibly(); // SIGKILL: no shutdown hook, no final checkpoint
        assertThat(agent.waitFor(20, TimeUnit.SECONDS)).isTrue();
        kills++;
        // what was written out but is not in the checkpoint will be read again: the window of this kill
        window += distinct(out) - committedLines(log, pos);
      }
    } finally {
      writer.getOutputStream().close();
    }
    long total = Processes.done(writer);
    Process agent = Processes.agent(config, root, java.util.Map.of());
    try {
      await().atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(50)).until(() -> distinct(out) >= total);
    } finally {
      agent.destroy();
      agent.waitFor(20, TimeUnit.SECONDS);
    }
    int[] seen = new int[(int) total];
    long torn = 0;
    for (String line : Files.readAllLines(out, StandardCharsets.UTF_8)) {
      Matcher m = LINE.matcher(line);
      if (m.matches()) {
        seen[Integer.parseInt(m.group(1))]++;
      } else {
        torn++; // a write cut by SIGKILL; the line is delivered again after the restart
      }
    }
    long missing = 0;
    long repeats = 0;
    for (int c : seen) {
      if (c == 0) {
        missing++;
      } else {
        repeats += c - 1;
      }
    }
    System.out.printf("crash test: %d lines, %d kills, %d repeats, un-acknowledged window %d, %d torn%n", total,
        kills, repeats, window, torn);
    assertThat(missing).as("lines lost of %s", total).isZero();
    assertThat(torn).as("lines torn by a kill").isLessThanOrEqualTo(kills);
    assertThat(repeats).as("repeats, against an un-acknowledged window of %s lines over %s kills", window, kills)
        .isLessThanOrEqualTo(window);
  }

  /** Distinct lines delivered so far: the output is in file order, so the highest number + 1. */
  private static long distinct(Path out) throws IOException {
    if (!Files.exists(out)) {
      return 0;
    }
    long max = -1;
    try (Stream<String> lines = Files.lines(out, StandardCharsets.UTF_8)) {
      for (String l : (Iterable<String>) lines::iterator) {
        Matcher m = LINE.matcher(l);
        if (m.matches()) {
          max = Math.max(max, Long.parseLong(m.group(1)));
        }
      }
    }
    return max + 1;
  }

  /** Lines before the offset in the checkpoint (0 when none was saved yet). */
  private static long committedLines(Path log, Path pos) throws IOException {
    List<Path> files;
    try (Stream<Path> s = Files.list(pos)) {
      files = s.filter(p -> p.toString().endsWith(".pos")).toList();
    }
    if (files.isEmpty()) {
      return 0;
    }
    long offset = -1;
    for (String l : Files.readAllLines(files.get(0))) {
      if (l.startsWith("offset=")) {
        offset = Long.parseLong(l.substring(7));
      }
    }
    byte[] prefix = new byte[(int) offset];
    try (var in = Files.newInputStream(log)) {
      int n = in.readNBytes(prefix, 0, prefix.length);
      assertThat(n).isEqualTo(prefix.length);
    }
    long lines = 0;
    for (byte b : prefix) {
      if (b == '\n') {
        lines++;
      }
    }
    assertThat(offset == 0 || prefix[prefix.length - 1] == '\n').as("checkpoint at a line boundary").isTrue();
    return lines;
  }



}
