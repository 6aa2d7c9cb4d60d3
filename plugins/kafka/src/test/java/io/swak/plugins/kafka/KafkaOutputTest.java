package io.swak.plugins.kafka;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.swak.api.Ack;
import io.swak.api.Batch;
import io.swak.api.BatchBuilder;
import io.swak.api.DataSize;
import io.swak.api.MsgpackReader;
import io.swak.api.Output;
import io.swak.core.testing.AgentTestBase;
import io.swak.core.testing.TestContext;
import io.swak.core.testing.TestSource;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** out.Kafka against the real broker: what a message is made of, refusals, a broker restart, a broken producer, logins. */
class KafkaOutputTest extends AgentTestBase {

  private static final ObjectMapper JSON = new ObjectMapper();
  @RegisterExtension
  final CapturedLog log = new CapturedLog();

  @BeforeEach
  void broker() {
    SharedKafka.broker();
  }

  // ---- the output run directly: one batch, its receipt ----------------------------------------------------

  /** The receipt of one send, as the runtime would see it. */
  static final class Outcome implements Output.Receipt {
    final CompletableFuture<String> result = new CompletableFuture<>();

    @Override
    public void delivered() {
      result.complete("delivered");
    }

    @Override
    public void failed(String reason) {
      result.complete("failed: " + reason);
    }

    @Override
    public void rejected(String reason) {
      result.complete("rejected: " + reason);
    }

    String await() throws Exception {
      return result.get(60, TimeUnit.SECONDS);
    }
  }

  static KafkaOutputPlugin.Options options(String topic, String key, RecordEncoder.Format format, String timeKey,
      Map<String, String> headers, DataSize batchBytes) {
    return new KafkaOutputPlugin.Options(List.of(SharedKafka.bootstrap()), topic, key, format, "message", timeKey,
        headers, KafkaOutputPlugin.Compression.NONE, KafkaOutputPlugin.Acks.ALL, Duration.ofMillis(1),
        batchBytes, DataSize.ofMiB(1), Duration.ofSeconds(5), 16, ClientSettings.SaslMechanism.NONE, null, null,
        false, null, null, null, true, null, Map.of());
  }

  static String sendOne(KafkaOutputPlugin.Options o, Batch b) throws Exception {
    KafkaOutput out = new KafkaOutput(o);
    out.start(new TestContext());
    try {
      Outcome r = new Outcome();
      out.send(b, r);
      return r.await();
    } finally {
      out.close();
    }
  }

  static Map<String, Object> rec(Object... kv) {
    Map<String, Object> m = new LinkedHashMap<>();
    for (int i = 0; i < kv.length; i += 2) {
      m.put((String) kv[i], kv[i + 1]);
    }
    return m;
  }

  @Test
  void jsonMessagesCarryKeyHeadersTimestampAndTheTimeKey() throws Exception {
    String topic = SharedKafka.topic("json", 3);
    long t = 1_767_225_600_123_456_789L; // 2026-01-01T00:00:00.123456789Z
    Batch b = new BatchBuilder()
        .add(t, rec("message", "GET /a \"quoted\"\nnext", "user", "u1", "n", 7, "nested", rec("x", List.of(1, 2))))
        .add(t + 1_000_000, rec("user", "u2", "ok", true))
        .add(t + 2_000_000, rec("message", "no user"))
        .build("app.web", Ack.NONE);
    String result = sendOne(options(topic, "user", RecordEncoder.Format.JSON, "@timestamp",
        Map.of("tag", "${tag}", "who", "user ${record.user}"), DataSize.ofKiB(512)), b);
    assertThat(result).isEqualTo("delivered");

    List<ConsumerRecord<byte[], byte[]>> got = new ArrayList<>(SharedKafka.readAll(topic));
    got.sort(java.util.Comparator.comparingLong(ConsumerRecord::timestamp));
    assertThat(got).hasSize(3);
    JsonNode first = JSON.readTree(got.get(0).value());
    assertThat(first.get("@timestamp").asText()).isEqualTo("2026-01-01T00:00:00.123456789Z");
    assertThat(first.get("message").asText()).isEqualTo("GET /a \"quoted\"\nnext");
    assertThat(first.get("nested").get("x").get(1).asInt()).isEqualTo(2);
    assertThat(new String(got.get(0).key(), StandardCharsets.UTF_8)).isEqualTo("u1");
    assertThat(got.get(0).timestamp()).isEqualTo(t / 1_000_000);
    assertThat(new String(got.get(0).headers().lastHeader("tag").value(), StandardCharsets.UTF_8)).isEqualTo("app.web");
    assertThat(new String(got.get(0).headers().lastHeader("who").value(), StandardCharsets.UTF_8)).isEqualTo("user u1");
    assertThat(JSON.readTree(got.get(1).value()).get("ok").asBoolean()).isTrue();
    assertThat(new String(got.get(1).key(), StandardCharsets.UTF_8)).isEqualTo("u2");
    // no user field: no key, and the header's field expands to nothing
    assertThat(got.get(2).key()).isNull();
    assertThat(new String(got.get(2).headers().lastHeader("who").value(), StandardCharsets.UTF_8)).isEqualTo("user ");
  }

