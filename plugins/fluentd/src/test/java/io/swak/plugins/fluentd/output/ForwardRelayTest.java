package io.swak.plugins.fluentd.output;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import io.swak.api.Ack;
import io.swak.core.runtime.Agent;
import io.swak.core.testing.Ports;
import io.swak.core.testing.TestContext;
import io.swak.plugins.fluentd.testing.Steps;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Relay with acks end to end: a client → Swak A (in.Forward → out.Fluentd with acks) → Swak B
 * (in.Forward → out.File). The client's ack arrives only after B wrote the events, so while B is down
 * the client gets no ack and keeps its data.
 */
class ForwardRelayTest {

  static Agent agent(Path dir, String name, String yaml) throws Exception {
    Path cfg = dir.resolve(name + ".yml");
    Files.writeString(cfg, yaml);
    Agent a = new Agent(Steps.parse(yaml), dir.resolve(name + "-data"), Clock.systemUTC());
    a.start();
    return a;
  }

  static long lines(Path file) throws Exception {
    return Files.exists(file) ? Files.readAllLines(file).size() : 0;
  }

  @Test
  void agentToSwakToSwakWithAcks(@TempDir Path dir) throws Exception {
    int portA = Ports.free();
    int portB = Ports.free();
    Path out = dir.resolve("relayed.jsonl");
    String yamlB = "- task:\n  - in.Forward: {port: " + portB + "}\n  - out.File: {path: " + out + "}\n";
    String yamlA = "- task:\n  - in.Forward: {port: " + portA + "}\n"
        + "  - out.Fluentd: {host: 127.0.0.1, port: " + portB + ", require_ack_response: true, "
        + "ack_response_timeout: 5s, heartbeat_type: none, reconnect_wait: 50ms}\n";
    Agent b = agent(dir, "b", yamlB);
    Agent a = agent(dir, "a", yamlA);
    TestContext ctx = new TestContext();
    FluentdOutput client = Clients.start(ctx, "host: 127.0.0.1, port: " + portA + ", require_ack_response: true, "
        + "ack_response_timeout: 1s, heartbeat_type: none, reconnect_wait: 50ms");
    try {
      await().atMost(Duration.ofSeconds(10)).ignoreExceptions()
          .until(() -> {
            Steps.write(ctx, client, ForwardSocketTest.batch("app.relay", 100, Ack.NONE));
            return true;
          });
      // the ack came back through A only after B's out.File wrote the events
      assertThat(lines(out)).isGreaterThanOrEqualTo(100);
      long before = lines(out);

      b.stop();
      // B is down: A cannot deliver, so the client gets no ack and must keep (and resend) its batch
      assertThatThrownBy(() -> Steps.write(ctx, client, ForwardSocketTest.batch("app.relay", 7, Ack.NONE)))
          .hasMessageContaining("no reply");
      b = agent(dir, "b2", yamlB);
      // A's retry delivers the held batch once B is back; the client's resend makes a duplicate: at-least-once
      await().atMost(Duration.ofSeconds(20)).ignoreExceptions()
          .until(() -> {
            Steps.write(ctx, client, ForwardSocketTest.batch("app.relay", 7, Ack.NONE));
            return true;
          });
      await().atMost(Duration.ofSeconds(10)).until(() -> lines(out) >= before + 7);
      List<String> all = Files.readAllLines(out);
      assertThat(all.get(0)).contains("line 0 한국어").contains("app.relay");
    } finally {
      client.close();
      a.stop();
      b.stop();
    }
  }
}
