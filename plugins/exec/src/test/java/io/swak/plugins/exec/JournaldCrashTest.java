package io.swak.plugins.exec;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.condition.EnabledOnOs;
import org.junit.jupiter.api.condition.OS;
import org.junit.jupiter.api.io.TempDir;

/**
 * An agent in its own JVM follows a real journal file that keeps growing (systemd-journal-remote appends) into
 * out.File, and is killed with SIGKILL twice mid-stream: no shutdown, no last save of the cursor. After a final
 * restart every entry has arrived, and the only repeats are entries after the cursor that was saved when the
 * process died — the unacknowledged window of that kill.
 */
@EnabledOnOs(OS.LINUX)
class JournaldCrashTest {

  private static final Pattern EVENT = Pattern.compile("\"message\":\"event (\\d+)\"");
  private static final Pattern DUMPED = Pattern.compile(
      "(?=.*\"__CURSOR\":\"([^\"]+)\")(?=.*\"MESSAGE\":\"event (\\d+)\")");
  private static final int CHUNK = 100;
  private static final int CHUNKS = 50;

  @Test
  void killMinusNineLosesNothingAndRepeatsOnlyTheUnacknowledgedWindow(@TempDir Path root) throws Exception {
    Journal.journalctl();
    Journal.remote();
    Journal journal = new Journal(Files.createDirectories(root.resolve("journal")).resolve("app.journal"));
    Path out = root.resolve("out.log");
    Path pos = root.resolve("pos");
    Path config = root.resolve("swak.yml");
    Files.writeString(config, """
        - task:
          - in.Journald: {file: "%s", read_from_head: true, pos_dir: "%s"}
          - out.File: {path: "%s", format: json}
        """.formatted(journal.file, pos, out));
    journal.appendEvents(1, CHUNK);
    Thread writer = new Thread(() -> {
      try {
        for (int c = 1; c < CHUNKS; c++) {
          journal.appendEvents(1 + (long) c * CHUNK, CHUNK);
        }
      } catch (Exception e) {
        throw new IllegalStateException(e);
      }
    }, "journal writer");
    writer.start();
    long total = (long) CHUNK * CHUNKS;
    List<Long> savedAtKill = new ArrayList<>();
    long window = 0;
    for (int kill = 0; kill < 2; kill++) {
      Process agent = agent(config, root);
      long before = seen(out).size();
      long savedBefore = savedAtKill.isEmpty() ? 0 : savedAtKill.get(savedAtKill.size() - 1);
      // killed once this run has saved a cursor of its own and written more out (or all there will be)
      await().atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(20))
          .until(() -> savedEvent(journal, pos) > savedBefore
              && (seen(out).size() > before + 300 || seen(out).size() >= total));
      agent.destroyForcibly(); // SIGKILL
      assertThat(agent.waitFor(20, TimeUnit.SECONDS)).isTrue();
      long saved = savedEvent(journal, pos);
      savedAtKill.add(saved);
      window += maxEvent(out) - saved; // written out but not behind the saved cursor: read again
      System.out.printf("kill %d: %d written out, cursor saved at event %d%n", kill + 1, maxEvent(out), saved);
    }
    writer.join(TimeUnit.SECONDS.toMillis(60));
    Process agent = agent(config, root);
    try {
      await().atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(50))
          .until(() -> seen(out).keySet().size() >= total);
    } finally {
      agent.destroy();
      agent.waitFor(20, TimeUnit.SECONDS);
    }
    Map<Long, Integer> seen = seen(out);
    long repeats = 0;
    for (long i = 1; i <= total; i++) {
      int n = seen.getOrDefault(i, 0);
      assertThat(n).as("event %s arrives", i).isPositive();
      repeats += n - 1;
      if (n > 1) {
        long at = i;
        assertThat(savedAtKill).as("event %s repeated: it was after a saved cursor", i).anyMatch(s -> at > s);
      }
    }
    assertThat(savedAtKill.get(0)).as("a cursor was saved before the first kill").isPositive();
    System.out.printf("journald crash test: %d entries, 2 kills, %d repeats, unacknowledged window %d%n", total,
        repeats, window);
    assertThat(repeats).isLessThanOrEqualTo(window);
  }

  /** The agent from the test class path in a JVM of its own. */
  private static Process agent(Path config, Path root) throws Exception {
    List<String> cmd = List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(), "-cp",
        System.getProperty("java.class.path"), "io.swak.core.cli.Main", "run", "--data-dir",
        root.resolve("data").toString(), config.toString());
    return new ProcessBuilder(cmd).redirectOutput(root.resolve("agent.out").toFile())
        .redirectError(ProcessBuilder.Redirect.appendTo(root.resolve("agent.err").toFile())).start();
  }

  /** How often each event number is in the output (a line torn by the kill is not counted). */
  private static Map<Long, Integer> seen(Path out) throws Exception {
    Map<Long, Integer> m = new HashMap<>();
    if (!Files.exists(out)) {
      return m;
    }
    for (String line : Files.readAllLines(out, StandardCharsets.UTF_8)) {
      Matcher x = EVENT.matcher(line);
      if (line.endsWith("}") && x.find()) {
        m.merge(Long.parseLong(x.group(1)), 1, Integer::sum);
      }
    }
    return m;
  }

  private static long maxEvent(Path out) throws Exception {
    return seen(out).keySet().stream().mapToLong(Long::longValue).max().orElse(0);
  }

  /** The event number of the entry whose cursor the position store holds now (0: none). */
  private static long savedEvent(Journal journal, Path pos) throws Exception {
    String cursor = null;
    Path log = pos.resolve("positions.log");
    if (Files.exists(log)) {
      for (String line : Files.readAllLines(log, StandardCharsets.UTF_8)) {
        int at = line.indexOf(" +cursor\t");
        if (at == 8) {
          cursor = line.substring(at + " +cursor\t".length());
        }
      }
    }
    if (cursor == null) {
      return 0;
    }
    for (String line : journal.dump()) {
      Matcher m = DUMPED.matcher(line);
      if (m.find() && m.group(1).equals(cursor)) {
        return Long.parseLong(m.group(2));
      }
    }
    throw new AssertionError("the saved cursor " + cursor + " is no entry of the journal");
  }
}
