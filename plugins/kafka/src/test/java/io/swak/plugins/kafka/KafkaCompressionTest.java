package io.swak.plugins.kafka;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.swak.core.testing.AgentTestBase;
import io.swak.core.testing.TestSink;
import io.swak.core.testing.TestSource;
import java.time.Duration;
import java.util.List;
import java.util.TreeSet;
import java.util.stream.LongStream;
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

    List<SharedKafka.StoredBatch> stored = SharedKafka.storedBatches(topic);
    long records = stored.stream().mapToLong(SharedKafka.StoredBatch::records).sum();
    assertThat(records).as("records stored").isEqualTo(total);
    assertThat(stored).as("codec of every stored batch").isNotEmpty().extracting(SharedKafka.StoredBatch::codec)
        .containsOnly(codec);
    // acks: all by default, with idempotence: every batch carries the producer id the broker deduplicates by
    assertThat(stored).as("producer ids").allSatisfy(b -> assertThat(b.producerId()).isNotNegative());
  }
}