  @Test
  void sameKeySamePartitionInOrder() throws Exception {
    String topic = SharedKafka.topic("keys", 4);
    BatchBuilder bb = new BatchBuilder();
    for (int i = 0; i < 400; i++) {
      bb.add(i, rec("k", "key" + (i % 5), "i", i));
    }
    assertThat(sendOne(options(topic, "k", RecordEncoder.Format.JSON, null, Map.of(), DataSize.ofKiB(512)),
        bb.build("t", Ack.NONE))).isEqualTo("delivered");
    Map<String, Integer> partitionOfKey = new HashMap<>();
    Map<String, Integer> lastOfKey = new HashMap<>();
    for (ConsumerRecord<byte[], byte[]> r : SharedKafka.readAll(topic)) {
      String k = new String(r.key(), StandardCharsets.UTF_8);
      int i = JSON.readTree(r.value()).get("i").asInt();
      assertThat(partitionOfKey.computeIfAbsent(k, x -> r.partition())).as("partition of %s", k).isEqualTo(r.partition());
      assertThat(i).as("order within key %s", k).isGreaterThan(lastOfKey.getOrDefault(k, -1));
      lastOfKey.put(k, i);
    }
    assertThat(lastOfKey).hasSize(5);
  }

  @Test
  void msgpackIsTheRecordAndRawIsTheMessageText() throws Exception {
    String mp = SharedKafka.topic("msgpack", 1);
    Batch b = new BatchBuilder().add(5_000_000_000L, rec("message", "hello", "n", 42L)).build("t", Ack.NONE);
    assertThat(sendOne(options(mp, null, RecordEncoder.Format.MSGPACK, "time", Map.of(), DataSize.ofKiB(512)), b))
        .isEqualTo("delivered");
    Map<String, Object> decoded = new MsgpackReader(SharedKafka.readAll(mp).get(0).value()).readMap();
    assertThat(decoded).containsEntry("message", "hello").containsEntry("n", 42L)
        .containsEntry("time", "1970-01-01T00:00:05.000000000Z");

    String raw = SharedKafka.topic("raw", 1);
    Batch lines = new BatchBuilder().add(1, rec("message", "line one\nwith a newline")).add(2, rec("other", 1))
        .build("t", Ack.NONE);
    assertThat(sendOne(options(raw, null, RecordEncoder.Format.RAW, null, Map.of(), DataSize.ofKiB(512)), lines))
        .isEqualTo("delivered");
    assertThat(SharedKafka.values(raw)).containsExactly("line one\nwith a newline", "{\"other\":1}");
  }

  @Test
  void withoutAKeyTheStickyPartitionerFillsOnePartitionAtATime() throws Exception {
    // KIP-794: without a key the producer stays on one partition until batch_bytes went to it
    String topic = SharedKafka.topic("sticky", 3);
    BatchBuilder bb = new BatchBuilder();
    for (int i = 0; i < 200; i++) {
      bb.add(i, rec("i", i));
    }
    assertThat(sendOne(options(topic, null, RecordEncoder.Format.JSON, null, Map.of(), DataSize.ofKiB(512)),
        bb.build("t", Ack.NONE))).isEqualTo("delivered");
    List<ConsumerRecord<byte[], byte[]>> got = SharedKafka.readAll(topic);
    assertThat(got).hasSize(200).allSatisfy(r -> assertThat(r.key()).isNull());
    assertThat(got.stream().map(ConsumerRecord::partition).distinct()).as("partitions written").hasSize(1);
  }

