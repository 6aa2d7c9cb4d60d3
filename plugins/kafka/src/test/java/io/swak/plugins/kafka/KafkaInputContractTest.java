package io.swak.plugins.kafka;

import io.swak.core.testing.InputContract;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * in.Kafka passes the input contract against the real broker: JSON messages {"seq": n} written to a topic of
 * three partitions, all with one key (so they stay in one partition, in order: the order the contract checks is
 * a partition's). Its positions are the group's committed offsets, kept by the broker across agent restarts.
 */
class KafkaInputContractTest extends InputContract {

  @Override
  protected Source source(Path dir) {
    String topic = SharedKafka.topic("in-contract", 3);
    String group = "g-" + topic;
    return new Source() {
      @Override
      public String step() {
        return "in.Kafka: {brokers: [\"" + SharedKafka.bootstrap() + "\"], topics: [" + topic + "], group: " + group
            + ", commit_interval: 100ms, max_poll_records: 50}";
      }

      @Override
      public void produce(long from, int n) throws Exception {
        List<String> keys = new ArrayList<>();
        List<String> values = new ArrayList<>();
        for (long i = from; i < from + n; i++) {
          keys.add("one-key");
          values.add("{\"seq\":" + i + ",\"message\":\"event " + i + "\"}");
        }
        SharedKafka.produce(topic, keys, values);
      }

      @Override
      public boolean keepsPositions() {
        return true;
      }
    };
  }
}
