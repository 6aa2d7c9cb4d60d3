package io.swak.plugins.kafka;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.swak.api.Batch;
import io.swak.api.Event;
import io.swak.core.testing.AgentTestBase;
import io.swak.core.testing.TestContext;
import io.swak.core.testing.TestSink;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import java.util.stream.LongStream;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.CooperativeStickyAssignor;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.header.internals.RecordHeader;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.junit.jupiter.api.Test;

/**
 * in.Kafka against the real broker: topics by pattern (one created after the start is read, from its first message)
 * and {@code start_from} as documented — committed (the group's offset; the earliest where it has none), earliest (a
 * replay whatever the group committed), latest (only what is new), each applied once per agent start, not again when
 * the task restarts.
 */
class KafkaInputTest extends AgentTestBase {

  private static List<String> numbered(long from, long to) {
    return LongStream.rangeClosed(from, to).mapToObj(i -> "{\"seq\":" + i + "}").toList();
  }

  private static void produce(String topic, long from, long to) throws Exception {
    SharedKafka.produce(topic, null, numbered(from, to));
  }

  private static long committed(String group, String topic) throws Exception {
    return committed(group, topic, 0);
  }

  private static long committed(String group, String topic, int partition) throws Exception {
    try (Admin admin = SharedKafka.broker().admin()) {
      OffsetAndMetadata o = admin.listConsumerGroupOffsets(group).partitionsToOffsetAndMetadata()
          .get(10, TimeUnit.SECONDS).get(new TopicPartition(topic, partition));
      return o == null ? -1 : o.offset();
    }
  }

  /** Sets the group's committed offset of partition 0, as an earlier run of the group would have left it. */
  private static void commit(String group, String topic, long offset) throws Exception {
    try (Admin admin = SharedKafka.broker().admin()) {
      admin.alterConsumerGroupOffsets(group, Map.of(new TopicPartition(topic, 0), new OffsetAndMetadata(offset)))
          .all().get(10, TimeUnit.SECONDS);
    }
  }

  private String reader(String topic, String group, String startFrom) {
    return """
        - task:
          - in.Kafka: {brokers: ["%s"], topics: [%s], group: %s, start_from: %s, commit_interval: 100ms}
          - out.TestSink: {name: %s}
        """.formatted(SharedKafka.bootstrap(), topic, group, startFrom, id);
  }

  private TestSink.State sink() {
    return TestSink.state(id);
  }

  /** Waits until the task's in.Kafka holds its partitions (their start positions are then fixed). */
  private void awaitAssigned() {
    await().atMost(Duration.ofSeconds(30)).until(() -> agent.tasks().get(0).counters().get(0).gauges()
        .getOrDefault("partitions", 0L) > 0);
  }

  @Test
  void aTopicCreatedAfterTheStartIsReadThroughThePatternFromItsFirstMessage() throws Exception {
    String prefix = "pat-" + UUID.randomUUID().toString().substring(0, 8);
    SharedKafka.broker().createTopic(prefix + "-a", 1);
    SharedKafka.broker().createTopic("other-" + prefix, 1);
    produce(prefix + "-a", 1, 10);
    produce("other-" + prefix, 100, 105);
    start("""
        - task:
          - in.Kafka: {brokers: ["%s"], topic_pattern: "%s-.*", group: g-%s, refresh_interval: 500ms,
                       commit_interval: 100ms}
          - out.TestSink: {name: %s}
        """.formatted(SharedKafka.bootstrap(), prefix, prefix, id));
    await().atMost(Duration.ofSeconds(30)).until(() -> sink().received.size() == 10);
    // created and written to after the start, before in.Kafka knew of it: read from its first message
    SharedKafka.broker().createTopic(prefix + "-b", 1);
    produce(prefix + "-b", 11, 20);
    await().atMost(Duration.ofSeconds(30)).until(() -> sink().received.size() == 20);
    assertThat(sink().seqs()).containsExactlyInAnyOrderElementsOf(LongStream.rangeClosed(1, 20).boxed().toList());
    assertThat(sink().received.stream().map(Event::tag).distinct())
        .containsExactlyInAnyOrder("kafka." + prefix + "-a", "kafka." + prefix + "-b");
    await().atMost(Duration.ofSeconds(30)).until(() -> committed("g-" + prefix, prefix + "-b") == 10);
  }

  @Test
  void startFromCommittedResumesAtTheGroupsOffsetAndReadsFromTheStartWhereItHasNone() throws Exception {
    String topic = SharedKafka.topic("from-committed", 1);
    String group = "g-" + topic;
    produce(topic, 1, 10);
    start(reader(topic, group, "committed"));
    await().atMost(Duration.ofSeconds(30)).until(() -> sink().received.size() == 10);
    await().atMost(Duration.ofSeconds(30)).until(() -> committed(group, topic) == 10);
    agent.stop();
    agent = null;
    produce(topic, 11, 15);
    sink().received.clear();
    start(reader(topic, group, "committed"));
    await().atMost(Duration.ofSeconds(30)).until(() -> committed(group, topic) == 15);
    assertThat(sink().seqs()).containsExactly(11L, 12L, 13L, 14L, 15L);
  }