  @Test
  void aKeyTemplateOfFieldsAndTagIsEachMessagesKey() throws Exception {
    String topic = SharedKafka.topic("keytemplate", 2);
    Batch b = new BatchBuilder().add(1, rec("host", "web1", "i", 1)).add(2, rec("i", 2))
        .add(3, rec("host", "web2", "i", 3)).build("app", Ack.NONE);
    assertThat(sendOne(options(topic, "${record.host}-${tag}", RecordEncoder.Format.JSON, null, Map.of(),
        DataSize.ofKiB(512)), b)).isEqualTo("delivered");
    Map<Integer, String> keyOf = new HashMap<>();
    for (ConsumerRecord<byte[], byte[]> r : SharedKafka.readAll(topic)) {
      keyOf.put(JSON.readTree(r.value()).get("i").asInt(), new String(r.key(), StandardCharsets.UTF_8));
    }
    // a field that is missing expands to nothing
    assertThat(keyOf).containsEntry(1, "web1-app").containsEntry(2, "-app").containsEntry(3, "web2-app");
  }

  @Test
  void aTopicFromARecordFieldSplitsTheBatch() throws Exception {
    String base = SharedKafka.topic("split", 1);
    SharedKafka.broker().createTopic(base + "-error", 1);
    SharedKafka.broker().createTopic(base + "-info", 1);
    Batch b = new BatchBuilder().add(1, rec("level", "error", "i", 1)).add(2, rec("level", "info", "i", 2))
        .add(3, rec("level", "error", "i", 3)).build("t", Ack.NONE);
    assertThat(sendOne(options(base + "-${record.level}", null, RecordEncoder.Format.JSON, null, Map.of(),
        DataSize.ofKiB(512)), b)).isEqualTo("delivered");
    assertThat(SharedKafka.values(base + "-error")).hasSize(2);
    assertThat(SharedKafka.values(base + "-info")).containsExactly("{\"level\":\"info\",\"i\":2}");
  }

  @Test
  void aMessageAboveTheTopicsLimitIsRefusedAndTheOthersOfItsBatchDelivered() throws Exception {
    // the topic's limit (record batches of 3000 bytes) is below the client's (1 MiB) and below batch_bytes
    // (512 KiB): the producer's batches are made smaller than the topic's limit, the one message above it refused
    String topic = SharedKafka.topic("limit", 1, Map.of("max.message.bytes", "3000"));
    BatchBuilder bb = new BatchBuilder();
    List<String> expected = new ArrayList<>();
    for (int i = 0; i < 300; i++) {
      if (i == 150) {
        bb.add(i, rec("i", i, "big", "x".repeat(5000)));
      } else {
        bb.add(i, rec("i", i));
        expected.add("{\"i\":" + i + "}");
      }
    }
    String result = sendOne(options(topic, null, RecordEncoder.Format.JSON, null, Map.of(), DataSize.ofKiB(512)),
        bb.build("t", Ack.NONE));
    assertThat(result).startsWith("rejected: 1 of 300 messages refused by Kafka for good: the message (about 50")
        .contains("larger than topic " + topic + " takes (max.message.bytes 3000").contains("the other 299 were delivered");
    assertThat(SharedKafka.values(topic)).containsExactlyElementsOf(expected);
  }

  @Test
  void aBatchThatIsNotMsgpackIsAPermanentFailure() throws Exception {
    String topic = SharedKafka.topic("garbage", 1);
    byte[] garbage = {(byte) 0x92, (byte) 0xd7, 0, 1, 2};
    KafkaOutput out = new KafkaOutput(options(topic, null, RecordEncoder.Format.JSON, null, Map.of(),
        DataSize.ofKiB(512)));
    out.start(new TestContext());
    try {
      org.assertj.core.api.Assertions.assertThatThrownBy(() -> out.send(new Batch("t", garbage, garbage.length, 1,
          Ack.NONE), new Outcome())).isInstanceOf(io.swak.api.PermanentFailure.class)
          .hasMessageContaining("cannot be read");
    } finally {
      out.close();
    }
  }

