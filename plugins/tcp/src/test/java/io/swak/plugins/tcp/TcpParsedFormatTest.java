package io.swak.plugins.tcp;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import io.swak.core.config.ConfigLoader;
import io.swak.core.config.PluginRegistry;
import io.swak.core.testing.AgentTestBase;
import io.swak.core.testing.Ports;
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

  /** Starts in.Tcp with these options (after its port) into this test's sink; returns the port, listening. */
  private int startTcp(String options) throws Exception {
    int port = Ports.free();
    start("""
        - task:
          - in.Tcp: {port: %d, %s}
          - out.TestSink: {name: %s}
        """.formatted(port, options, id));
    Net.awaitListening(port);
    return port;
  }

  /**
   * Starts in.Udp with these options into this test's sink and sends {@code datagram} until {@code events} arrived
   * (the input starts on its task's thread: what comes before is lost, as UDP is).
   */
  private TestSink.State udpUntil(String options, String datagram, int events) throws Exception {
    int port = Ports.free();
    start("""
        - task:
          - in.Udp: {port: %d, %s}
          - out.TestSink: {name: %s}
        """.formatted(port, options, id));
    TestSink.State sink = TestSink.state(id);
    InetAddress lo = InetAddress.getLoopbackAddress();
    byte[] d = datagram.getBytes(StandardCharsets.UTF_8);
    try (DatagramSocket s = new DatagramSocket()) {
      await().atMost(Duration.ofSeconds(20)).pollInterval(Duration.ofMillis(200)).until(() -> {
        s.send(new DatagramPacket(d, d.length, lo, port));
        return sink.received.size() >= events;
      });
    }
    return sink;
  }

  @Test
  void tcpNginxLinesBecomeFieldsWithTheSourceAndABadLineStaysTextCounted() throws Exception {
    int port = startTcp("format: nginx, source_key: from");
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
    TestSink.State sink = udpUntil("format: logfmt, types: {status: int}",
        "level=warn status=503 msg=\"slow upstream\"\nlevel=info status=200", 2);
    assertThat(sink.received.get(0).record()).isEqualTo(Map.of("level", "warn", "status", 503L, "msg",
        "slow upstream"));
    assertThat(sink.received.get(1).record()).isEqualTo(Map.of("level", "info", "status", 200L));
  }

  @Test
  void tcpBadLinesGoToTheDeadLetterFileCountedAndTheConnectionGoesOn() throws Exception {
    int port = startTcp("format: json, time_key: at, time_format: iso8601, on_error: dead_letter");
    TestSink.State sink = TestSink.state(id);
    java.io.ByteArrayOutputStream b = new java.io.ByteArrayOutputStream();
    b.writeBytes("{\"n\":1}\n{\"n\":2,\"msg\":\"caf".getBytes(StandardCharsets.UTF_8));
    b.writeBytes(new byte[] {(byte) 0xFF, (byte) 0xFE}); // invalid UTF-8 in a value: passed on as its bytes
    b.writeBytes("\"}\n".getBytes(StandardCharsets.UTF_8));
    b.write(0xFF); // invalid UTF-8 before the object: not JSON
    b.writeBytes("{\"n\":3}\n{\"n\":4,\"msg\":\"cut in ha\n{\"n\":5,\"big\":\"".getBytes(StandardCharsets.UTF_8));
    byte[] big = new byte[10 << 20]; // a 10 MB line: cut at max_line_size (1 MiB), so broken JSON
    java.util.Arrays.fill(big, (byte) 'x');
    b.writeBytes(big);
    b.writeBytes("\"}\n{\"n\":6,\"at\":\"yesterday noon\"}\n".getBytes(StandardCharsets.UTF_8));
    try (Socket s = Net.connect(port)) {
      s.getOutputStream().write(b.toByteArray());
      s.getOutputStream().flush();
      await().atMost(Duration.ofSeconds(20)).until(() -> sink.received.size() == 3);
      Net.send(s, "{\"n\":7}\n"); // the same connection goes on
      await().atMost(Duration.ofSeconds(10)).until(() -> sink.received.size() == 4);
    }
    assertThat(sink.received).extracting(e -> e.record().get("n")).containsExactly(1L, 2L, 6L, 7L);
    assertThat(sink.received.get(1).record().get("msg")).isEqualTo("caf\uFFFD\uFFFD");
    assertThat(sink.received.get(2).record()).containsEntry("at", "yesterday noon");
    java.nio.file.Path dead = dir.resolve("data").resolve("dead-letter").resolve("task_1.jsonl");
    await().atMost(Duration.ofSeconds(10)).until(() -> java.nio.file.Files.exists(dead) && letters(dead).size() == 3);
    assertThat(letters(dead)).anySatisfy(l -> assertThat(l).contains("cut in ha")
        .contains("format json: the text breaks the format"));
    assertThat(letters(dead)).anySatisfy(l -> assertThat(l).contains("format json: the text is not in this format"));
    assertThat(letters(dead)).anySatisfy(l -> assertThat(l).contains("xxxxxxxx").hasSizeGreaterThan(1 << 20));
    await().atMost(Duration.ofSeconds(10)).until(() -> Net.counter(agent, 0, "dead_lettered") == 3);
    assertThat(Net.counters(agent, 0)).containsEntry("parse_errors", 3L).containsEntry("no_match", 1L)
        .containsEntry("malformed", 2L).containsEntry("time_unparsed", 1L).containsEntry("long_lines", 1L);
    assertThat(agent.tasks().get(0).restarts()).isZero();
  }

  @Test
  void whenTheDeadLetterFileCannotBeWrittenTheLinesAreKeptInTheStream() throws Exception {
    java.nio.file.Files.createDirectories(dir.resolve("data"));
    java.nio.file.Files.writeString(dir.resolve("data").resolve("dead-letter"), "a file where the directory goes");
    int port = startTcp("format: json, on_error: dead_letter");
    TestSink.State sink = TestSink.state(id);
    try (Socket s = Net.connect(port)) {
      Net.send(s, "{\"n\":1}\n{\"n\":2,\"cut\n{\"n\":3}\n");
      await().atMost(Duration.ofSeconds(10)).until(() -> sink.received.size() == 3);
    }
    assertThat(sink.received).extracting(e -> e.record().get("n")).containsExactlyInAnyOrder(1L, 3L, null);
    assertThat(sink.received).anySatisfy(e -> assertThat(e.record()).isEqualTo(Map.of("message", "{\"n\":2,\"cut")));
    assertThat(Net.counter(agent, 0, "malformed")).isEqualTo(1);
    assertThat(agent.tasks().get(0).restarts()).isZero();
  }

  static java.util.List<String> letters(java.nio.file.Path dead) throws java.io.IOException {
    return new String(java.nio.file.Files.readAllBytes(dead), StandardCharsets.UTF_8).lines().toList();
  }

  @Test
  void tcpIntoAndKeepOriginalNestTheFieldsNextToTheLineAndTheSource() throws Exception {
    int port = startTcp("format: nginx, source_key: from, into: http, keep_original: true, message_key: line");
    TestSink.State sink = TestSink.state(id);
    try (Socket s = Net.connect(port)) {
      Net.send(s, NGINX + "\nnot an access line\n");
      await().atMost(Duration.ofSeconds(10)).until(() -> sink.received.size() == 2);
    }
    Map<String, Object> r = sink.received.get(0).record();
    assertThat(r).containsOnlyKeys("http", "line", "from").containsEntry("line", NGINX)
        .containsEntry("from", "127.0.0.1");
    @SuppressWarnings("unchecked")
    Map<String, Object> http = (Map<String, Object>) r.get("http");
    assertThat(http).containsEntry("code", 404L).containsEntry("remote", "203.0.113.9");
    assertThat(sink.received.get(1).record()).isEqualTo(Map.of("line", "not an access line", "from", "127.0.0.1"));
  }

  @Test
  void udpOnErrorDropDropsWhatTheRegexDoesNotMatchCounted() throws Exception {
    TestSink.State sink = udpUntil("format: regex, regex: '^(?<level>[A-Z]+) (?<msg>.*)$', on_error: drop",
        "WARN slow\nlowercase matches nothing\nINFO ok", 2);
    assertThat(sink.received.get(0).record()).isEqualTo(Map.of("level", "WARN", "msg", "slow"));
    assertThat(sink.received.get(1).record()).isEqualTo(Map.of("level", "INFO", "msg", "ok"));
    assertThat(sink.received).noneMatch(e -> e.record().containsKey("message"));
    await().atMost(Duration.ofSeconds(10)).until(() -> Net.counter(agent, 0, "dropped") >= 1);
    assertThat(Net.counter(agent, 0, "no_match")).isEqualTo(Net.counter(agent, 0, "dropped"));
    assertThat(agent.tasks().get(0).restarts()).isZero();
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
    assertThatThrownBy(() -> loader.parse("t.yml", """
        - task:
          - in.Tcp: {format: json_lines, on_error: drop}
          - out.Stdout
        """)).hasMessageContaining("options of a parser format");
    assertThatThrownBy(() -> loader.parse("t.yml", """
        - task:
          - in.Udp: {format: json, on_error: sometimes}
          - out.Stdout
        """)).hasMessageContaining("t.yml:2:").hasMessageContaining("keep, drop, dead_letter");
  }
}
