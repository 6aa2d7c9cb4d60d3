package io.swak.plugins.fluentd.input;

import static org.assertj.core.api.Assertions.assertThat;

import io.swak.api.Ack;
import io.swak.api.Batch;
import io.swak.api.BatchBuilder;
import io.swak.api.Event;
import io.swak.core.testing.TestContext;
import io.swak.plugins.fluentd.testing.Fixture;
import io.swak.plugins.fluentd.testing.Receiver;
import io.swak.plugins.fluentd.testing.WireMessages;
import java.io.OutputStream;
import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** in.Forward over real sockets on 127.0.0.1, fed by raw clients and captured traffic. */
class ForwardServerTest {

  final TestContext serverCtx = new TestContext();
  final List<AutoCloseable> open = new ArrayList<>();
  final Map<ForwardInput, Receiver> receivers = new java.util.HashMap<>();

  @AfterEach
  void closeAll() {
    for (int i = open.size() - 1; i >= 0; i--) {
      try {
        open.get(i).close();
      } catch (Exception ignored) {
        // cleanup
      }
    }
    serverCtx.stop();
  }

  /** A server whose batches a {@link Receiver} takes and acknowledges, like a task would. */
  ForwardInput server(String options) throws Exception {
    ForwardInput s = Servers.start(serverCtx, options);
    open.add(s);
    Receiver r = new Receiver(s);
    open.add(r);
    receivers.put(s, r);
    return s;
  }

  List<Batch> take(ForwardInput s, int events) throws Exception {
    return receivers.get(s).take(events);
  }

  static Batch batch(String tag, int n, Ack ack) {
    BatchBuilder b = new BatchBuilder();
    for (int i = 0; i < n; i++) {
      Map<String, Object> r = new LinkedHashMap<>();
      r.put("message", "line " + i + " 한국어");
      r.put("n", (long) i);
      b.add(1_700_000_000_123_456_789L + i, r);
    }
    return b.build(tag, ack);
  }

  static List<Event> events(List<Batch> batches) {
    List<Event> out = new ArrayList<>();
    batches.forEach(b -> out.addAll(b.events()));
    return out;
  }

  @Test
  void messagesWithoutChunkArrivingTogetherAreMergedPerTagInOrder() throws Exception {
    // one read of many messages in every mode: a, a, a, b, b, a (one event per Message-mode message), fed to
    // the server's pipeline in memory — a socket cannot promise that the burst arrives in one read
    String[] tags = {"app.a", "app.a", "app.a", "app.b", "app.b", "app.a"};
    WireMessages.Mode[] modes = {WireMessages.Mode.PACKED_BIN, WireMessages.Mode.MESSAGE, WireMessages.Mode.FORWARD,
        WireMessages.Mode.PACKED_STR, WireMessages.Mode.GZIP, WireMessages.Mode.PACKED_BIN};
    java.io.ByteArrayOutputStream all = new java.io.ByteArrayOutputStream();
    List<Event> want = new ArrayList<>();
    for (int i = 0; i < tags.length; i++) {
      Batch b = batch(tags[i], modes[i] == WireMessages.Mode.MESSAGE ? 1 : 50, Ack.NONE);
      all.write(WireMessages.encode(b, modes[i], null));
      want.addAll(b.events());
    }
    var p = ForwardPipelinePropertiesTest.pipeline(16 << 20);
    p.channel().writeInbound(io.netty.buffer.Unpooled.wrappedBuffer(all.toByteArray())); // one read, then read-complete
    List<Batch> got = p.drain();
    assertThat(events(got)).isEqualTo(want);
    // a run of one tag becomes one batch; a new tag, and the same tag after another, start a new one
    assertThat(got).extracting(Batch::tag).containsExactly("app.a", "app.b", "app.a");
    p.channel().finishAndReleaseAll();
  }

  @Test
  void aMessageOverOneMibBetweenSmallOnesArrivesWhole() throws Exception {
    ForwardInput s = server("");
    // the connection reuses one array for frames up to 1 MiB and gives a larger one its own: the third frame,
    // shorter than the first, is read into the first one's array, and must not change what the first gave
    Batch small = batch("app.small", 20, Ack.NONE);
    Batch large = batch("app.large", 40_000, Ack.NONE);
    BatchBuilder other = new BatchBuilder();
    for (int i = 0; i < 5; i++) {
      other.add(1_800_000_000_000_000_000L + i, Map.of("message", "after " + i));
    }
    Batch after = other.build("app.after", Ack.NONE);
    assertThat(large.length()).isGreaterThan(1 << 20);
    assertThat(after.length()).isLessThan(small.length());
    List<Event> want = new ArrayList<>();
    try (Socket sock = new Socket("127.0.0.1", s.port())) {
      OutputStream out = sock.getOutputStream();
      for (Batch b : List.of(small, large, after)) {
        out.write(WireMessages.encode(b, WireMessages.Mode.PACKED_BIN, "c" + want.size()));
        want.addAll(b.events());
      }
      assertThat(events(take(s, want.size()))).isEqualTo(want);
    }
  }

  @Test
  void capturedTrafficReplayedOverASocketIsReceived() throws Exception {
    ForwardInput s = server("");
    for (String name : List.of("fluent-bit-default", "fluent-bit-gzip", "fluent-bit-message-mode",
        "fluent-cat-json", "fluentd-out-forward", "fluentd-out-forward-gzip-multimember", "fluent-bit-ack",
        "fluentd-out-forward-ack")) {
      Fixture f = Fixture.load(name);
      try (Socket sock = new Socket("127.0.0.1", s.port())) {
        sock.getOutputStream().write(f.c2s());
        sock.getOutputStream().flush();
        List<Batch> got = take(s, f.json().get("total_events").asInt());
        assertThat(got.stream().mapToInt(Batch::count).sum()).isEqualTo(f.json().get("total_events").asInt());
        if (f.s2c() != null) {
          byte[] reply = sock.getInputStream().readNBytes(f.s2c().length);
          assertThat(HexFormat.of().formatHex(reply)).as(name).isEqualTo(HexFormat.of().formatHex(f.s2c()));
        }
      }
    }
    assertThat(serverCtx.count("protocol_errors")).isZero();
  }

  @Test
  void udpHeartbeatIsAnsweredWithTheCapturedByte() throws Exception {
    ForwardInput s = server("");
    Fixture f = Fixture.load("heartbeat-udp");
    try (DatagramSocket d = new DatagramSocket()) {
      d.setSoTimeout(5000);
      d.send(new DatagramPacket(f.c2s(), f.c2s().length, new InetSocketAddress("127.0.0.1", s.port())));
      DatagramPacket p = new DatagramPacket(new byte[16], 16);
      d.receive(p);
      assertThat(java.util.Arrays.copyOf(p.getData(), p.getLength())).isEqualTo(f.s2c());
    }
  }
}