  // ---- through the runtime ----------------------------------------------------------------------------------

  private TestSource.State source() {
    return TestSource.state(id);
  }

  private Map<String, Long> outputCounters() {
    return agent.tasks().get(0).counters().get(1).snapshot();
  }

  @Test
  void eventsAboveTheClientsLimitGoToTheDeadLetterFileWithTheReason() throws Exception {
    String topic = SharedKafka.topic("dead", 1);
    start("""
        - task:
          - in.TestSource: {name: %s, batch: 5, total: 20, pad: 3000}
          - out.Kafka: {brokers: ["%s"], topic: %s, message_max_bytes: 2KiB, dead_letter_path: "${DIR}/dead.jsonl"}
        """.formatted(id, SharedKafka.bootstrap(), topic));
    Path dead = dir.resolve("dead.jsonl");
    await().atMost(Duration.ofSeconds(30)).until(() -> source().window.committed() == 20);
    await().atMost(Duration.ofSeconds(30)).until(() -> Files.exists(dead) && Files.readAllLines(dead).size() == 20);
    assertThat(Files.readAllLines(dead)).allSatisfy(l -> assertThat(l)
        .contains("refused by Kafka for good: the message is larger than the brokers or the client accept"));
    assertThat(outputCounters()).containsEntry("dead_lettered", 20L).containsEntry("messages_refused", 20L);
    assertThat(SharedKafka.values(topic)).isEmpty();
  }

  /** What a test checks while the broker is away. */
  interface WhileAway {
    void check() throws Exception;
  }

  /**
   * Sends {@code total} events of {@code batch} through out.Kafka with {@code outOptions} to {@code topic}; once
   * {@code before} are acknowledged, stops the broker, runs {@code whileAway}, checks that nothing more was
   * acknowledged meanwhile, starts the broker again and waits until every event is. Returns what was acknowledged at
   * the stop.
   */
  private long brokerAwayInTheMiddle(String topic, int batch, int total, String outOptions, long before,
      WhileAway whileAway) throws Exception {
    KafkaBroker kafka = SharedKafka.broker();
    start("""
        - task:
          - in.TestSource: {name: %s, batch: %d, total: %d}
          - out.Kafka: {brokers: ["%s"], topic: %s, retry_wait: 100ms, retry_max_wait: 1s%s}
        """.formatted(id, batch, total, kafka.bootstrapServers(), topic, outOptions.isEmpty() ? "" : ", " + outOptions));
    await().atMost(Duration.ofSeconds(30)).until(() -> source().window.committed() >= before);
    kafka.stop();
    long committedAtStop = source().window.committed();
    assertThat(committedAtStop).as("events still on their way when the broker stopped").isLessThan(total);
    try {
      whileAway.check();
      assertThat(source().window.committed()).as("nothing acknowledged while no broker confirms anything")
          .isEqualTo(committedAtStop);
    } finally {
      kafka.start();
    }
    await().atMost(Duration.ofSeconds(90)).until(() -> source().window.committed() == total);
    return committedAtStop;
  }

  @Test
  void theBrokerStoppedAndStartedInTheMiddleOfARunLosesNothing() throws Exception {
    String topic = SharedKafka.topic("restart", 3);
    int total = 30_000;
    long[] emittedAtStop = new long[1];
    long committedAtStop = brokerAwayInTheMiddle(topic, 100, total, "", 3000, () -> {
      emittedAtStop[0] = source().emitted;
      await().pollDelay(Duration.ofSeconds(2)).atMost(Duration.ofSeconds(5)).until(() -> true);
    });
    List<Long> got = SharedKafka.seqs(topic);
    assertThat(new java.util.TreeSet<>(got)).as("every event, at least once").hasSize(total)
        .first().isEqualTo(1L);
    Map<Long, Integer> times = new HashMap<>();
    got.forEach(s -> times.merge(s, 1, Integer::sum));
    List<Long> twice = times.entrySet().stream().filter(e -> e.getValue() > 1).map(Map.Entry::getKey).sorted().toList();
    // a duplicate can only be an event that was in flight, unacknowledged, when the broker went away
    assertThat(twice).as("duplicates").allSatisfy(s -> assertThat(s).isGreaterThan(committedAtStop));
    System.out.printf("broker restart: %d events, acknowledged at stop %d, emitted at stop %d, duplicates %d%n",
        total, committedAtStop, emittedAtStop[0], twice.size());
  }

