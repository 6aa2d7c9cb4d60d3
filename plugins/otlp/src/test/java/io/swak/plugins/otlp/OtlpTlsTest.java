package io.swak.plugins.otlp;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.swak.core.testing.AgentTestBase;
import io.swak.core.testing.Certificates;
import io.swak.core.testing.Ports;
import io.swak.core.testing.TestSink;
import java.time.Duration;
import org.junit.jupiter.api.Test;

/**
 * out.OpenTelemetry over https into in.OpenTelemetry with `tls: true`: the receiver's certificate is trusted through
 * ca_file and a client certificate is presented; without ca_file the untrusted certificate fails the batch, retried,
 * and nothing is delivered.
 */
class OtlpTlsTest extends AgentTestBase {

  @Test
  void httpsWithTheCaFileDeliversAndWithoutItFailsAndRetries() throws Exception {
    Certificates certs = new Certificates(dir.resolve("tls"));
    certs.issue("server", "localhost", true, "localhost");
    certs.issue("client", "agent", false);
    int port = Ports.free();
    int grpc = Ports.free();
    String in = """
        - task:
          - in.OpenTelemetry: {port: %d, grpc_port: %d, tls: true, cert_file: "%s", key_file: "%s", ca_file: "%s"}
          - out.TestSink: {name: %s}
        """.formatted(port, grpc, certs.dir.resolve("server.crt"), certs.dir.resolve("server.key"), certs.caFile(), id);
    start(in + """
        - task:
          - in.TestSource: {name: %s, batch: 10, total: 30, tag: app.secure}
          - out.OpenTelemetry: {endpoint: "https://localhost:%d", ca_file: "%s", cert_file: "%s", key_file: "%s",
                                retry_wait: 50ms, retry_max_wait: 200ms}
        """.formatted(id, port, certs.caFile(), certs.dir.resolve("client.crt"), certs.dir.resolve("client.key")));
    TestSink.State sink = TestSink.state(id);
    await().atMost(Duration.ofSeconds(30)).until(() -> sink.received.size() == 30);
    assertThat(sink.received).extracting(e -> String.valueOf(e.record())).allMatch(r -> r.contains("seq"))
        .doesNotHaveDuplicates();
    agent.stop();
    agent = null;

    sink.received.clear();
    String other = id + "-untrusted";
    start(in.replace("ca_file: \"" + certs.caFile() + "\"", "ca_file: null") + """
        - task:
          - in.TestSource: {name: %s, batch: 10, total: 10}
          - out.OpenTelemetry: {endpoint: "https://localhost:%d", retry_wait: 50ms, retry_max_wait: 100ms}
        """.formatted(other, port));
    await().atMost(Duration.ofSeconds(30)).until(() -> {
      String f = agent.tasks().get(1).counters().get(1).lastFailure();
      return f != null && f.startsWith("https://localhost:" + port + "/v1/logs: ") && f.contains("certif");
    });
    assertThat(sink.received).isEmpty();
  }
}
