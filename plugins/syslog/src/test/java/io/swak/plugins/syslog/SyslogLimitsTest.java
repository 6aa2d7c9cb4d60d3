package io.swak.plugins.syslog;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.swak.api.Event;
import io.swak.core.testing.AgentTestBase;
import io.swak.core.testing.Ports;
import io.swak.core.testing.TestSink;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * Bad input on every port of in.Syslog: garbage, octet counts that lie, messages far over max_message_size,
 * bytes that are not UTF-8, more connections than allowed, thousands of idle ones. Each is counted, memory
 * stays bounded, and the other senders keep being served.
 */
class SyslogLimitsTest extends AgentTestBase {

  private TestSink.State sink() {
    return TestSink.state(id);
  }

  private Map<String, Long> inputCounters() {
    Map<String, Long> m = new java.util.TreeMap<>(agent.tasks().get(0).counters().get(0).snapshot());
    m.putAll(agent.tasks().get(0).counters().get(0).gauges());
    return m;
  }

  private int tcpInput(String options) throws Exception {
    int port = Ports.free();
    start("""
        - task:
          - in.Syslog: {protocol: tcp, port: %d%s}
          - out.TestSink: {name: %s}
        """.formatted(port, options, id));
    return port;
  }

  private static byte[] framed(String m) {
    byte[] b = m.getBytes(StandardCharsets.UTF_8);
    byte[] out = Arrays.copyOf((b.length + " ").getBytes(StandardCharsets.US_ASCII), b.length + 12);
    int head = (b.length + " ").length();
    System.arraycopy(b, 0, out, head, b.length);
    return Arrays.copyOf(out, head + b.length);
  }

  private void send(int port, byte[]... parts) throws Exception {
    try (Socket s = Rsyslog.connect(port)) {
      OutputStream out = s.getOutputStream();
      for (byte[] p : parts) {
        out.write(p);
      }
      out.flush();
    }
  }

  private List<String> messages() {
    return sink().received.stream().map(e -> String.valueOf(e.record().get("message"))).toList();
  }

  @Test
  void garbageIsKeptWholeAsUnparsedMessagesAndTheNextSenderIsServed() throws Exception {
    int port = tcpInput("");
    byte[] garbage = new byte[20_000];
    new Random(7).nextBytes(garbage);
    send(port, garbage);
    send(port, framed("<14>1 2026-03-04T05:06:07Z h app - - - after the garbage"));
    await().atMost(Duration.ofSeconds(20)).until(() -> messages().contains("after the garbage"));
    assertThat(inputCounters().get("unparsed_messages")).isPositive();
    // newline framing of random bytes: every byte that is not a line end is in some message
    long kept = sink().received.stream().filter(e -> e.record().get("pri") == null)
        .mapToLong(e -> ((String) e.record().get("message")).length()).sum();
    assertThat(kept).isPositive();
  }

  @Test
  void anOctetCountThatIsNotANumberClosesThatConnectionOnlyCounted() throws Exception {
    int port = tcpInput(", framing: octet_counting");
    try (Socket liar = Rsyslog.connect(port)) {
      liar.getOutputStream().write("12x4 <14>1 - - - - - - lies\n".getBytes(StandardCharsets.US_ASCII));
      liar.getOutputStream().flush();
      InputStream in = liar.getInputStream();
      liar.setSoTimeout(10_000);
      assertThat(in.read()).as("the server closes the connection").isEqualTo(-1);
    }
    send(port, framed("<14>1 - h app - - - honest"));
    await().atMost(Duration.ofSeconds(20)).until(() -> messages().contains("honest"));
    assertThat(inputCounters().get("framing_errors")).isEqualTo(1);
  }

