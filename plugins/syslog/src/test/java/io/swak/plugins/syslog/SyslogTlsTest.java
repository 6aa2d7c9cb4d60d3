package io.swak.plugins.syslog;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.swak.core.testing.AgentTestBase;
import io.swak.core.testing.Certificates;
import io.swak.core.testing.Ports;
import io.swak.core.testing.TestSink;
import java.io.OutputStream;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;

/** out.Syslog to in.Syslog over TLS (RFC 5425) with certificates of a test CA; plaintext on the TLS port fails. */
class SyslogTlsTest extends AgentTestBase {

  @Test
  void eventsCrossTlsWithTheServerCertificateCheckedAndPlaintextIsRefusedCounted() throws Exception {
    Certificates certs = new Certificates(dir);
    certs.issue("server", "localhost", true, "localhost");
    int tlsPort = Ports.free();
    int plainPort = Ports.free();
    start("""
        - task:
          - in.Syslog: {protocol: tls, port: %d, cert_file: "%s", key_file: "%s", tag: secure}
          - out.TestSink: {name: %s}
        - task:
          - in.Syslog: {protocol: tcp, port: %d}
          - out.Syslog: {protocol: tls, host: localhost, port: %d, ca_file: "%s"}
        """.formatted(tlsPort, certs.dir.resolve("server.crt"), certs.dir.resolve("server.key"), id, plainPort,
        tlsPort, certs.caFile()));
    // plaintext on the TLS port: the handshake fails, counted, and the port keeps serving
    try (Socket plain = Rsyslog.connect(tlsPort)) {
      plain.getOutputStream().write("20 <14>1 - - - - - - plain\n".getBytes(StandardCharsets.US_ASCII));
      plain.getOutputStream().flush();
      plain.setSoTimeout(10_000);
      plain.getInputStream().readAllBytes(); // until the server closes
    }
    try (Socket s = Rsyslog.connect(plainPort)) {
      OutputStream out = s.getOutputStream();
      for (int i = 1; i <= 100; i++) {
        byte[] m = ("<14>1 2026-03-04T05:06:07Z h app - - - secret " + i).getBytes(StandardCharsets.UTF_8);
        out.write((m.length + " ").getBytes(StandardCharsets.US_ASCII));
        out.write(m);
      }
      out.flush();
    }
    TestSink.State sink = TestSink.state(id);
    await().atMost(Duration.ofSeconds(30)).until(() -> sink.received.size() >= 100);
    List<Object> got = sink.received.stream().map(e -> e.record().get("message")).toList();
    assertThat(got).hasSize(100).startsWith("secret 1").endsWith("secret 100");
    assertThat(agent.tasks().get(0).counters().get(0).snapshot().get("tls_errors")).isEqualTo(1);
  }

  @Test
  void aServerCertificateNotSignedByTheTrustedCaIsRefusedAndRetried() throws Exception {
    Certificates trusted = new Certificates(dir.resolve("trusted"));
    Certificates other = new Certificates(dir.resolve("other"));
    other.issue("server", "localhost", true, "localhost");
    int tlsPort = Ports.free();
    start("""
        - task:
          - in.Syslog: {protocol: tls, port: %d, cert_file: "%s", key_file: "%s"}
          - out.TestSink: {name: %s}
        - task:
          - in.TestSource: {name: %s, total: 10}
          - out.Syslog: {protocol: tls, host: localhost, port: %d, ca_file: "%s", retry_wait: 50ms}
        """.formatted(tlsPort, other.dir.resolve("server.crt"), other.dir.resolve("server.key"), id, id, tlsPort,
        trusted.caFile()));
    // (the first tries may come before in.Syslog listens: connection refused)
    await().atMost(Duration.ofSeconds(30)).until(() -> String.valueOf(agent.tasks().get(1).counters().get(1)
        .lastFailure()).startsWith("TLS with syslog server localhost"));
    assertThat(TestSink.state(id).received).isEmpty();
    await().atMost(Duration.ofSeconds(10)).until(() -> agent.tasks().get(0).counters().get(0).snapshot()
        .getOrDefault("tls_errors", 0L) > 0);
    assertThat(agent.tasks().get(1).counters().get(1).lastFailure()).doesNotContain("java.");
  }
}