  @Test
  void messagesThatTimeOutInTheProducerAreSentAgainByTheRuntimeNeverDropped() throws Exception {
    // the producer gives up on its messages after 3 s (delivery.timeout.ms) while the broker is away for longer:
    // each report is a timeout, the batch fails, and the runtime sends it again until the broker is back
    String topic = SharedKafka.topic("timeout", 1);
    int total = 100_000; // enough that the source is still sending when the broker stops, on a quiet machine too
    brokerAwayInTheMiddle(topic, 50, total, "send_wait: 1s, properties: {delivery.timeout.ms: \"3000\", "
        + "request.timeout.ms: \"1000\"}", 500, () -> {
          await().atMost(Duration.ofSeconds(60)).until(() -> log.messages().stream()
              .anyMatch(m -> m.contains("no answer from the brokers in time")));
          await().atMost(Duration.ofSeconds(30)).until(() -> outputCounters().getOrDefault("retries", 0L) >= 3);
        });
    assertThat(new java.util.TreeSet<>(SharedKafka.seqs(topic))).as("every event, none dropped on a timeout")
        .hasSize(total)
        .first().isEqualTo(1L);
  }

  @Test
  void acksOneAndNoneDeliverWithoutIdempotenceAndNoneSaysAtStartItIsBestEffort() throws Exception {
    String one = SharedKafka.topic("acks-one", 1);
    String none = SharedKafka.topic("acks-none", 1);
    start("""
        - task:
          - in.TestSource: {name: %1$s-one, batch: 50, total: 200}
          - out.Kafka: {brokers: ["%2$s"], topic: %3$s, acks: one}
        - task:
          - in.TestSource: {name: %1$s-none, batch: 50, total: 200}
          - out.Kafka: {brokers: ["%2$s"], topic: %4$s, acks: none}
        """.formatted(id, SharedKafka.bootstrap(), one, none));
    await().atMost(Duration.ofSeconds(30)).until(() -> TestSource.state(id + "-one").window.committed() == 200
        && TestSource.state(id + "-none").window.committed() == 200);
    assertThat(log.messages()).anySatisfy(m -> assertThat(m).contains("at-most-once delivery")
        .contains("with `acks: none`"));
    assertThat(log.messages()).noneSatisfy(m -> assertThat(m).contains("at-most-once").contains("task 1"));
    await().atMost(Duration.ofSeconds(30)).until(() -> SharedKafka.values(none).size() == 200);
    assertThat(new java.util.TreeSet<>(SharedKafka.seqs(one))).hasSize(200);
    // idempotence needs acks=all: without it the batches carry no producer id
    assertThat(SharedKafka.storedBatches(one)).allSatisfy(sb -> assertThat(sb.producerId()).isEqualTo(-1L));
  }

  @Test
  void aStopWhileTheBrokerIsDownIsQuickAndAcknowledgesNothingUndelivered() throws Exception {
    KafkaBroker kafka = SharedKafka.broker();
    String topic = SharedKafka.topic("stopdown", 1);
    start("""
        - task:
          - in.TestSource: {name: %s, batch: 100, total: 1000000}
          - out.Kafka: {brokers: ["%s"], topic: %s, send_wait: 1s}
        """.formatted(id, kafka.bootstrapServers(), topic));
    await().atMost(Duration.ofSeconds(30)).until(() -> source().window.committed() >= 2000);
    kafka.stop();
    try {
      await().pollDelay(Duration.ofSeconds(2)).atMost(Duration.ofSeconds(5)).until(() -> true);
      long t0 = System.nanoTime();
      agent.stop();
      agent = null;
      long stopMs = (System.nanoTime() - t0) / 1_000_000;
      assertThat(stopMs).as("stop took %d ms", stopMs).isLessThan(15_000);
    } finally {
      kafka.start();
    }
    long committed = source().window.committed();
    assertThat(new java.util.HashSet<>(SharedKafka.seqs(topic))).as("acknowledged means in Kafka")
        .containsAll(java.util.stream.LongStream.rangeClosed(1, committed).boxed().toList());
  }