  @Test
  void aCountLargerThanWhatFollowsKeepsWhatCameWhenTheSenderCloses() throws Exception {
    int port = tcpInput("");
    send(port, "500 <14>1 - h app - - - cut short".getBytes(StandardCharsets.US_ASCII));
    await().atMost(Duration.ofSeconds(20)).until(() -> messages().contains("cut short"));
    assertThat(inputCounters().get("truncated_messages")).isEqualTo(1);
  }

  @Test
  void aMessageFarOverMaxMessageSizeIsCutThereAndTheStreamStaysInStep() throws Exception {
    int port = tcpInput(", max_message_size: 1KiB");
    byte[] huge = new byte[8 << 20]; // 8 MiB announced and sent
    Arrays.fill(huge, (byte) 'x');
    byte[] head = "<14>1 - h app - - - ".getBytes(StandardCharsets.US_ASCII);
    System.arraycopy(head, 0, huge, 0, head.length);
    byte[] count = (huge.length + " ").getBytes(StandardCharsets.US_ASCII);
    byte[] longLine = new byte[4 << 20]; // a 4 MiB line without octet count
    Arrays.fill(longLine, (byte) 'y');
    longLine[longLine.length - 1] = '\n';
    send(port, count, huge, framed("<14>1 - h app - - - after the huge one"), longLine,
        "<14>1 - h app - - - after the long line\n".getBytes(StandardCharsets.US_ASCII));
    await().atMost(Duration.ofSeconds(30)).until(() -> messages().contains("after the long line"));
    List<String> got = messages();
    assertThat(got).hasSize(4).contains("after the huge one");
    assertThat(got.get(0)).hasSize(1024 - head.length).matches("x+");
    assertThat(got.get(2)).hasSize(1024).matches("y+");
    assertThat(inputCounters().get("truncated_messages")).isEqualTo(2);
  }

  @Test
  void bytesThatAreNotUtf8PassThroughToOutSyslogUnchanged() throws Exception {
    try (SyslogReceiver server = new SyslogReceiver()) {
      int port = Ports.free();
      int udp = Ports.free();
      start("""
          - task:
            - in.Syslog: {protocol: tcp, port: %d}
            - out.Syslog: {protocol: tcp, port: %d}
          - task:
            - in.Syslog: {protocol: udp, port: %d}
            - out.Syslog: {protocol: tcp, port: %d}
          """.formatted(port, server.port, udp, server.port));
      byte[] latin1 = "<14>1 2026-03-04T05:06:07Z h app - - - caf\u00e9 \u00ff".getBytes(StandardCharsets.ISO_8859_1);
      byte[] count = (latin1.length + " ").getBytes(StandardCharsets.US_ASCII);
      send(port, count, latin1);
      await().atMost(Duration.ofSeconds(20)).until(() -> !server.raw.isEmpty());
      await().until(() -> agent.tasks().get(1).state().equals("running"));
      try (DatagramSocket d = new DatagramSocket()) {
        byte[] bsd = "<14>Mar  4 05:06:07 h app: na\u00efve \u00ff".getBytes(StandardCharsets.ISO_8859_1);
        d.send(new DatagramPacket(bsd, bsd.length, InetAddress.getLoopbackAddress(), udp));
      }
      await().atMost(Duration.ofSeconds(20)).until(() -> server.raw.size() >= 2);
      assertThat(endOf(server.raw.get(0), 6)).isEqualTo("caf\u00e9 \u00ff".getBytes(StandardCharsets.ISO_8859_1));
      assertThat(endOf(server.raw.get(1), 7)).isEqualTo("na\u00efve \u00ff".getBytes(StandardCharsets.ISO_8859_1));
    }
  }

  private static byte[] endOf(byte[] b, int n) {
    return Arrays.copyOfRange(b, b.length - n, b.length);
  }

