package io.swak.plugins.http;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.swak.core.testing.AgentTestBase;
import io.swak.core.testing.Certificates;
import io.swak.core.testing.Ports;
import io.swak.core.testing.TestSink;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * out.Http honours a real server's Retry-After (the JDK's HTTP server answering 429 and 503): the runtime waits what
 * the server asked instead of its shorter backoff, never more than retry_max_wait; and https with ca_file.
 */
class HttpRetryAfterTest extends AgentTestBase {

  /** Runs {@code total} events of in.TestSource in batches of 5 into out.Http with {@code options} against server. */
  private void send(HttpReceiver server, int total, String options) throws Exception {
    start("""
        - task:
          - in.TestSource: {name: %s, batch: 5, total: %d}
          - out.Http: {url: "%s", retry_wait: 10ms, %s}
        """.formatted(id, total, server.url("/busy"), options));
  }

  private static long gapMillis(List<Long> arrivals, int i) {
    return (arrivals.get(i) - arrivals.get(i - 1)) / 1_000_000;
  }

  @Test
  void a429WithRetryAfterSecondsIsSentAgainNoSoonerThanAsked() throws Exception {
    try (HttpReceiver server = new HttpReceiver()) {
      server.refuseNext.set(2);
      server.retryAfter = "1";
      send(server, 5, "retry_max_wait: 10s");
      await().atMost(Duration.ofSeconds(30)).until(() -> server.requests.size() == 1);
      assertThat(server.arrivals).hasSize(3);
      // the backoff alone would have sent again after ~10 and ~20 ms
      assertThat(gapMillis(server.arrivals, 1)).isGreaterThanOrEqualTo(950);
      assertThat(gapMillis(server.arrivals, 2)).isGreaterThanOrEqualTo(950);
      assertThat(agent.tasks().get(0).counters().get(1).snapshot().get("retries")).isEqualTo(2);
    }
  }

  @Test
  void a503WithAnHttpDateWaitsUntilThenAlsoInAWindow() throws Exception {
    try (HttpReceiver server = new HttpReceiver()) {
      server.refuseNext.set(1);
      server.refuseWith = 503;
      // an HTTP date has whole seconds: at least 2 s from now, and the agent starts within them
      Instant date = Instant.now().plusSeconds(3).truncatedTo(java.time.temporal.ChronoUnit.SECONDS);
      server.retryAfter = DateTimeFormatter.RFC_1123_DATE_TIME.format(date.atOffset(ZoneOffset.UTC));
      send(server, 10, "in_flight: 4, retry_max_wait: 10s");
      await().atMost(Duration.ofSeconds(30)).until(() -> server.requests.size() == 2);
      // the refused batch went again at the server's date, not 10 ms later (the batch beside it was not refused)
      assertThat(server.arrivedAt).hasSize(3);
      assertThat(server.arrivedAt.get(2)).isAfterOrEqualTo(date.minusMillis(20));
      assertThat(server.requests.stream().mapToLong(r -> r.text().split("\"seq\"").length - 1).sum()).isEqualTo(10);
    }
  }

  @Test
  void aRetryAfterLongerThanRetryMaxWaitIsCutToIt() throws Exception {
    try (HttpReceiver server = new HttpReceiver()) {
      server.refuseNext.set(1);
      server.retryAfter = "3600";
      send(server, 5, "retry_max_wait: 300ms");
      await().atMost(Duration.ofSeconds(30)).until(() -> server.requests.size() == 1);
      assertThat(gapMillis(server.arrivals, 1)).isBetween(250L, 5000L);
    }
  }

  @Test
  void retryAfterValues() {
    Instant now = Instant.parse("2026-12-02T10:00:00Z");
    assertThat(HttpOutput.retryAfter("120", now)).isEqualTo(Duration.ofMinutes(2));
    assertThat(HttpOutput.retryAfter(" 0 ", now)).isEqualTo(Duration.ZERO);
    assertThat(HttpOutput.retryAfter("Wed, 02 Dec 2026 10:00:30 GMT", now)).isEqualTo(Duration.ofSeconds(30));
    assertThat(HttpOutput.retryAfter("Wed, 02 Dec 2026 09:00:00 GMT", now)).as("already past").isEqualTo(Duration.ZERO);
    assertThat(HttpOutput.retryAfter("99999999999999999999", now)).isEqualTo(Duration.ofDays(1));
    assertThat(HttpOutput.retryAfter("soon", now)).isNull();
    assertThat(HttpOutput.retryAfter("-5", now)).isNull();
    assertThat(HttpOutput.retryAfter(null, now)).isNull();
  }

  @Test
  void httpsToInHttpTrustsTheCaFileAndFailsWithoutIt() throws Exception {
    Certificates certs = new Certificates(dir.resolve("tls"));
    certs.issue("server", "localhost", true, "localhost");
    certs.issue("client", "agent", false);
    int port = Ports.free();
    String in = """
        - task:
          - in.Http: {port: %d, cert_file: "%s", key_file: "%s"}
          - out.TestSink: {name: %s}
        """.formatted(port, certs.dir.resolve("server.crt"), certs.dir.resolve("server.key"), id);
    start(in + """
        - task:
          - in.TestSource: {name: %s, batch: 10, total: 10}
          - out.Http: {url: "https://localhost:%d/secure", ca_file: "%s", cert_file: "%s", key_file: "%s", retry_wait: 50ms,
                      retry_max_wait: 200ms}
        """.formatted(id, port, certs.caFile(), certs.dir.resolve("client.crt"), certs.dir.resolve("client.key")));
    TestSink.State sink = TestSink.state(id);
    await().atMost(Duration.ofSeconds(30)).until(() -> sink.received.size() == 10);
    assertThat(sink.received).allSatisfy(e -> assertThat(e.tag()).isEqualTo("secure"));
    agent.stop();
    agent = null;

    // without ca_file the JVM's trust store does not know the test CA: failures, retried, nothing delivered
    sink.received.clear();
    String other = id + "-untrusted";
    start(in + """
        - task:
          - in.TestSource: {name: %s, batch: 10, total: 10}
          - out.Http: {url: "https://localhost:%d/secure", retry_wait: 50ms, retry_max_wait: 100ms}
        """.formatted(other, port));
    // in.Http may still be starting (its first failures are then "connection failed"): wait for the TLS one
    String untrusted = "cannot reach https://localhost:" + port
        + ": TLS: the server's certificate is not signed by a CA this agent trusts (set ca_file)";
    await().atMost(Duration.ofSeconds(30)).until(() -> untrusted.equals(
        agent.tasks().get(1).counters().get(1).lastFailure()));
    assertThat(agent.tasks().get(1).counters().get(1).snapshot().getOrDefault("errors", 0L)).isGreaterThanOrEqualTo(1);
    assertThat(sink.received).isEmpty();
  }
}