  @Test
  void aProducerThatCannotRecoverIsReplacedAndDeliveryResumes() throws Exception {
    // dave has no SCRAM credentials yet: every login fails, which out.Kafka treats as a producer that cannot go on
    // (it closes it and makes a new one, again and again); once dave exists, the new producer delivers everything
    String topic = SharedKafka.topic("fatal", 1);
    String user = "dave-" + topic.substring(topic.length() - 8);
    start("""
        - task:
          - in.TestSource: {name: %s, batch: 50, total: 500}
          - out.Kafka: {brokers: ["%s"], topic: %s, sasl_mechanism: scram_sha_256, username: %s,
                        password: dave-secret, retry_wait: 100ms, retry_max_wait: 500ms}
        """.formatted(id, SharedKafka.broker().saslBootstrapServers(), topic, user));
    await().atMost(Duration.ofSeconds(30)).until(() -> outputCounters().getOrDefault("producer_restarts", 0L) >= 2);
    assertThat(source().window.committed()).isZero();
    SharedKafka.scramUser(user, "dave-secret");
    await().atMost(Duration.ofSeconds(60)).until(() -> source().window.committed() == 500);
    assertThat(new java.util.TreeSet<>(SharedKafka.seqs(topic))).hasSize(500);
    assertThat(log.events()).anySatisfy(e -> assertThat(e.getFormattedMessage())
        .contains("the Kafka producer cannot recover").contains("closing it and starting a new one")
        .contains("refused the login"));
    assertThat(log.events()).noneSatisfy(e -> assertThat(e.getFormattedMessage()).contains("dave-secret"));
  }

  @Test
  void saslPlainAndScramLogInAndAWrongPasswordSaysSoWithoutShowingIt() throws Exception {
    String topic = SharedKafka.topic("sasl", 1);
    String sasl = SharedKafka.broker().saslBootstrapServers();
    start("""
        - task:
          - in.TestSource: {name: %s-a, batch: 10, total: 100}
          - out.Kafka: {brokers: ["%s"], topic: %s, sasl_mechanism: plain, username: bob, password: bob-secret}
        - task:
          - in.TestSource: {name: %s-b, batch: 10, total: 100}
          - out.Kafka: {brokers: ["%s"], topic: %s, sasl_mechanism: scram_sha_256, username: carol,
                        password: carol-secret}
        - task:
          - in.TestSource: {name: %s-c, batch: 10, total: 100}
          - out.Kafka: {brokers: ["%s"], topic: %s, sasl_mechanism: plain, username: bob, password: wrong-secret}
        """.formatted(id, sasl, topic, id, sasl, topic, id, sasl, topic));
    await().atMost(Duration.ofSeconds(30)).until(() -> TestSource.state(id + "-a").window.committed() == 100
        && TestSource.state(id + "-b").window.committed() == 100);
    await().atMost(Duration.ofSeconds(30)).until(() -> agent.tasks().get(2).counters().get(1).snapshot()
        .getOrDefault("errors", 0L) >= 1);
    assertThat(TestSource.state(id + "-c").window.committed()).isZero();
    assertThat(SharedKafka.values(topic)).hasSize(200);
    assertThat(log.events()).anySatisfy(e -> assertThat(e.getFormattedMessage()).contains("refused the login"));
    assertThat(log.events()).noneSatisfy(e -> assertThat(e.getFormattedMessage() + e.getThrowableProxy())
        .containsAnyOf("wrong-secret", "bob-secret", "carol-secret"));
  }
}