  @Test
  void connectionsBeyondMaxConnectionsAreRefusedCountedAndTheOthersServed() throws Exception {
    int port = tcpInput(", max_connections: 3");
    Socket[] open = new Socket[3];
    for (int i = 0; i < 3; i++) {
      open[i] = Rsyslog.connect(port);
    }
    await().until(() -> inputCounters().get("connections_open") == 3);
    try (Socket extra = Rsyslog.connect(port)) {
      extra.setSoTimeout(10_000);
      assertThat(extra.getInputStream().read()).as("refused: closed at once").isEqualTo(-1);
    }
    open[0].getOutputStream().write(framed("<14>1 - h app - - - still served"));
    open[0].getOutputStream().flush();
    await().atMost(Duration.ofSeconds(20)).until(() -> messages().contains("still served"));
    assertThat(inputCounters().get("refused_connections")).isEqualTo(1);
    for (Socket s : open) {
      s.close();
    }
  }

  @Test
  void tenThousandIdleAndSlowConnectionsDoNotStopASender() throws Exception {
    int port = tcpInput(", max_connections: 20000");
    // the idle ones come from another process: this JVM could not hold both ends of 10,000 connections
    Path script = dir.resolve("idle.py");
    Files.writeString(script, """
        import socket, sys
        held = []
        for i in range(10000):
            s = socket.create_connection(("127.0.0.1", %d))
            if i %% 100 == 0:
                s.sendall(b"<14>1 - h slow - - - never ends")  # slowloris: a message that never completes
            held.append(s)
        print("open", flush=True)
        sys.stdin.read()
        """.formatted(port));
    Process idle = new ProcessBuilder("python3", script.toString()).redirectErrorStream(true).start();
    try {
      String line = new java.io.BufferedReader(new java.io.InputStreamReader(idle.getInputStream(),
          StandardCharsets.UTF_8)).readLine();
      assertThat(line).as("the idle connections' process says").isEqualTo("open");
      await().atMost(Duration.ofSeconds(30)).until(() -> inputCounters().get("connections_open") >= 10_000);
      send(port, framed("<14>1 - h app - - - served among 10000 idle"));
      await().atMost(Duration.ofSeconds(20)).until(() -> messages().contains("served among 10000 idle"));
    } finally {
      idle.getOutputStream().close();
      idle.destroy();
      assertThat(idle.waitFor(20, TimeUnit.SECONDS)).isTrue();
    }
    // the slow senders' partial messages are kept when they go, marked truncated
    await().atMost(Duration.ofSeconds(30)).until(() -> inputCounters().get("connections_open") == 0);
    await().atMost(Duration.ofSeconds(20)).until(() -> messages().stream().filter("never ends"::equals).count()
        == 100);
    assertThat(sink().received.stream().map(Event::tag).distinct()).containsExactly("syslog");
  }

  @Test
  void udpGarbageAndOversizedDatagramsAreCountedAndKept() throws Exception {
    int port = Ports.free();
    start("""
        - task:
          - in.Syslog: {protocol: udp, port: %d, max_message_size: 1KiB}
          - out.TestSink: {name: %s}
        """.formatted(port, id));
    await().until(() -> agent.tasks().get(0).state().equals("running"));
    try (DatagramSocket d = new DatagramSocket()) {
      byte[] garbage = new byte[700];
      new Random(3).nextBytes(garbage);
      garbage[0] = 'G'; // not '<': kept whole as an unparsed message
      byte[] big = new byte[5000];
      Arrays.fill(big, (byte) 'z');
      byte[] ok = "<14>Mar  4 05:06:07 h app: fine".getBytes(StandardCharsets.US_ASCII);
      for (byte[] b : List.of(garbage, big, ok)) {
        d.send(new DatagramPacket(b, b.length, InetAddress.getLoopbackAddress(), port));
      }
    }
    await().atMost(Duration.ofSeconds(20)).until(() -> messages().contains("fine"));
    assertThat(inputCounters()).containsEntry("truncated_messages", 1L).containsEntry("unparsed_messages", 2L);
    assertThat(messages()).anySatisfy(m -> assertThat(m).hasSize(1024).matches("z+"));
  }
}