  @Test
  void startFromEarliestReplaysTheTopicWhateverTheGroupCommitted() throws Exception {
    String topic = SharedKafka.topic("from-earliest", 1);
    String group = "g-" + topic;
    produce(topic, 1, 10);
    commit(group, topic, 10);
    start(reader(topic, group, "earliest"));
    await().atMost(Duration.ofSeconds(30)).until(() -> sink().received.size() == 10);
    assertThat(sink().seqs()).containsExactlyElementsOf(LongStream.rangeClosed(1, 10).boxed().toList());
  }

  @Test
  void startFromLatestReadsOnlyWhatComesAfterTheStartWhateverTheGroupCommitted() throws Exception {
    String topic = SharedKafka.topic("from-latest", 1);
    String group = "g-" + topic;
    produce(topic, 1, 10);
    commit(group, topic, 5); // 6..10 were never read by the group: latest skips them all the same
    start(reader(topic, group, "latest"));
    awaitAssigned();
    produce(topic, 11, 13);
    await().atMost(Duration.ofSeconds(30)).until(() -> committed(group, topic) == 13);
    assertThat(sink().seqs()).containsExactly(11L, 12L, 13L);
  }

  @Test
  void everyFormatKeepsEveryValueAndMetadataSaysWhereItCameFrom() throws Exception {
    String topic = SharedKafka.topic("formats", 1);
    byte[] msgpack = io.swak.api.BatchBuilder.packValue(Map.of("level", "warn", "n", 3));
    List<byte[]> values = List.of("{\"a\":1,\"b\":{\"c\":[true,null]}}".getBytes(StandardCharsets.UTF_8),
        "[1,2]".getBytes(StandardCharsets.UTF_8), "plain text".getBytes(StandardCharsets.UTF_8), msgpack);
    try (var p = SharedKafka.producer()) {
      for (byte[] v : values) {
        p.send(new ProducerRecord<>(topic, null, 1_767_225_600_000L, "k".getBytes(StandardCharsets.UTF_8), v,
            List.of(new RecordHeader("h", "v".getBytes(StandardCharsets.UTF_8))))).get(30, TimeUnit.SECONDS);
      }
      p.send(new ProducerRecord<>(topic, "gone".getBytes(StandardCharsets.UTF_8), null)).get(30, TimeUnit.SECONDS);
    }
    start("""
        - task:
          - in.Kafka: {brokers: ["%1$s"], topics: [%2$s], group: g-json-%2$s, metadata_key: kafka}
          - out.TestSink: {name: %3$s-json}
        - task:
          - in.Kafka: {brokers: ["%1$s"], topics: [%2$s], group: g-msgpack-%2$s, format: msgpack}
          - out.TestSink: {name: %3$s-msgpack}
        - task:
          - in.Kafka: {brokers: ["%1$s"], topics: [%2$s], group: g-raw-%2$s, format: raw, message_key: line}
          - out.TestSink: {name: %3$s-raw}
        """.formatted(SharedKafka.bootstrap(), topic, id));
    for (String f : List.of("json", "msgpack", "raw")) {
      await().atMost(Duration.ofSeconds(30)).until(() -> TestSink.state(id + "-" + f).received.size() == 5);
    }
    List<Map<String, Object>> json = records(id + "-json");
    assertThat(json.get(0)).containsEntry("a", 1L).containsKey("b");
    assertThat(json.get(1)).containsEntry("message", "[1,2]");
    assertThat(json.get(2)).containsEntry("message", "plain text");
    assertThat(json.get(3)).containsKey("message");
    assertThat(json.get(4)).containsEntry("message", null);
    @SuppressWarnings("unchecked")
    Map<String, Object> meta = (Map<String, Object>) json.get(0).get("kafka");
    assertThat(meta).containsEntry("topic", topic).containsEntry("partition", 0L).containsEntry("offset", 0L)
        .containsEntry("key", "k").containsEntry("timestamp", 1_767_225_600_000L)
        .containsEntry("headers", Map.of("h", "v"));
    assertThat(TestSink.state(id + "-json").received.get(0).timeNanos()).isEqualTo(1_767_225_600_000L * 1_000_000);
    assertThat(agent.tasks().get(0).counters().get(0).snapshot()).containsEntry("parse_errors", 3L);

    List<Map<String, Object>> mp = records(id + "-msgpack");
    assertThat(mp.get(3)).isEqualTo(Map.of("level", "warn", "n", 3L));
    assertThat((byte[]) mp.get(2).get("message")).asString(StandardCharsets.UTF_8).isEqualTo("plain text");
    assertThat(agent.tasks().get(1).counters().get(0).snapshot()).containsEntry("parse_errors", 3L);

    List<Map<String, Object>> raw = records(id + "-raw");
    assertThat(raw.subList(0, 3)).extracting(r -> r.get("line"))
        .containsExactly("{\"a\":1,\"b\":{\"c\":[true,null]}}", "[1,2]", "plain text");
    assertThat(raw.get(4)).containsEntry("line", null);
  }

  private static List<Map<String, Object>> records(String sink) {
    return TestSink.state(sink).received.stream().map(Event::record).toList();
  }

