package io.swak.plugins.tcp;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.swak.core.testing.AgentTestBase;
import io.swak.core.testing.TestSource;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * What out.Tcp writes, read by a plain line server as Logstash's tcp input (codec json_lines) reads it:
 * one JSON object per line, @timestamp first in RFC 3339 with nanoseconds; format lines writes the message.
 */
class TcpOutputWireTest extends AgentTestBase {

  private static final ObjectMapper JSON = new ObjectMapper();
  private final List<String> lines = new CopyOnWriteArrayList<>();
  private final AtomicInteger connections = new AtomicInteger();
  private ServerSocket server;
  /** While true, connections are accepted and held without a byte read. */
  private volatile boolean deaf;
  private final List<Socket> held = new CopyOnWriteArrayList<>();

  private int listen() throws Exception {
    server = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
    Thread t = new Thread(() -> {
      while (!server.isClosed()) {
        try {
          Socket s = server.accept();
          connections.incrementAndGet();
          if (deaf) {
            held.add(s);
            continue;
          }
          Thread r = new Thread(() -> {
            try (s; BufferedReader in = new BufferedReader(new InputStreamReader(s.getInputStream(),
                StandardCharsets.UTF_8))) {
              for (String l; (l = in.readLine()) != null; ) {
                lines.add(l);
              }
            } catch (Exception e) {
              // the test's server: a reset ends the connection
            }
          });
          r.setDaemon(true);
          r.start();
        } catch (Exception e) {
          return;
        }
      }
    });
    t.setDaemon(true);
    t.start();
    return server.getLocalPort();
  }

  @AfterEach
  void close() throws Exception {
    if (agent != null) {
      agent.stop();
      agent = null;
    }
    server.close();
    for (Socket s : held) {
      s.close();
    }
  }

  private java.util.Set<Long> seqs() throws Exception {
    java.util.Set<Long> seqs = new java.util.HashSet<>();
    for (String l : lines) {
      seqs.add(JSON.readTree(l).get("seq").asLong());
    }
    return seqs;
  }

  @Test
  void aServerThatStopsReadingHitsTheSendTimeoutAndTheBatchGoesAgainOnANewConnection() throws Exception {
    deaf = true;
    int port = listen();
    // batches of ~10 MB: more than the loopback socket buffers take while nothing reads
    start("""
        - task:
          - in.TestSource: {name: %s, batch: 100, total: 200, pad: 100000}
          - out.Tcp: {host: 127.0.0.1, port: %d, send_timeout: 300ms, retry_wait: 50ms, retry_max_wait: 200ms}
        """.formatted(id, port));
    await().atMost(Duration.ofSeconds(20)).until(() -> String.valueOf(agent.tasks().get(0).counters().get(1)
        .lastFailure()).contains("the server did not take the data within send_timeout (300 ms)"));
    assertThat(TestSource.state(id).window.committed()).isZero();
    deaf = false;
    await().atMost(Duration.ofSeconds(30)).until(() -> TestSource.state(id).window.committed() == 200);
    // written is delivered without acks: the server's reader may still be taking the last lines from its socket
    await().atMost(Duration.ofSeconds(30)).until(() -> seqs().size() == 200);
    assertThat(seqs()).contains(1L, 200L);
  }

  @Test
  void jsonLinesCarryTheTimeFirstAndAConnectionPerBatchWithoutKeepalive() throws Exception {
    int port = listen();
    start("""
        - task:
          - in.TestSource: {name: %s, batch: 100, total: 1000}
          - out.Tcp: {host: 127.0.0.1, port: %d, keepalive: false}
        """.formatted(id, port));
    await().atMost(Duration.ofSeconds(30)).until(() -> lines.size() == 1000);
    await().atMost(Duration.ofSeconds(10)).until(() -> TestSource.state(id).window.committed() == 1000);
    assertThat(connections.get()).as("a connection per batch").isEqualTo(10);
    for (int i = 0; i < 1000; i++) {
      String l = lines.get(i);
      assertThat(l).startsWith("{\"@timestamp\":\"");
      JsonNode n = JSON.readTree(l);
      assertThat(n.get("seq").asLong()).isEqualTo(i + 1);
      Instant t = Instant.parse(n.get("@timestamp").asText());
      assertThat(n.get("@timestamp").asText()).matches(".*T\\d\\d:\\d\\d:\\d\\d\\.\\d{9}Z");
      // in.TestSource times event n at n nanoseconds after the epoch: the nanoseconds survive
      assertThat(t).isEqualTo(Instant.ofEpochSecond(0, i + 1));
    }
  }

  @Test
  void formatLinesWritesTheMessageField() throws Exception {
    int port = listen();
    start("""
        - task:
          - in.TestSource: {name: %s, batch: 50, total: 200}
          - out.Tcp: {host: 127.0.0.1, port: %d, format: lines, message_key: seq}
        """.formatted(id, port));
    await().atMost(Duration.ofSeconds(30)).until(() -> lines.size() == 200);
    // seq is a number, not a string: the record is written as JSON instead
    assertThat(JSON.readTree(lines.get(0)).get("seq").asLong()).isEqualTo(1);
    assertThat(connections.get()).as("one kept connection").isEqualTo(1);
  }
}
