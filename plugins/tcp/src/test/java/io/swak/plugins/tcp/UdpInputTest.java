package io.swak.plugins.tcp;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.swak.core.testing.AgentTestBase;
import io.swak.core.testing.Ports;
import io.swak.core.testing.TestSink;
import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * in.Udp receiving datagrams in the form python-logstash-async's UDP transport sends: one {@code json.dumps}
 * of LogstashFormatter's message per datagram (", " and ": " separators, ASCII with \\u escapes, no newline,
 * @timestamp with milliseconds, the "extra" fields nested).
 */
class UdpInputTest extends AgentTestBase {

  static String pythonLogstashAsync(int n) {
    return "{\"@timestamp\": \"2026-12-02T01:50:00.%03dZ\", \"@version\": \"1\", \"host\": \"web-1\", \"level\": \"ERROR\", "
        .formatted(n % 1000)
        + "\"logsource\": \"web-1\", \"message\": \"caf\\u00e9 order " + n + " failed\", \"pid\": 4242, "
        + "\"program\": \"/srv/app.py\", \"type\": \"python-logstash\", \"extra\": {\"func_name\": \"handle\", "
        + "\"interpreter\": \"/usr/bin/python3\", \"interpreter_version\": \"3.11.2\", \"line\": 42, "
        + "\"logger_name\": \"shop\", \"logstash_async_version\": \"4.0.1\", \"path\": \"/srv/app.py\", "
        + "\"process_name\": \"MainProcess\", \"thread_name\": \"MainThread\", \"order_id\": " + n + ", "
        + "\"stack_trace\": \"Traceback (most recent call last):\\n  File \\\"/srv/app.py\\\", line 42\\n\"}}";
  }

  @Test
  void datagramsOfPythonLogstashAsyncBecomeEventsAndBadOnesAreCounted() throws Exception {
    int port = Ports.free();
    start("""
        - task:
          - in.Udp: {port: %d, tag: app.python, max_message_size: 2KiB}
          - out.TestSink: {name: %s}
        """.formatted(port, id));
    TestSink.State sink = TestSink.state(id);
    InetAddress lo = InetAddress.getLoopbackAddress();
    java.util.function.LongSupplier sent = () -> sink.received.stream()
        .filter(e -> !"probe".equals(e.record().get("message"))).count();
    try (DatagramSocket s = new DatagramSocket()) {
      // the input starts on its task's thread: probe until one is seen
      byte[] probe = "{\"message\": \"probe\"}".getBytes(StandardCharsets.UTF_8);
      await().atMost(Duration.ofSeconds(20)).pollInterval(Duration.ofMillis(100)).until(() -> {
        s.send(new DatagramPacket(probe, probe.length, lo, port));
        return !sink.received.isEmpty();
      });
      for (int i = 1; i <= 200; i++) {
        byte[] d = pythonLogstashAsync(i).getBytes(StandardCharsets.UTF_8);
        s.send(new DatagramPacket(d, d.length, lo, port));
        if (i == 100) {
          byte[] bad = "not json at all".getBytes(StandardCharsets.UTF_8);
          s.send(new DatagramPacket(bad, bad.length, lo, port));
          byte[] big = ("{\"message\": \"" + "z".repeat(5000) + "\"}").getBytes(StandardCharsets.UTF_8);
          s.send(new DatagramPacket(big, big.length, lo, port));
        }
        if (i % 50 == 0) {
          long want = i + (i > 100 ? 1 : 0);
          // wait now and then so the kernel never has to drop (UDP has no backpressure)
          await().atMost(Duration.ofSeconds(10)).until(() -> sent.getAsLong() >= want);
        }
      }
      await().atMost(Duration.ofSeconds(10)).until(() -> sent.getAsLong() == 201);
    }
    var orders = sink.received.stream().filter(e -> e.record().containsKey("extra")).toList();
    assertThat(orders).hasSize(200);
    Map<String, Object> r = orders.get(0).record();
    assertThat(r).containsEntry("message", "caf\u00e9 order 1 failed").containsEntry("level", "ERROR")
        .containsEntry("pid", 4242L).containsEntry("type", "python-logstash").doesNotContainKey("@timestamp");
    @SuppressWarnings("unchecked")
    Map<String, Object> extra = (Map<String, Object>) r.get("extra");
    assertThat(extra).containsEntry("order_id", 1L).containsEntry("logger_name", "shop");
    assertThat((String) extra.get("stack_trace")).startsWith("Traceback (most recent call last):\n");
    Instant t = Instant.parse("2026-12-02T01:50:00.001Z");
    assertThat(orders.get(0).timeNanos()).isEqualTo(t.getEpochSecond() * 1_000_000_000L + t.getNano());
    assertThat(orders.get(0).tag()).isEqualTo("app.python");
    assertThat(sink.received.stream().map(e -> e.record().get("message"))).contains("not json at all");
    await().atMost(Duration.ofSeconds(5)).until(() -> Net.counter(agent, 0, "invalid_json") == 1
        && Net.counter(agent, 0, "oversized_datagrams") == 1);
  }
}