  @Test
  void aTaskRestartResumesAtTheCommittedOffsetInsteadOfStartingFromLatestAgain() throws Exception {
    String topic = SharedKafka.topic("latest-restart", 1);
    String group = "g-" + topic;
    produce(topic, 1, 5);
    KafkaInputPlugin.Options o = latest(topic, group);
    TestContext ctx = new TestContext();
    // the first run of the task: positioned at the end (5), reads what comes after, commits it at the close
    KafkaInput first = new KafkaInput(o);
    first.start(ctx);
    try {
      await().atMost(Duration.ofSeconds(30)).until(() -> first.poll(Duration.ofMillis(100)) == null
          && partitions(ctx) > 0);
      produce(topic, 6, 8);
      List<Long> got = readAndAcknowledge(first, 3);
      assertThat(got).containsExactly(6L, 7L, 8L);
    } finally {
      first.close();
    }
    assertThat(committed(group, topic)).isEqualTo(8);
    // written while the task was restarting (after a failure): the task's next run must read them
    produce(topic, 9, 11);
    KafkaInput again = new KafkaInput(o);
    again.start(new TestContext());
    try {
      assertThat(readAndAcknowledge(again, 3)).containsExactly(9L, 10L, 11L);
    } finally {
      again.close();
    }
  }

  @Test
  void aPartitionThatComesBackAfterARebalanceResumesAtTheCommittedOffsetNotAtTheEnd() throws Exception {
    String topic = SharedKafka.topic("latest-rebalance", 2);
    String group = "g-" + topic;
    TestContext ctx = new TestContext();
    KafkaInput in = new KafkaInput(latest(topic, group));
    in.start(ctx);
    try {
      await().atMost(Duration.ofSeconds(30)).until(() -> in.poll(Duration.ofMillis(100)) == null
          && partitions(ctx) == 2);
      produceTo(topic, 0, 1, 2);
      produceTo(topic, 1, 3, 4);
      assertThat(readAndAcknowledge(in, 4)).containsExactlyInAnyOrder(1L, 2L, 3L, 4L);
      // a second member joins: the cooperative assignor moves one partition to it (committed first: 2)
      try (KafkaConsumer<byte[], byte[]> other = member(group)) {
        other.subscribe(List.of(topic));
        await().atMost(Duration.ofSeconds(30)).until(() -> {
          other.poll(Duration.ofMillis(100));
          return in.poll(Duration.ofMillis(100)) == null && other.assignment().size() == 1 && partitions(ctx) == 1;
        });
        int moved = other.assignment().iterator().next().partition();
        assertThat(committed(group, topic, moved)).isEqualTo(2);
        produceTo(topic, moved, 5, 6); // while the other member holds it; it commits nothing
        other.poll(Duration.ofMillis(200));
      } // and leaves the group
      // back with this member: read from the committed offset, not from the end as `latest` did at the start
      assertThat(readAndAcknowledge(in, 2)).containsExactly(5L, 6L);
    } finally {
      in.close();
    }
  }

  private static KafkaInputPlugin.Options latest(String topic, String group) {
    return new KafkaInputPlugin.Options(List.of(SharedKafka.bootstrap()), List.of(topic), null, group,
        KafkaInputPlugin.StartFrom.LATEST, KafkaInputPlugin.Format.JSON, "message", null, null, Duration.ofMillis(100),
        100, Duration.ofSeconds(30), ClientSettings.SaslMechanism.NONE, null, null, false, null, null, null, true, null,
        Map.of());
  }

  private static long partitions(TestContext ctx) {
    return ctx.counters.gauges().getOrDefault("partitions", 0L);
  }

  /** Another member of {@code group}, with the same assignor as in.Kafka, that commits nothing. */
  private static KafkaConsumer<byte[], byte[]> member(String group) {
    return new KafkaConsumer<>(Map.of(
        ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, SharedKafka.bootstrap(),
        ConsumerConfig.GROUP_ID_CONFIG, group,
        ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false,
        ConsumerConfig.PARTITION_ASSIGNMENT_STRATEGY_CONFIG, CooperativeStickyAssignor.class.getName()),
        new ByteArrayDeserializer(), new ByteArrayDeserializer());
  }

  private static void produceTo(String topic, int partition, long from, long to) throws Exception {
    try (var p = SharedKafka.producer()) {
      for (String v : numbered(from, to)) {
        p.send(new ProducerRecord<>(topic, partition, null, v.getBytes(StandardCharsets.UTF_8))).get(30,
            TimeUnit.SECONDS);
      }
    }
  }

  /** Polls until {@code n} events came, acknowledging each batch as the end of a task would. */
  private static List<Long> readAndAcknowledge(KafkaInput in, int n) throws Exception {
    List<Long> got = new ArrayList<>();
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
    while (got.size() < n && System.nanoTime() < deadline) {
      Batch b = in.poll(Duration.ofMillis(200));
      if (b != null) {
        for (Event e : b.events()) {
          got.add(((Number) e.record().get("seq")).longValue());
        }
        b.ack().done();
      }
    }
    return got;
  }
}
