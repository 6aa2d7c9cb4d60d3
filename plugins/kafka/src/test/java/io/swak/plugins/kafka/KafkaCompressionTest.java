package io.swak.plugins.kafka;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.swak.core.testing.AgentTestBase;
import io.swak.core.testing.TestSink;
import io.swak.core.testing.TestSource;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.TreeSet;
import java.util.stream.LongStream;
import java.util.stream.Stream;
import org.apache.kafka.common.record.internal.FileRecords;
import org.apache.kafka.common.record.internal.RecordBatch;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Every {@code compression} of out.Kafka end to end through the real broker: the record batches the broker stored
 * (read from its log segment) are compressed with that codec — and written by an idempotent producer, the default —
 * and in.Kafka reads every event back out of them.
 */
class KafkaCompressionTest extends AgentTestBase {

  @ParameterizedTest
  @ValueSource(strings = {"gzip", "snappy", "lz4", "zstd", "none"})
  void eventsAreStoredCompressedWithTheCodecAndReadBack(String codec) throws Exception {
    KafkaBroker kafka = SharedKafka.broker();
    String topic = SharedKafka.topic("codec-" + codec, 1);
    int total = 2000;
    start("""
        - task:
          - in.TestSource: {name: %s, batch: 200, total: %d, pad: 100}
          - out.Kafka: {brokers: ["%s"], topic: %s, compression: %s}
        - task:
          - in.Kafka: {brokers: ["%s"], topics: [%s], group: g-%s, commit_interval: 100ms}
          - out.TestSink: {name: %s}
        """.formatted(id, total, kafka.bootstrapServers(), topic, codec, kafka.bootstrapServers(), topic, topic, id));
    await().atMost(Duration.ofSeconds(60)).until(() -> TestSource.state(id).window.committed() == total);
    await().atMost(Duration.ofSeconds(60)).until(() -> TestSink.state(id).received.size() >= total);
    assertThat(new TreeSet<>(TestSink.state(id).seqs()))
        .containsExactlyElementsOf(LongStream.rangeClosed(1, total).boxed().toList());

    List<String> stored = new ArrayList<>();
    List<Long> producerIds = new ArrayList<>();
    long records = 0;
    try (Stream<Path> segments = Files.list(kafka.dir().resolve("data").resolve(topic + "-0"))) {
      for (Path segment : segments.filter(p -> p.toString().endsWith(".log")).toList()) {
        try (FileRecords file = FileRecords.open(segment.toFile(), false)) {
          for (RecordBatch b : file.batches()) {
            stored.add(b.compressionType().name);
            producerIds.add(b.producerId());
            records += b.nextOffset() - b.baseOffset();
          }
        }
      }
    }
    assertThat(records).as("records stored").isEqualTo(total);
    assertThat(stored).as("codec of every stored batch").isNotEmpty().containsOnly(codec);
    // acks: all by default, with idempotence: every batch carries the producer id the broker deduplicates by
    assertThat(producerIds).as("producer ids").allSatisfy(id -> assertThat(id).isNotNegative());
  }
}
