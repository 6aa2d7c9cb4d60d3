package io.swak.plugins.tcp;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import io.swak.core.config.ConfigLoader;
import io.swak.core.config.PluginRegistry;
import io.swak.core.testing.AgentTestBase;
import io.swak.core.testing.TestSink;
import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** in.Tcp and in.Udp with a parser format: lines from real sockets parsed once into fields. */
class TcpParsedFormatTest extends AgentTestBase {

  static final String NGINX = "203.0.113.9 - - [21/Nov/2026:14:38:12 +0900] \"GET /a HTTP/1.1\" 404 12 \"-\" \"curl/8\"";

  @Test
  void tcpNginxLinesBecomeFieldsWithTheSourceAndABadLineStaysTextCounted() throws Exception {
    int port = Net.freePort();
    start("""
        - task:
          - in.Tcp: {port: %d, format: nginx, source_key: from}
          - out.TestSink: {name: %s}
        """.formatted(port, id));
    Net.awaitListening(port);
    TestSink.State sink = TestSink.state(id);
    try (Socket s = Net.connect(port)) {
      Net.send(s, NGINX + "\n" + "\u00ff garbage\n" + NGINX.replace("404", "200") + "\r\n");
      await().atMost(Duration.ofSeconds(10)).until(() -> sink.received.size() == 3);
    }
    assertThat(sink.received.get(0).record()).containsEntry("code", 404L).containsEntry("path", "/a")
        .containsEntry("from", "127.0.0.1").doesNotContainKey("message");
    assertThat(sink.received.get(0).timeNanos())
        .isEqualTo(Instant.parse("2026-11-21T05:38:12Z").getEpochSecond() * 1_000_000_000L);
    assertThat(sink.received.get(1).record()).isEqualTo(Map.of("message", "\u00ff garbage", "from", "127.0.0.1"));
    assertThat(sink.received.get(2).record()).containsEntry("code", 200L);
    await().atMost(Duration.ofSeconds(10)).until(() -> Net.counter(agent, 0, "parse_errors") == 1);
  }

  @Test
  void udpLogfmtDatagramsBecomeTypedFields() throws Exception {
    int port = Net.freePort();
    start("""
        - task:
          - in.Udp: {port: %d, format: logfmt, types: {status: int}}
          - out.TestSink: {name: %s}
        """.formatted(port, id));
    TestSink.State sink = TestSink.state(id);
    InetAddress lo = InetAddress.getLoopbackAddress();
    try (DatagramSocket s = new DatagramSocket()) {
      byte[] d = "level=warn status=503 msg=\"slow upstream\"\nlevel=info status=200".getBytes(StandardCharsets.UTF_8);
      await().atMost(Duration.ofSeconds(20)).pollInterval(Duration.ofMillis(200)).until(() -> {
        s.send(new DatagramPacket(d, d.length, lo, port)); // the input starts on its task's thread: until one is seen
        return sink.received.size() >= 2;
      });
    }
    assertThat(sink.received.get(0).record()).isEqualTo(Map.of("level", "warn", "status", 503L, "msg",
        "slow upstream"));
    assertThat(sink.received.get(1).record()).isEqualTo(Map.of("level", "info", "status", 200L));
  }

  @Test
  void aFormatThatIsNeitherOwnNorAParserAndParserOptionsOnAnOwnFormatAreConfigErrors() {
    ConfigLoader loader = new ConfigLoader(PluginRegistry.builtIn(), Map.of());
    assertThatThrownBy(() -> loader.parse("t.yml", """
        - task:
          - in.Tcp: {format: yaml}
          - out.Stdout
        """)).hasMessageContaining("t.yml:2:").hasMessageContaining("neither json_lines");
    assertThatThrownBy(() -> loader.parse("t.yml", """
        - task:
          - in.Udp: {format: lines, regex: 'x'}
          - out.Stdout
        """)).hasMessageContaining("options of a parser format");
    assertThatThrownBy(() -> loader.parse("t.yml", """
        - task:
          - in.Tcp: {format: regex}
          - out.Stdout
        """)).hasMessageContaining("regex");
  }
}
