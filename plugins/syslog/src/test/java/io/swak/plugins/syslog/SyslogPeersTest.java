package io.swak.plugins.syslog;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.swak.api.Event;
import io.swak.core.testing.AgentTestBase;
import io.swak.core.testing.Ports;
import io.swak.core.testing.TestSink;
import java.io.OutputStream;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/** in.Syslog and out.Syslog against the real rsyslogd and util-linux logger. */
class SyslogPeersTest extends AgentTestBase {

  private TestSink.State sink() {
    return TestSink.state(id);
  }

  private List<Event> waitFor(int n) {
    await().atMost(Duration.ofSeconds(30)).untilAsserted(() -> assertThat(sink().received.size())
        .as(() -> "received " + sink().received).isGreaterThanOrEqualTo(n));
    return sink().received;
  }

  @Test
  void rsyslogForwardsRfc5424OverTcpAndRfc3164OverUdpIntoInSyslog() throws Exception {
    int rsyslogIn = Ports.free();
    int tcp = Ports.free();
    int udp = Ports.free();
    start("""
        - task:
          - in.Syslog: {protocol: tcp, port: %d, tag: from.tcp, time_zone: UTC}
          - out.TestSink: {name: %s}
        - task:
          - in.Syslog: {protocol: udp, port: %d, tag: from.udp, time_zone: UTC}
          - out.TestSink: {name: %s}
        """.formatted(tcp, id, udp, id));
    await().until(() -> agent.tasks().stream().allMatch(t -> t.state().equals("running")));
    try (Rsyslog r = Rsyslog.start(dir.resolve("rsyslog"), """
        module(load="imtcp")
        input(type="imtcp" address="127.0.0.1" port="%d" ruleset="forward")
        ruleset(name="forward") {
          action(type="omfwd" target="127.0.0.1" port="%d" protocol="tcp" TCP_Framing="octet-counted"
                 action.resumeRetryCount="-1" template="RSYSLOG_SyslogProtocol23Format")
          action(type="omfwd" target="127.0.0.1" port="%d" protocol="udp"
                 action.resumeRetryCount="-1" template="RSYSLOG_TraditionalForwardFormat")
        }
        """.formatted(rsyslogIn, tcp, udp), rsyslogIn)) {
      List<byte[]> messages = new ArrayList<>();
      for (int i = 1; i <= 50; i++) {
        messages.add(("<165>1 2026-03-04T05:06:07.123456Z web-" + i + " shop 42" + i + " ORDER [order@32473 id=\"" + i
            + "\" note=\"a \\\"quoted\\\" \\] bracket\"][meta n=\"" + i + "\"] order " + i + " placed: caf\u00e9")
            .getBytes(StandardCharsets.UTF_8));
      }
      // a byte sequence that is not UTF-8 (Latin-1 e-acute) must arrive unchanged
      messages.add("<14>1 2026-03-04T05:06:08Z old-host legacy - - - caf\u00e9 latin-1".getBytes(
          StandardCharsets.ISO_8859_1));
      try (Socket s = new Socket("127.0.0.1", rsyslogIn)) {
        OutputStream out = s.getOutputStream();
        for (byte[] m : messages) {
          out.write((m.length + " ").getBytes(StandardCharsets.US_ASCII));
          out.write(m);
        }
        out.flush();
      }
      List<Event> got;
      try {
        got = waitFor(2 * messages.size());
      } catch (AssertionError | RuntimeException e) {
        throw new AssertionError("rsyslogd said: " + r.output(), e);
      }
      List<Event> tcpEvents = got.stream().filter(e -> e.tag().equals("from.tcp")).toList();
      List<Event> udpEvents = got.stream().filter(e -> e.tag().equals("from.udp")).toList();
      assertThat(tcpEvents).hasSize(messages.size());
      assertThat(udpEvents).hasSize(messages.size());

      Event first = tcpEvents.stream().filter(e -> "web-1".equals(e.record().get("host"))).findFirst().orElseThrow();
      Map<String, Object> r5424 = first.record();
      assertThat(r5424).containsEntry("pri", 165L).containsEntry("facility", "local4").containsEntry("severity",
          "notice").containsEntry("ident", "shop").containsEntry("pid", "421").containsEntry("msgid", "ORDER");
      assertThat(r5424.get("message")).isEqualTo("order 1 placed: caf\u00e9");
      assertThat(r5424.get("structured_data")).isEqualTo(Map.of("order@32473", Map.of("id", "1", "note",
          "a \"quoted\" ] bracket"), "meta", Map.of("n", "1")));
      assertThat(Instant.ofEpochSecond(0, first.timeNanos())).isEqualTo(Instant.parse("2026-03-04T05:06:07.123456Z"));

      Event bsd = udpEvents.stream().filter(e -> "web-1".equals(e.record().get("host"))).findFirst().orElseThrow();
      assertThat(bsd.record()).containsEntry("pri", 165L).containsEntry("ident", "shop").containsEntry("pid", "421");
      assertThat((String) bsd.record().get("message")).contains("order 1 placed: caf\u00e9");
      assertThat(Instant.ofEpochSecond(0, bsd.timeNanos()).toString()).endsWith("-03-04T05:06:07Z");
      assertThat(r.alive()).isTrue();
    }
  }

