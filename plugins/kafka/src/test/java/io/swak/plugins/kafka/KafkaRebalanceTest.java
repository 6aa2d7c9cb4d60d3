package io.swak.plugins.kafka;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.swak.core.testing.AgentTestBase;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * in.Kafka → out.File with two agents in one consumer group: one in this JVM, the other a separate JVM (the real
 * command line, {@code io.swak.core.cli.Main run}) killed with SIGKILL in the middle of the run. Its partitions
 * move to the survivor, which resumes from the offsets the killed one had committed: every message arrives, the
 * only duplicates are messages the killed agent had written but not yet committed, and the survivor writes each
 * key's messages once, in order.
 */
class KafkaRebalanceTest extends AgentTestBase {

  private static final ObjectMapper JSON = new ObjectMapper();
  private static final int KEYS = 60;
  private Process other;

  @AfterEach
  void killOther() throws IOException {
    if (other != null && other.isAlive()) {
      other.destroyForcibly();
    }
    Path log = dir.resolve("other.log");
    if (Files.exists(log)) {
      System.out.println("---- the other member's log ----\n" + Files.readString(log));
    }
  }

  private static String step(String topic, String group, Path out) {
    return """
        - task:
          - in.Kafka: {brokers: ["%s"], topics: [%s], group: %s, commit_interval: 200ms, max_poll_records: 100,
                       properties: {session.timeout.ms: "6000", heartbeat.interval.ms: "500"}}
          - out.File: {path: "%s", format: record}
        """.formatted(SharedKafka.bootstrap(), topic, group, out);
  }

  private static void produce(String topic, int from, int to) throws Exception {
    List<String> keys = new ArrayList<>();
    List<String> values = new ArrayList<>();
    for (int i = from; i < to; i++) {
      keys.add("k" + (i % KEYS));
      values.add("{\"seq\":" + i + ",\"k\":\"k" + (i % KEYS) + "\"}");
    }
    SharedKafka.produce(topic, keys, values);
  }

  private static List<JsonNode> lines(Path file) throws IOException {
    List<JsonNode> out = new ArrayList<>();
    if (!Files.exists(file)) {
      return out;
    }
    for (String l : Files.readAllLines(file)) {
      if (!l.isBlank() && l.endsWith("}")) { // a SIGKILL may cut the last line
        out.add(JSON.readTree(l));
      }
    }
    return out;
  }

  @Test
  void aMemberKilledWithSigkillLosesNothingAndRepeatsOnlyWhatItHadNotCommitted() throws Exception {
    String topic = SharedKafka.topic("rebalance", 6);
    String group = "g-" + topic;
    int total = 40_000;
    Path mine = dir.resolve("mine.jsonl");
    Path theirs = dir.resolve("theirs.jsonl");
    produce(topic, 0, total / 2);

    start(step(topic, group, mine));
    await().atMost(Duration.ofSeconds(30)).until(() -> lines(mine).size() > 1000);

    // the other member joins: a cooperative rebalance moves some partitions to it (this agent commits and drops)
    Path config = dir.resolve("other.yml");
    Files.writeString(config, step(topic, group, theirs));
    Files.createDirectories(dir.resolve("other-data"));
    other = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "java").toString(), "-Xmx256m",
        "-cp", System.getProperty("java.class.path"), "io.swak.core.cli.Main", "run", "--data-dir",
        dir.resolve("other-data").toString(), config.toString())
        .redirectErrorStream(true).redirectOutput(dir.resolve("other.log").toFile()).start();
    // this agent may have read all of the first half already: what comes next is shared
    Path otherLog = dir.resolve("other.log");
    await().atMost(Duration.ofSeconds(60)).until(() -> Files.readString(otherLog).contains("partitions assigned"));
    produce(topic, total / 2, 3 * total / 4);
    await().atMost(Duration.ofSeconds(90)).until(() -> lines(theirs).size() > 2000);

    other.destroyForcibly(); // SIGKILL: no commit, no leaving the group; the broker notices at the session timeout
    other.waitFor();
    produce(topic, 3 * total / 4, total);

    await().atMost(Duration.ofSeconds(60)).until(() -> {
      Set<Long> seen = new HashSet<>();
      lines(mine).forEach(n -> seen.add(n.get("seq").asLong()));
      lines(theirs).forEach(n -> seen.add(n.get("seq").asLong()));
      return seen.size() == total;
    });

    List<JsonNode> a = lines(mine);
    List<JsonNode> b = lines(theirs);
    Set<Long> all = new TreeSet<>();
    a.forEach(n -> all.add(n.get("seq").asLong()));
    b.forEach(n -> all.add(n.get("seq").asLong()));
    assertThat(all).as("every message, at least once").hasSize(total);

    // the survivor never writes a message twice, and writes each key's messages in order
    Map<String, Long> lastOfKey = new HashMap<>();
    Set<Long> mineSeen = new HashSet<>();
    for (JsonNode n : a) {
      long seq = n.get("seq").asLong();
      assertThat(mineSeen.add(seq)).as("written twice by the survivor: %d", seq).isTrue();
      String k = n.get("k").asText();
      assertThat(seq).as("order of key %s", k).isGreaterThan(lastOfKey.getOrDefault(k, -1L));
      lastOfKey.put(k, seq);
    }
    // a duplicate is a message the killed member had written (it was in flight there, uncommitted)
    Set<Long> theirsSeen = new HashSet<>();
    b.forEach(n -> theirsSeen.add(n.get("seq").asLong()));
    Set<Long> twice = new TreeSet<>(theirsSeen);
    twice.retainAll(mineSeen);
    assertThat(theirsSeen.size() + mineSeen.size() - twice.size()).isEqualTo(total);
    // bounded by what it had read in its last commit interval and not committed: a few polls per partition
    assertThat(twice.size()).as("duplicates").isLessThan(theirsSeen.size());
    System.out.printf("rebalance: %d by the survivor, %d by the killed member, %d duplicates%n", mineSeen.size(),
        theirsSeen.size(), twice.size());
  }
}
