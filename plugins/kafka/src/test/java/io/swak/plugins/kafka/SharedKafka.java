package io.swak.plugins.kafka;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.ScramCredentialInfo;
import org.apache.kafka.clients.admin.ScramMechanism;
import org.apache.kafka.clients.admin.UserScramCredentialUpsertion;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.slf4j.LoggerFactory;

/**
 * One real Kafka broker for every test class of the module (a start costs ~2-4 s and ~150 MiB), started on
 * first use and stopped when the test JVM exits. Each test uses topics and groups of its own; a test that stops
 * the broker starts it again before it ends. Also the tests' own client: a plain consumer that reads a topic
 * from the beginning, and a producer.
 */
final class SharedKafka {

  private static KafkaBroker broker;

  private SharedKafka() { }

  static synchronized KafkaBroker broker() {
    if (broker == null) {
      for (String quiet : List.of("kafka", "org.apache.kafka", "state.change.logger", "org.apache.zookeeper")) {
        ((Logger) LoggerFactory.getLogger(quiet)).setLevel(Level.WARN); // INFO is ~1500 lines per broker start
      }
      broker = KafkaBroker.launch();
      KafkaBroker b = broker;
      scramUser("carol", "carol-secret");
      Runtime.getRuntime().addShutdownHook(new Thread(() -> {
        try {
          b.close();
        } catch (Exception e) {
          // the JVM is going away
        }
      }));
    }
    if (!broker.isRunning()) {
      broker.start(); // a test that failed half-way through a stop
    }
    return broker;
  }

  /** Creates (or changes the password of) a SCRAM-SHA-256 user of the SASL listener. */
  static void scramUser(String user, String password) {
    try (Admin admin = broker().admin()) {
      admin.alterUserScramCredentials(List.of(new UserScramCredentialUpsertion(user,
          new ScramCredentialInfo(ScramMechanism.SCRAM_SHA_256, 4096), password))).all().get(30, TimeUnit.SECONDS);
    } catch (Exception e) {
      throw new IllegalStateException("creating the SCRAM user " + user, e);
    }
  }

  static String bootstrap() {
    return broker().bootstrapServers();
  }

  /** A topic name of its own for a test. */
  static String topic(String what, int partitions) {
    String name = what + "-" + UUID.randomUUID().toString().substring(0, 8);
    broker().createTopic(name, partitions);
    return name;
  }

  static String topic(String what, int partitions, Map<String, String> configs) {
    String name = what + "-" + UUID.randomUUID().toString().substring(0, 8);
    broker().createTopic(name, partitions, configs);
    return name;
  }

  static KafkaConsumer<byte[], byte[]> reader() {
    return new KafkaConsumer<>(Map.of(
        ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap(),
        ConsumerConfig.GROUP_ID_CONFIG, "reader-" + UUID.randomUUID(),
        ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest",
        ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false,
        ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed"),
        new ByteArrayDeserializer(), new ByteArrayDeserializer());
  }

  /** Every message of {@code topic} now, read from the start of each partition (by a consumer of its own). */
  static List<ConsumerRecord<byte[], byte[]>> readAll(String topic) {
    try (KafkaConsumer<byte[], byte[]> c = reader()) {
      List<TopicPartition> parts = c.partitionsFor(topic, Duration.ofSeconds(30)).stream()
          .map(pi -> new TopicPartition(topic, pi.partition())).toList();
      c.assign(parts);
      c.seekToBeginning(parts);
      Map<TopicPartition, Long> ends = c.endOffsets(parts, Duration.ofSeconds(30));
      List<ConsumerRecord<byte[], byte[]>> out = new ArrayList<>();
      long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
      while (parts.stream().anyMatch(tp -> c.position(tp) < ends.get(tp))) {
        if (System.nanoTime() > deadline) {
          throw new AssertionError("could not read " + topic + " to its end " + ends);
        }
        c.poll(Duration.ofMillis(200)).forEach(out::add);
      }
      return out;
    }
  }

  /** The values of {@link #readAll} as text. */
  static List<String> values(String topic) {
    return readAll(topic).stream().map(r -> new String(r.value(), StandardCharsets.UTF_8))
        .collect(Collectors.toList());
  }

  /** The {@code seq} of every message of {@code topic}, as in.TestSource numbers its events (values in JSON). */
  static List<Long> seqs(String topic) throws java.io.IOException {
    com.fasterxml.jackson.databind.ObjectMapper json = new com.fasterxml.jackson.databind.ObjectMapper();
    List<Long> out = new ArrayList<>();
    for (String v : values(topic)) {
      out.add(json.readTree(v).get("seq").asLong());
    }
    return out;
  }

  /** One record batch as the broker stored it: its codec, the producer id (-1: not idempotent), its records. */
  record StoredBatch(String codec, long producerId, long records) { }

  /** The record batches of partition 0 of {@code topic}, read from the broker's log segments. */
  static List<StoredBatch> storedBatches(String topic) throws java.io.IOException {
    List<StoredBatch> out = new ArrayList<>();
    try (var segments = java.nio.file.Files.list(broker().dir().resolve("data").resolve(topic + "-0"))) {
      for (java.nio.file.Path segment : segments.filter(p -> p.toString().endsWith(".log")).sorted().toList()) {
        try (var file = org.apache.kafka.common.record.internal.FileRecords.open(segment.toFile(), false)) {
          for (var b : file.batches()) {
            out.add(new StoredBatch(b.compressionType().name, b.producerId(), b.nextOffset() - b.baseOffset()));
          }
        }
      }
    }
    return out;
  }

  static KafkaProducer<byte[], byte[]> producer() {
    return new KafkaProducer<>(Map.of(
        ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap(),
        ProducerConfig.ACKS_CONFIG, "all",
        ProducerConfig.LINGER_MS_CONFIG, 5),
        new ByteArraySerializer(), new ByteArraySerializer());
  }

  /** Writes {@code values} to {@code topic} (partition by key, or round robin without) and waits for them. */
  static void produce(String topic, List<String> keys, List<String> values) throws Exception {
    try (KafkaProducer<byte[], byte[]> p = producer()) {
      List<java.util.concurrent.Future<?>> sent = new ArrayList<>();
      for (int i = 0; i < values.size(); i++) {
        byte[] k = keys == null ? null : keys.get(i).getBytes(StandardCharsets.UTF_8);
        sent.add(p.send(new ProducerRecord<>(topic, k, values.get(i) == null ? null
            : values.get(i).getBytes(StandardCharsets.UTF_8))));
      }
      // a loaded machine (CI ran this module 3x slower than a quiet one) can take long for the first
      // acks=all answer after a broker restart; the producer's own delivery timeout (120 s) is the limit
      long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(150);
      int acked = 0;
      for (var f : sent) {
        try {
          f.get(Math.max(1, deadline - System.nanoTime()), TimeUnit.NANOSECONDS);
        } catch (java.util.concurrent.TimeoutException e) {
          throw new AssertionError("the broker acknowledged " + acked + " of " + sent.size() + " messages to "
              + topic + " in 150 s", e);
        }
        acked++;
      }
    }
  }
}
