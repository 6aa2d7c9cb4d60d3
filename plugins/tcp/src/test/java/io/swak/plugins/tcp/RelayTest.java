package io.swak.plugins.tcp;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.swak.core.runtime.Agent;
import io.swak.core.testing.AgentTestBase;
import io.swak.core.testing.Certificates;
import io.swak.core.testing.Ports;
import io.swak.core.testing.TestSink;
import io.swak.core.testing.TestSource;
import java.time.Duration;
import org.junit.jupiter.api.Test;

/**
 * Two Swak agents, agent → collector: out.Tcp of the first writes to in.Tcp of the second, compressed, in
 * each format; the collector has every event in order with its time and tag.
 */
class RelayTest extends AgentTestBase {

  private Agent collector;

  @org.junit.jupiter.api.AfterEach
  void stopCollector() throws Exception {
    if (agent != null) {
      agent.stop();
      agent = null;
    }
    if (collector != null) {
      collector.stop();
    }
  }

  private void relay(String in, String out, long total) throws Exception {
    int port = Ports.free();
    collector = Net.agent(dir, "collector", """
        - task:
          - in.Tcp: {port: %d%s}
          - out.TestSink: {name: %s}
        """.formatted(port, in, id));
    Net.awaitListening(port);
    start("""
        - task:
          - in.TestSource: {name: %s, batch: 500, total: %d, pad: 20, tag: app.relay}
          - out.Tcp: {host: 127.0.0.1, port: %d%s}
        """.formatted(id, total, port, out));
    await().atMost(Duration.ofSeconds(40)).until(() -> TestSink.state(id).received.size() >= total);
    assertThat(TestSink.state(id).seqs()).containsExactlyElementsOf(TcpInputTest.range(1, total));
  }

  @Test
  void jsonLinesOverGzip() throws Exception {
    relay("", ", compress: gzip", 20_000);
    await().atMost(Duration.ofSeconds(20)).until(() -> TestSource.state(id).window.committed() == 20_000);
    assertThat(Net.counter(collector, 0, "gzip_connections")).isEqualTo(1);
    assertThat(Net.counter(collector, 0, "invalid_json")).isZero();
    assertThat(Net.counter(agent, 1, "compression_ratio_percent")).as("plain bytes per 100 sent").isGreaterThan(300);
    // the JSON line carries the event time as @timestamp, which in.Tcp takes back as the time
    var e = TestSink.state(id).received.get(0);
    assertThat(e.timeNanos() % 1_000_000_000L).isNotZero();
    assertThat(e.record()).containsKey("seq").doesNotContainKey("@timestamp");
  }

  @Test
  void msgpackOverZstdKeepsTimesToTheNanosecond() throws Exception {
    relay(", format: msgpack, compress: zstd, tag: relayed", ", format: msgpack, compress: zstd", 20_000);
    assertThat(Net.counter(collector, 0, "bytes_decompressed")).isGreaterThan(Net.counter(collector, 0,
        "bytes_received"));
    assertThat(TestSink.state(id).received.get(0).tag()).isEqualTo("relayed");
  }

  @Test
  void forwardWithAcksOverGzipKeepsTheTag() throws Exception {
    relay(", format: forward", ", format: forward, require_ack: true, compress: gzip", 20_000);
    assertThat(TestSink.state(id).received.get(0).tag()).isEqualTo("app.relay");
    await().atMost(Duration.ofSeconds(20)).until(() -> TestSource.state(id).window.committed() == 20_000);
    assertThat(Net.counter(collector, 0, "acks_sent")).isPositive();
  }

  @Test
  void overTlsWithACertificateSignedByTheTrustedCa() throws Exception {
    Certificates certs = new Certificates(dir);
    certs.issue("server", "collector", true, "localhost");
    relay(", format: forward, tls: true, cert_file: \"%s\", key_file: \"%s\"".formatted(
            dir.resolve("server.crt"), dir.resolve("server.key")),
        ", format: forward, require_ack: true, compress: gzip, tls: true, ca_file: \"%s\"".formatted(certs.caFile()),
        5_000);
  }

  @Test
  void aCollectorThatComesLateGetsEverythingOnceItListens() throws Exception {
    int port = Ports.free();
    start("""
        - task:
          - in.TestSource: {name: %s, batch: 100, total: 3000}
          - out.Tcp: {host: 127.0.0.1, port: %d, format: forward, require_ack: true, reconnect_wait: 20ms, \
        reconnect_wait_max: 200ms, retry_wait: 20ms, retry_max_wait: 200ms}
        """.formatted(id, port));
    await().atMost(Duration.ofSeconds(20)).until(() -> Net.counter(agent, 1, "connect_failures") >= 3);
    assertThat(TestSource.state(id).window.committed()).isZero();
    collector = Net.agent(dir, "collector", """
        - task:
          - in.Tcp: {port: %d, format: forward}
          - out.TestSink: {name: %s}
        """.formatted(port, id));
    await().atMost(Duration.ofSeconds(30)).until(() -> TestSource.state(id).window.committed() == 3000);
    assertThat(TestSink.state(id).seqs()).containsExactlyElementsOf(TcpInputTest.range(1, 3000));
  }
}
