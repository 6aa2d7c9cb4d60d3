package io.swak.plugins.tcp;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.swak.api.Event;
import io.swak.core.testing.AgentTestBase;
import io.swak.core.testing.Ports;
import io.swak.core.testing.TestSink;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.net.SocketException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

/** in.Tcp through the real runtime, fed by real sockets: good lines, bad ones, and clients that misbehave. */
class TcpInputTest extends AgentTestBase {

  private int port;

  private void run(String options) throws Exception {
    run(options, "");
  }

  private void run(String options, String sinkOptions) throws Exception {
    port = Ports.free();
    start("""
        - task:
          - in.Tcp: {port: %d%s}
          - out.TestSink: {name: %s%s}
        """.formatted(port, options.isEmpty() ? "" : ", " + options, id, sinkOptions));
    Net.awaitListening(port);
  }

  private TestSink.State sink() {
    return TestSink.state(id);
  }

  private List<Object> field(String name) {
    return sink().received.stream().map(e -> e.record().get(name)).toList();
  }

  private long counter(String name) {
    return Net.counter(agent, 0, name);
  }

  @Test
  void jsonLinesTakeTheirTimeFromTimestampAndABadLineIsKeptAsItsMessage() throws Exception {
    run("");
    try (Socket s = Net.connect(port)) {
      Net.send(s, "{\"@timestamp\":\"2026-11-21T10:00:00.123456789Z\",\"message\":\"one\",\"n\":1}\n"
          + "this is not json\n"
          + "{\"message\":\"three\",\"nested\":{\"a\":[1,2.5,null,true]}}\r\n"
          + "{\"message\":\"cut\"\n"); // a torn object: kept as text too
      await().atMost(Duration.ofSeconds(10)).until(() -> sink().received.size() == 4);
      // the same connection still serves after the bad lines
      Net.send(s, "{\"message\":\"five\"}\n");
      await().atMost(Duration.ofSeconds(10)).until(() -> sink().received.size() == 5);
    }
    List<Event> got = sink().received;
    assertThat(field("message")).containsExactly("one", "this is not json", "three", "{\"message\":\"cut\"", "five");
    Instant t = Instant.parse("2026-11-21T10:00:00.123456789Z");
    assertThat(got.get(0).timeNanos()).isEqualTo(t.getEpochSecond() * 1_000_000_000L + t.getNano());
    assertThat(got.get(0).record()).doesNotContainKey("@timestamp").containsEntry("n", 1L);
    assertThat(got.get(2).record().get("nested")).isEqualTo(java.util.Map.of("a", Arrays.asList(1L, 2.5, null, true)));
    assertThat(got).allSatisfy(e -> assertThat(e.tag()).isEqualTo("tcp"));
    assertThat(counter("invalid_json")).isEqualTo(2);
  }

  @Test
  void formatLinesMakesAMessageOfEachLine() throws Exception {
    run("format: lines, tag: app.lines, source_key: peer");
    try (Socket s = Net.connect(port)) {
      Net.send(s, "first line\r\nsecond {\"not\": parsed}\n\nlast without newline");
    }
    await().atMost(Duration.ofSeconds(10)).until(() -> sink().received.size() == 3);
    // an empty line is no event
    assertThat(field("message")).containsExactly("first line", "second {\"not\": parsed}", "last without newline");
    assertThat(field("peer")).containsOnly("127.0.0.1");
    assertThat(sink().received.get(0).tag()).isEqualTo("app.lines");
  }

  @Test
  void aGigabyteLineIsCutAndItsNeighboursAreKept() throws Exception {
    run("max_line_size: 1KiB");
    long huge = 1L << 30;
    try (Socket s = Net.connect(port)) {
      OutputStream out = s.getOutputStream();
      out.write("{\"message\":\"before\"}\n".getBytes(StandardCharsets.UTF_8));
      byte[] chunk = new byte[1 << 20];
      Arrays.fill(chunk, (byte) 'x');
      for (long sent = 0; sent < huge; sent += chunk.length) {
        out.write(chunk);
      }
      out.write("\n{\"message\":\"after\"}\n".getBytes(StandardCharsets.UTF_8));
    }
    await().atMost(Duration.ofSeconds(60)).until(() -> sink().received.size() == 3);
    assertThat(field("message").get(0)).isEqualTo("before");
    assertThat((String) field("message").get(1)).hasSize(1024).matches("x+");
    assertThat(field("message").get(2)).isEqualTo("after");
    assertThat(counter("long_lines")).isEqualTo(1);
    assertThat(counter("bytes_received")).isGreaterThan(huge);
  }