  @Test
  void loggerMessagesOverTcpAndUdpParseWithoutLossOfText() throws Exception {
    Path logger = Rsyslog.logger();
    int tcp = Ports.free();
    int udp = Ports.free();
    start("""
        - task:
          - in.Syslog: {protocol: tcp, port: %d, tag: tcp}
          - out.TestSink: {name: %s}
        - task:
          - in.Syslog: {protocol: udp, port: %d, tag: udp, source_address_key: source}
          - out.TestSink: {name: %s}
        """.formatted(tcp, id, udp, id));
    await().until(() -> agent.tasks().stream().allMatch(t -> t.state().equals("running")));
    run(logger.toString(), "--rfc5424", "--octet-count", "-T", "-n", "127.0.0.1", "-P", String.valueOf(tcp), "-t",
        "billing", "--msgid", "INV", "--sd-id", "invoice@32473", "--sd-param", "total=\"12.50\"", "-p",
        "local3.warning", "tcp: total  is   12.50 [EUR]");
    run(logger.toString(), "--rfc3164", "-d", "-n", "127.0.0.1", "-P", String.valueOf(udp), "-t", "cron", "-p",
        "cron.info", "udp: job done: 3 files");
    List<Event> got = waitFor(2);
    Event t = got.stream().filter(e -> e.tag().equals("tcp")).findFirst().orElseThrow();
    assertThat(t.record()).containsEntry("ident", "billing").containsEntry("msgid", "INV")
        .containsEntry("facility", "local3").containsEntry("severity", "warn")
        .containsEntry("message", "tcp: total  is   12.50 [EUR]");
    // logger adds its timeQuality element
    assertThat((Map<String, Object>) t.record().get("structured_data")).containsEntry("invoice@32473", Map.of("total", "12.50"));
    Event u = got.stream().filter(e -> e.tag().equals("udp")).findFirst().orElseThrow();
    assertThat(u.record()).containsEntry("ident", "cron").containsEntry("facility", "cron")
        .containsEntry("severity", "info").containsEntry("message", "udp: job done: 3 files")
        .containsEntry("source", "127.0.0.1");
  }

  @Test
  void outSyslogDeliversToRsyslogOverTcpAsRfc5424AndOverUdpAsRfc3164WithTheFieldsOfTheRecord() throws Exception {
    int rsTcp = Ports.free();
    int rsUdp = Ports.free();
    int in5424 = Ports.free();
    int in3164 = Ports.free();
    Path tcpFile = dir.resolve("rsyslog/tcp.log");
    Path udpFile = dir.resolve("rsyslog/udp.log");
    try (Rsyslog r = Rsyslog.start(dir.resolve("rsyslog"), """
        module(load="imtcp")
        module(load="imudp")
        template(name="fields" type="string"
                 string="%%pri%%|%%hostname%%|%%app-name%%|%%procid%%|%%msgid%%|%%structured-data%%|%%msg%%\n")
        input(type="imtcp" address="127.0.0.1" port="%d" ruleset="tcp")
        input(type="imudp" address="127.0.0.1" port="%d" ruleset="udp")
        ruleset(name="tcp") { action(type="omfile" file="%s" template="fields") }
        ruleset(name="udp") { action(type="omfile" file="%s" template="fields") }
        """.formatted(rsTcp, rsUdp, tcpFile, udpFile), rsTcp)) {
      // events made by in.Syslog from what a sender wrote, relayed by out.Syslog: the fields round-trip
      start("""
          - task:
            - in.Syslog: {protocol: tcp, port: %d}
            - out.Syslog: {protocol: tcp, port: %d, format: rfc5424}
          - task:
            - in.Syslog: {protocol: tcp, port: %d}
            - out.Syslog: {protocol: udp, port: %d, format: rfc3164}
          """.formatted(in5424, rsTcp, in3164, rsUdp));
      for (int port : new int[] {in5424, in3164}) {
        try (Socket s = Rsyslog.connect(port)) {
          OutputStream out = s.getOutputStream();
          for (int i = 1; i <= 20; i++) {
            byte[] m = ("<134>1 2026-03-04T05:06:07.5Z web-" + i + " shop " + (100 + i) + " ORDER [order@32473 id=\""
                + i + "\"] order " + i + " caf\u00e9").getBytes(StandardCharsets.UTF_8);
            out.write((m.length + " ").getBytes(StandardCharsets.US_ASCII));
            out.write(m);
          }
          out.flush();
        }
      }
      await().atMost(Duration.ofSeconds(30)).until(() -> read(tcpFile).lines().count() >= 20
          && read(udpFile).lines().count() >= 20);
      List<String> tcpLines = Files.readAllLines(tcpFile, StandardCharsets.UTF_8);
      assertThat(tcpLines).hasSize(20).contains("134|web-1|shop|101|ORDER|[order@32473 id=\"1\"]|order 1 caf\u00e9");
      List<String> udpLines = Files.readAllLines(udpFile, StandardCharsets.UTF_8);
      // RFC 3164 has no MSGID nor STRUCTURED-DATA; rsyslog's %msg% keeps the space after "tag:"
      assertThat(udpLines).hasSize(20).contains("134|web-1|shop|101|-|-| order 1 caf\u00e9");
      assertThat(r.alive()).isTrue();
    }
  }

  static void run(String... command) throws Exception {
    Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
    assertThat(p.waitFor(20, TimeUnit.SECONDS)).isTrue();
    String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    assertThat(p.exitValue()).as(String.join(" ", command) + ": " + out).isZero();
  }

  static String read(Path p) throws Exception {
    return Files.exists(p) ? Files.readString(p, StandardCharsets.ISO_8859_1) : "";
  }
}
