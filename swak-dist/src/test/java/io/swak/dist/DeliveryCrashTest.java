package io.swak.dist;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The delivery path end to end with real processes: the packaged agent tails a file, buffers on disk
 * and forwards with acks to a real Forward receiver. The agent is killed with SIGKILL while chunks are
 * being flushed, ten times; the receiver is taken down while a large input arrives. Nothing is lost,
 * and the agent's memory stays within a small heap.
 */
class DeliveryCrashTest {

  private static final Pattern LINE = Pattern.compile("n=(\\d+) payload.*");

  @TempDir
  Path root;

  @Test
  void killMinusNineDuringFlushesTenTimesLosesNothing() throws Exception {
    Path log = root.resolve("app.log");
    Files.writeString(log, "");
    try (Receiver receiver = new Receiver(root).start()) {
      Path config = config(log, receiver.port, "type: file, flush_interval: 100ms, fsync: interval, fsync_interval: 50ms");
      Process writer = Processes.java(CrashWriter.class.getName(), log.toString(), "200");
      try {
        for (int k = 0; k < 10; k++) {
          Process agent = Processes.agent(config, root, Map.of("SWAK_JAVA_OPTS", ""));
          long before = highest(receiver.out);
          await().atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(20))
              .until(() -> highest(receiver.out) > before + 2000);
          agent.destroyForcibly(); // SIGKILL in the middle of flushing: no shutdown hook runs
          assertThat(agent.waitFor(20, TimeUnit.SECONDS)).isTrue();
        }
      } finally {
        writer.getOutputStream().close();
      }
      long total = Processes.done(writer);
      Process agent = Processes.agent(config, root, Map.of("SWAK_JAVA_OPTS", ""));
      try {
        await().atMost(Duration.ofSeconds(90)).pollInterval(Duration.ofMillis(50))
            .until(() -> highest(receiver.out) >= total - 1);
      } finally {
        agent.destroy();
        agent.waitFor(20, TimeUnit.SECONDS);
      }
      int[] seen = count(receiver.out, total);
      long missing = 0;
      long repeats = 0;
      for (int c : seen) {
        missing += c == 0 ? 1 : 0;
        repeats += Math.max(0, c - 1);
      }
      System.out.printf("delivery crash test: %d lines, 10 kills, %d repeats%n", total, repeats);
      assertThat(missing).as("lines lost of %s", total).isZero();
    }
  }

  /**
   * Lines of the outage test: 600,000 (~66 MB, more than the agent's whole heap) in the normal build;
   * the soak profile ({@code mvn -Psoak verify}) sets 10,000,000 (~1.1 GB).
   */
  static final long OUTAGE_LINES = Long.getLong("swak.outage.lines", 600_000);

  /**
   * Either way the heap holds little and the backlog goes to disk: a memory buffer keeps 4 MiB in the
   * heap and spills the rest into its path (up to spill_limit, 1 GiB, then the input pauses); a file
   * buffer writes every chunk there. It is delivered from there when the receiver is back.
   */
  @ParameterizedTest
  @ValueSource(strings = {"type: memory, total_limit: 4MiB", "type: file, chunk_bytes: 4MiB, total_limit: 4GiB"})
  void aLongOutageNeitherLosesDataNorGrowsMemory(String buffer) throws Exception {
    Path log = root.resolve("big.log");
    long lines = OUTAGE_LINES;
    try (OutputStream o = Files.newOutputStream(log)) {
      StringBuilder sb = new StringBuilder();
      for (long i = 0; i < lines; i++) {
        sb.append("n=").append(i).append(" payload that makes the line about a hundred bytes long abcdefghijklmnop\n");
        if (sb.length() > 1 << 20) {
          o.write(sb.toString().getBytes(StandardCharsets.UTF_8));
          sb.setLength(0);
        }
      }
      o.write(sb.toString().getBytes(StandardCharsets.UTF_8));
    }
    Receiver receiver = new Receiver(root); // not started: the server is down
    long size = Files.size(log);
    Path config = config(log, receiver.port, buffer);
    Process agent = Processes.agent(config, root, Map.of("SWAK_JAVA_OPTS", "-Xmx48m"));
    // a minute, or longer for a soak-sized input (~1 M lines/s here)
    Duration patience = Duration.ofSeconds(Math.max(60, 3 * lines / 200_000));
    try {
      // the agent keeps trying and stays alive in 48 MiB of heap; ten failed deliveries in a row: the
      // outage has lasted while the whole file could have been read
      await().atMost(patience).until(() -> Files.readString(root.resolve("agent.err"))
          .split("not delivered", -1).length > 10);
      assertThat(agent.isAlive()).as("agent alive during the outage (it would exit on OutOfMemoryError)").isTrue();
      assertThat(rssKiB(agent.pid())).as("resident memory during the outage").isLessThan(200 * 1024);
      await().atMost(patience).until(() -> bytesUnder(root.resolve("buffer")) > size / 2);
      receiver.start();
      // the size first: reading a soak-sized file for the highest line number takes seconds
      await().atMost(patience.multipliedBy(2)).pollInterval(Duration.ofMillis(100))
          .until(() -> Files.exists(receiver.out) && Files.size(receiver.out) >= size && highest(receiver.out) >= lines - 1);
      assertThat(agent.isAlive()).isTrue();
      int[] seen = count(receiver.out, lines);
      assertThat(java.util.Arrays.stream(seen).filter(c -> c == 0).count()).as("lines lost").isZero();
    } finally {
      agent.destroy();
      agent.waitFor(20, TimeUnit.SECONDS);
      receiver.close();
    }
  }

  private Path config(Path log, int port, String buffer) throws IOException {
    Path config = root.resolve("swak-" + System.nanoTime() + ".yml");
    Files.writeString(config, """
        - task:
          - in.FileTail:
              path: %s
              pos_dir: %s
              read_from_head: true
          - buffer: {%s, path: "%s"}
          - out.Fluentd:
              host: 127.0.0.1
              port: %d
              require_ack_response: true
              ack_response_timeout: 2s
              heartbeat_type: none
              reconnect_wait: 50ms
              reconnect_wait_max: 500ms
              retry_wait: 100ms
              retry_max_wait: 500ms
        """.formatted(log, root.resolve("pos"), buffer, root.resolve("buffer"), port));
    return config;
  }


  private static long bytesUnder(Path dir) throws IOException {
    if (!Files.isDirectory(dir)) {
      return 0;
    }
    try (Stream<Path> s = Files.walk(dir)) {
      return s.filter(Files::isRegularFile).mapToLong(p -> p.toFile().length()).sum();
    }
  }

  private static long rssKiB(long pid) throws IOException {
    for (String l : Files.readAllLines(Path.of("/proc", Long.toString(pid), "status"))) {
      if (l.startsWith("VmRSS:")) {
        return Long.parseLong(l.replaceAll("\\D", ""));
      }
    }
    throw new IllegalStateException("no VmRSS in /proc/" + pid + "/status");
  }

  /** The highest line number received (lines arrive in order within the one file). */
  private static long highest(Path out) throws IOException {
    if (!Files.exists(out)) {
      return -1;
    }
    long max = -1;
    try (Stream<String> s = Files.lines(out, StandardCharsets.UTF_8)) {
      for (String l : (Iterable<String>) s::iterator) {
        Matcher m = LINE.matcher(l);
        if (m.matches()) {
          max = Math.max(max, Long.parseLong(m.group(1)));
        }
      }
    }
    return max;
  }

  private static int[] count(Path out, long total) throws IOException {
    int[] seen = new int[(int) total];
    try (Stream<String> s = Files.lines(out, StandardCharsets.UTF_8)) {
      for (String l : (Iterable<String>) s::iterator) {
        Matcher m = LINE.matcher(l);
        if (m.matches() && Long.parseLong(m.group(1)) < total) {
          seen[Integer.parseInt(m.group(1))]++;
        }
      }
    }
    return seen;
  }


}