  @Test
  void longLinesCanBeSkipped() throws Exception {
    run("max_line_size: 64B, long_lines: skip");
    try (Socket s = Net.connect(port)) {
      Net.send(s, "{\"message\":\"a\"}\n" + "y".repeat(10_000) + "\n{\"message\":\"b\"}\n");
    }
    await().atMost(Duration.ofSeconds(10)).until(() -> sink().received.size() == 2);
    assertThat(field("message")).containsExactly("a", "b");
    assertThat(counter("long_lines")).isEqualTo(1);
  }

  @Test
  void aSlowlorisClientDoesNotHoldUpTheOthers() throws Exception {
    run("");
    try (Socket slow = Net.connect(port)) {
      Net.send(slow, "{\"message\":\"sl");
      try (Socket fast = Net.connect(port)) {
        StringBuilder b = new StringBuilder();
        for (int i = 1; i <= 1000; i++) {
          b.append("{\"seq\":").append(i).append("}\n");
        }
        Net.send(fast, b.toString());
      }
      await().atMost(Duration.ofSeconds(10)).until(() -> sink().received.size() == 1000);
      // the slow one trickles the rest of its line a byte at a time; the line arrives whole
      for (char c : "owly\"}\n".toCharArray()) {
        Net.send(slow, String.valueOf(c));
      }
      await().atMost(Duration.ofSeconds(10)).until(() -> sink().received.size() == 1001);
    }
    assertThat(sink().received.get(1000).record()).containsEntry("message", "slowly");
    assertThat(counter("invalid_json")).isZero();
  }

  @Test
  void garbageBytesBecomeMessagesAndTheConnectionStaysOpen() throws Exception {
    run("");
    byte[] junk = new byte[200_000];
    new Random(7).nextBytes(junk);
    try (Socket s = Net.connect(port)) {
      s.getOutputStream().write(junk);
      Net.send(s, "\n{\"message\":\"still here\"}\n");
      await().atMost(Duration.ofSeconds(10)).until(() -> field("message").contains("still here"));
    }
    assertThat(counter("invalid_json")).isPositive();
    assertThat(counter("protocol_errors")).isZero();
  }

  @Test
  void garbageInMsgpackClosesOnlyThatConnection() throws Exception {
    run("format: msgpack");
    try (Socket bad = Net.connect(port); Socket good = Net.connect(port)) {
      // 0xc1 is never used in msgpack: the stream cannot be read on
      bad.getOutputStream().write(new byte[] {(byte) 0xc1, 1, 2, 3});
      assertThat(readsEnd(bad)).as("the server closed the bad connection").isTrue();
      // a record as msgpack: {"seq": 1}
      good.getOutputStream().write(new byte[] {(byte) 0x81, (byte) 0xa3, 's', 'e', 'q', 1});
      await().atMost(Duration.ofSeconds(10)).until(() -> sink().received.size() == 1);
    }
    assertThat(sink().received.get(0).record()).containsEntry("seq", 1L);
    assertThat(counter("protocol_errors")).isEqualTo(1);
  }

