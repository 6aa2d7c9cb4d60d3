package io.swak.plugins.otlp;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.opentelemetry.proto.logs.v1.LogRecord;
import io.swak.core.config.AgentConfig;
import io.swak.core.config.ConfigLoader;
import io.swak.core.runtime.Agent;
import io.swak.core.testing.Pipelines;
import io.swak.core.testing.Ports;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * examples/otlp.yml as shipped (ports, buffer and next hop from its variables): records posted over OTLP/HTTP are
 * answered once in its disk buffer and reach the next receiver with the example's resource attribute added.
 */
class OtlpExampleTest {

  @TempDir
  Path dir;

  @Test
  void theExampleRelaysWhatItReceivesThroughItsDiskBuffer() throws Exception {
    Path example = Path.of(System.getProperty("swak.repo", "../..")).resolve("examples/otlp.yml");
    int http = Ports.free();
    int grpc = Ports.free();
    try (CapturingReceiver next = new CapturingReceiver()) {
      Map<String, String> env = new HashMap<>(System.getenv());
      env.put("OTLP_HTTP_PORT", String.valueOf(http));
      env.put("OTLP_GRPC_PORT", String.valueOf(grpc));
      env.put("SWAK_OTLP_BUFFER", dir.resolve("buffer").toString());
      env.put("OTLP_NEXT", next.endpoint());
      AgentConfig cfg = new ConfigLoader(Pipelines.registry(), env).load(example);
      Agent agent = new Agent(cfg, dir.resolve("data"), Clock.systemUTC());
      agent.start();
      try {
        Otlp.awaitListening(http);
        assertThat(Otlp.post(http, Otlp.numbered(1, 100)).statusCode()).isEqualTo(200);
        await().atMost(Duration.ofSeconds(30)).until(() -> next.records().size() == 100);
        assertThat(next.records()).extracting(LogRecord::getBody).extracting(b -> b.getStringValue())
            .startsWith("event 1", "event 2").endsWith("event 100");
        assertThat(next.requests.get(0).getResourceLogs(0).getResource().getAttributesList())
            .anySatisfy(kv -> {
              assertThat(kv.getKey()).isEqualTo("deployment.environment");
              assertThat(kv.getValue().getStringValue()).isEqualTo("demo");
            });
        assertThat(next.encodings).allSatisfy(e -> assertThat(e).isEqualTo("gzip"));
      } finally {
        agent.stop();
      }
    }
  }
}
