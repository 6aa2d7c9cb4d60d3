package io.swak.plugins.kafka;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.swak.core.testing.OutputContract;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.admin.AlterConfigOp;
import org.apache.kafka.clients.admin.ConfigEntry;
import org.apache.kafka.common.config.ConfigResource;

/**
 * out.Kafka passes the output contract against the real broker: one topic of one partition per case (so the
 * order can be read back); broken by stopping the whole broker, made to refuse everything by a topic whose
 * largest record batch is 64 bytes (less than any one message).
 */
class KafkaOutputContractTest extends OutputContract {

  private static final ObjectMapper JSON = new ObjectMapper();

  @Override
  protected Destination destination(Path dir) {
    KafkaBroker kafka = SharedKafka.broker();
    String topic = SharedKafka.topic("contract", 1);
    return new Destination() {
      boolean refusing;

      @Override
      public String step() {
        // short producer timeouts, so that a broker down shows as failed batches within a second or two; not when
        // refusing, where the producer first splits its batches (to batch_bytes) down to single messages
        return "out.Kafka: {brokers: [\"" + kafka.bootstrapServers() + "\"], topic: " + topic + ", linger: 1ms"
            + (refusing ? ", batch_bytes: 64B}" : ", send_wait: 500ms, properties: {delivery.timeout.ms: \"1500\", "
            + "request.timeout.ms: \"1000\"}}");
      }

      @Override
      public List<Long> received() throws Exception {
        if (!kafka.isRunning()) {
          return null;
        }
        List<Long> seqs = new ArrayList<>();
        for (String v : SharedKafka.values(topic)) {
          seqs.add(JSON.readTree(v).get("seq").asLong());
        }
        return seqs;
      }

      @Override
      public boolean breakDown() {
        kafka.stop();
        return true;
      }

      @Override
      public void repair() {
        kafka.start();
      }

      @Override
      public boolean rejectAll() throws Exception {
        try (var admin = kafka.admin()) {
          admin.incrementalAlterConfigs(Map.of(new ConfigResource(ConfigResource.Type.TOPIC, topic),
              List.of(new AlterConfigOp(new ConfigEntry("max.message.bytes", "64"), AlterConfigOp.OpType.SET))))
              .all().get(30, TimeUnit.SECONDS);
        }
        refusing = true;
        return true;
      }

      @Override
      public void close() {
        if (!kafka.isRunning()) {
          kafka.start();
        }
      }
    };
  }

  @Override
  protected Duration patience() {
    return Duration.ofSeconds(60);
  }
}