  @Test
  void aLyingLengthIsRefusedWithoutWaitingForIt() throws Exception {
    run("format: forward, max_message_size: 1MiB");
    try (Socket liar = Net.connect(port)) {
      // ["t", bin32 of 2 GiB …]: larger than max_message_size, so the connection closes at once
      liar.getOutputStream().write(new byte[] {(byte) 0x93, (byte) 0xa1, 't', (byte) 0xc6, 0x7f, (byte) 0xff,
          (byte) 0xff, (byte) 0xff, 0, 0, 0});
      assertThat(readsEnd(liar)).isTrue();
    }
    try (Socket liar = Net.connect(port)) {
      // a message that says 1000 bytes follow, then the client goes away after 3
      liar.getOutputStream().write(new byte[] {(byte) 0x93, (byte) 0xa1, 't', (byte) 0xc5, 0x03, (byte) 0xe8, 1, 2,
          3});
    }
    await().atMost(Duration.ofSeconds(10)).until(() -> counter("truncated_messages") == 1);
    assertThat(counter("protocol_errors")).isEqualTo(1);
    assertThat(sink().received).isEmpty();
  }

  @Test
  void tenThousandIdleConnectionsAreHeldToMaxConnectionsAndAClientIsStillServed() throws Exception {
    run("max_connections: 500");
    List<Socket> idle = new ArrayList<>();
    try {
      for (int i = 0; i < 10_000; i++) {
        idle.add(Net.connect(port));
      }
      await().atMost(Duration.ofSeconds(30)).until(() -> counter("refused_connections") == 9_500);
      assertThat(counter("connections_open")).isEqualTo(500);
      // the first ones are served; free one and a new client is served too
      Net.send(idle.get(0), "{\"message\":\"from an idle one\"}\n");
      idle.get(1).close();
      await().atMost(Duration.ofSeconds(10)).until(() -> counter("connections_open") == 499);
      try (Socket s = Net.connect(port)) {
        Net.send(s, "{\"message\":\"new\"}\n");
      }
      await().atMost(Duration.ofSeconds(10)).until(() -> sink().received.size() == 2);
      assertThat(field("message")).containsExactlyInAnyOrder("from an idle one", "new");
    } finally {
      for (Socket s : idle) {
        s.close();
      }
    }
  }

  @Test
  void aFullTaskStopsTheSocketsAndNothingIsLost() throws Exception {
    // a task that acknowledges nothing fills the runtime's window; the input's queue then fills and it stops reading
    sink().holding = true;
    run("queue_limit: 256KiB", ", window: 4");
    long lines = 100_000;
    AtomicLong written = new AtomicLong();
    CompletableFuture<Void> writer = CompletableFuture.runAsync(() -> {
      try (Socket s = Net.connect(port)) {
        OutputStream out = new java.io.BufferedOutputStream(s.getOutputStream(), 1 << 16);
        for (long i = 1; i <= lines; i++) {
          byte[] l = ("{\"seq\":" + i + ",\"pad\":\"" + "p".repeat(200) + "\"}\n").getBytes(StandardCharsets.UTF_8);
          out.write(l);
          written.addAndGet(l.length);
        }
        out.flush();
      } catch (Exception e) {
        throw new RuntimeException(e);
      }
    });
    // the writer is held back: what in.Tcp read stays near its queue and the runtime's window, not the whole stream
    await().atMost(Duration.ofSeconds(20)).until(() -> counter("backpressure_pauses") > 0);
    await().during(Duration.ofSeconds(2)).atMost(Duration.ofSeconds(5)).until(() -> !writer.isDone());
    assertThat(counter("bytes_received")).isLessThan(lines * 200 / 2);
    sink().holding = false;
    writer.get(60, TimeUnit.SECONDS);
    await().atMost(Duration.ofSeconds(60)).until(() -> sink().received.size() >= lines);
    assertThat(sink().seqs()).containsExactlyElementsOf(io.swak.plugins.tcp.TcpInputTest.range(1, lines));
  }

  static List<Long> range(long from, long to) {
    List<Long> r = new ArrayList<>();
    for (long i = from; i <= to; i++) {
      r.add(i);
    }
    return r;
  }

  /** True when the peer closes the connection (read returns -1 or a reset) within 10 s. */
  static boolean readsEnd(Socket s) throws Exception {
    s.setSoTimeout(10_000);
    InputStream in = s.getInputStream();
    try {
      while (in.read() >= 0) {
        // replies are not expected; keep reading to the end
      }
      return true;
    } catch (SocketException reset) {
      return true;
    }
  }
}
