package io.swak.plugins.fluentd;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufUtil;
import io.netty.buffer.Unpooled;
import io.netty.channel.embedded.EmbeddedChannel;
import io.swak.api.Batch;
import io.swak.api.Event;
import io.swak.core.testing.TestContext;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Replays every capture of real Fluent Bit 5.1.1 and Fluentd 1.15.3 traffic in memory: frames cut where
 * the peers' messages end, events decoded exactly to the capture's JSON, and the server's replies (HELO,
 * PONG, ack) reproduced byte for byte. The client side of the handshake is checked against the captured
 * PING and PONG the same way.
 */
class ForwardFixtureTest {

  static final String KEY = "secret123";
  static final Map<String, String> USERS = Map.of("alice", "s3cr3t-pw");

  static Stream<String> tcpFixtures() {
    return Stream.of("fluent-bit-ack-fbserver", "fluent-bit-ack", "fluent-bit-default", "fluent-bit-gzip-nometa",
        "fluent-bit-gzip", "fluent-bit-message-mode", "fluent-bit-send-options", "fluent-bit-shared-key-wrong",
        "fluent-bit-shared-key", "fluent-bit-time-as-integer", "fluent-bit-user-auth-fbserver",
        "fluent-bit-user-auth-wrong", "fluent-bit-user-auth", "fluent-cat-event-time", "fluent-cat-json",
        "fluent-cat-none", "fluent-cat-time-as-integer", "fluentd-out-forward-ack",
        "fluentd-out-forward-gzip-multimember", "fluentd-out-forward-gzip", "fluentd-out-forward-user-auth",
        "fluentd-out-forward", "heartbeat-transport-secure");
  }

  static Stream<String> withServerReplies() {
    return tcpFixtures().filter(n -> Fixture.load(n).s2c() != null);
  }

  /** The captures whose server opened with HELO (shared-key handshake). */
  static Stream<String> withHandshake() {
    return withServerReplies().filter(n -> Fixture.load(n).s2cMessages().get(0).get("type").asText().equals("HELO"));
  }

  static List<int[]> frames(byte[] bytes) {
    ByteBuf b = Unpooled.wrappedBuffer(bytes);
    List<int[]> out = new ArrayList<>();
    int pos = 0;
    while (pos < bytes.length) {
      int end = FrameScanner.valueEnd(b, pos, bytes.length, Long.MAX_VALUE);
      assertThat(end).as("frame at %d complete", pos).isPositive();
      out.add(new int[] {pos, end - pos});
      pos = end;
    }
    return out;
  }

  @ParameterizedTest
  @MethodSource("tcpFixtures")
  void framesAreCutWhereTheCapturedMessagesEnd(String name) {
    Fixture f = Fixture.load(name);
    List<int[]> expected = f.c2sMessages().stream()
        .map(m -> new int[] {m.get("offset").asInt(), m.get("length").asInt()}).toList();
    assertThat(frames(f.c2s())).usingRecursiveFieldByFieldElementComparator().containsExactlyElementsOf(expected);
    // every prefix that ends inside a message is incomplete, never an error
    ByteBuf b = Unpooled.wrappedBuffer(f.c2s());
    int firstEnd = expected.get(0)[1];
    for (int cut = 0; cut < firstEnd; cut++) {
      assertThat(FrameScanner.valueEnd(b, 0, cut, Long.MAX_VALUE)).isEqualTo(FrameScanner.INCOMPLETE);
    }
    if (f.s2c() != null) {
      List<int[]> replies = f.s2cMessages().stream()
          .map(m -> new int[] {m.get("offset").asInt(), m.get("length").asInt()}).toList();
      assertThat(frames(f.s2c())).usingRecursiveFieldByFieldElementComparator().containsExactlyElementsOf(replies);
    }
  }

  @ParameterizedTest
  @MethodSource("tcpFixtures")
  void everyEventDecodesExactlyToTheCapturedJson(String name) {
    Fixture f = Fixture.load(name);
    ForwardDecoder decoder = new ForwardDecoder(64 << 20);
    int events = 0;
    for (JsonNode m : f.c2sMessages()) {
      String type = m.get("type").asText();
      if (type.equals("PING")) {
        continue;
      }
      ByteBuf frame = Unpooled.wrappedBuffer(f.c2s(), m.get("offset").asInt(), m.get("length").asInt());
      ForwardRequest r = decoder.decode(frame);
      assertThat(r.mode()).isEqualTo(type);
      assertThat(r.tag()).isEqualTo(m.get("tag").asText());
      assertThat(r.count()).isEqualTo(m.get("event_count").asInt());
      Object options = m.get("options").isNull() ? Map.of() : Fixture.plain(m.get("options"));
      assertThat(Fixture.comparable(r.options())).isEqualTo(Fixture.comparable(options));
      if (m.get("options").has("chunk")) {
        // the chunk option as it was on the wire, for the ack
        assertThat(Fixture.utf8(Arrays.copyOfRange(r.chunk(), 1, r.chunk().length)))
            .isEqualTo(m.get("options").get("chunk").asText());
      } else {
        assertThat(r.chunk()).isNull();
      }
      List<Event> decoded = r.toBatch(r.tag(), io.swak.api.Ack.NONE).events();
      List<JsonNode> want = new ArrayList<>();
      m.get("events").forEach(want::add);
      assertThat(decoded).hasSameSizeAs(want);
      for (int i = 0; i < want.size(); i++) {
        JsonNode w = want.get(i);
        Event e = decoded.get(i);
        long nanos = w.get("time").get("seconds").asLong() * 1_000_000_000L + w.get("time").get("nanoseconds").asLong();
        assertThat(e.tag()).isEqualTo(m.get("tag").asText());
        assertThat(e.timeNanos()).as("time of event %d", i).isEqualTo(nanos);
        assertThat(Fixture.comparable(e.record())).as("record of event %d", i)
            .isEqualTo(Fixture.comparable(Fixture.plain(w.get("record"))));
        if (w.has("metadata")) {
          // metadata has no place in a batch: every capture's metadata is empty, so nothing is lost here
          assertThat(w.get("metadata").size()).isZero();
        }
      }
      events += decoded.size();
    }
    assertThat(events).isEqualTo(f.json().get("total_events").asInt());
  }

  /** Feeds the capture to the real server pipeline in memory, read by read as the proxy saw them. */
  @ParameterizedTest
  @MethodSource("tcpFixtures")
  void serverPipelineReceivesEveryEventAndRepliesByteForByte(String name) throws Exception {
    Fixture f = Fixture.load(name);
    List<JsonNode> replies = f.s2cMessages();
    JsonNode helo = replies.isEmpty() || !replies.get(0).get("type").asText().equals("HELO") ? null : replies.get(0);
    ArrayDeque<byte[]> randoms = new ArrayDeque<>();
    if (helo != null) {
      randoms.add((byte[]) Fixture.plain(helo.get("options").get("nonce")));
      randoms.add((byte[]) Fixture.plain(helo.get("options").get("auth")));
    }
    boolean users = f.json().get("peer").asText().contains("user") || f.json().get("peer").asText().contains("Users");
    TestContext ctx = new TestContext();
    BatchQueue queue = new BatchQueue(64 << 20);
    var shared = new ForwardConnection.Shared(new ForwardDecoder(64 << 20), queue, ctx.metrics(), null,
        helo != null ? KEY : null, "server.local", users ? USERS : Map.of(), randoms::poll);
    FrameSplitter splitter = new FrameSplitter(16 << 20);
    EmbeddedChannel ch = new EmbeddedChannel(splitter, new ForwardConnection(shared, splitter));

    int pos = 0;
    for (JsonNode read : f.json().get("proxy_reads")) {
      if (read.get(0).asText().equals("c2s") && read.get(1).isInt()) {
        int n = read.get(1).asInt();
        ch.writeInbound(Unpooled.wrappedBuffer(f.c2s(), pos, n));
        pos += n;
      }
    }
    assertThat(pos).isEqualTo(f.c2s().length);
    List<Batch> batches = new ArrayList<>();
    Batch b;
    while ((b = queue.poll(Duration.ZERO)) != null) {
      batches.add(b);
      b.ack().done();
    }
    ch.runPendingTasks();
    assertThat(batches.stream().mapToInt(Batch::count).sum()).isEqualTo(f.json().get("total_events").asInt());
    assertThat(ctx.count("protocol_errors")).isZero();

    ByteArrayOutputStream out = new ByteArrayOutputStream();
    ByteBuf o;
    while ((o = ch.readOutbound()) != null) {
      out.write(ByteBufUtil.getBytes(o));
      o.release();
    }
    if (f.s2c() == null) {
      assertThat(out.toByteArray()).isEmpty();
      return;
    }
    byte[] got = out.toByteArray();
    boolean fluentBitServer = f.json().get("peer").asText().startsWith("Fluent Bit");
    if (fluentBitServer && helo != null) {
      // Fluent Bit's HELO carries nonce and salt as str without keepalive; Swak sends Fluentd's form. Same
      // nonce, same salt; everything after the HELO must match byte for byte.
      Handshake.Helo ours = Handshake.parseHelo(Arrays.copyOf(got, frames(got).get(0)[1]));
      assertThat(ours.nonce()).isEqualTo(Fixture.plain(helo.get("options").get("nonce")));
      int heloLen = helo.get("length").asInt();
      assertThat(Arrays.copyOfRange(got, frames(got).get(0)[1], got.length))
          .isEqualTo(Arrays.copyOfRange(f.s2c(), heloLen, f.s2c().length));
    } else {
      assertThat(HexFormat.of().formatHex(got)).isEqualTo(HexFormat.of().formatHex(f.s2c()));
    }
    boolean refused = replies.stream().anyMatch(r -> r.get("type").asText().equals("PONG")
        && !r.get("fields").get("auth_result").asBoolean());
    if (refused) {
      assertThat(ch.isOpen()).as("connection closed after a refused PING").isFalse();
      assertThat(ctx.count("auth_failures")).isEqualTo(1);
    }
  }

  /** Swak's client side: the PING it would send is the captured one, and the captured PONG is verified. */
  @ParameterizedTest
  @MethodSource("withHandshake")
  void clientHandshakeMatchesTheCapture(String name) {
    Fixture f = Fixture.load(name);
    List<JsonNode> replies = f.s2cMessages();
    JsonNode heloMsg = replies.get(0);
    Handshake.Helo helo = Handshake.parseHelo(Arrays.copyOfRange(f.s2c(), 0, heloMsg.get("length").asInt()));
    JsonNode ping = f.c2sMessages().get(0);
    assertThat(ping.get("type").asText()).isEqualTo("PING");
    JsonNode fields = ping.get("fields");
    Object saltValue = Fixture.plain(fields.get("shared_key_salt"));
    byte[] salt = saltValue instanceof byte[] raw ? raw : ((String) saltValue).getBytes(StandardCharsets.UTF_8);
    boolean wrongKey = name.contains("shared-key-wrong");
    boolean wrongPassword = name.contains("user-auth-wrong");
    String user = fields.get("username").asText();
    String password = user.isEmpty() ? "" : wrongPassword ? "wrong-pw" : "s3cr3t-pw";
    byte[] ours = Handshake.ping(helo, fields.get("self_hostname").asText(), salt, wrongKey ? "wrongkey" : KEY,
        user, password);
    byte[] captured = Arrays.copyOfRange(f.c2s(), 0, ping.get("length").asInt());
    assertThat(HexFormat.of().formatHex(ours)).isEqualTo(HexFormat.of().formatHex(captured));

    JsonNode pong = replies.get(1);
    byte[] pongBytes = Arrays.copyOfRange(f.s2c(), pong.get("offset").asInt(),
        pong.get("offset").asInt() + pong.get("length").asInt());
    String problem = Handshake.checkPong(pongBytes, helo, salt, wrongKey ? "wrongkey" : KEY);
    if (wrongKey) {
      assertThat(problem).contains("shared_key mismatch");
    } else if (wrongPassword) {
      assertThat(problem).contains("username/password mismatch");
    } else {
      assertThat(problem).isNull();
      // and a server with another key is caught by its PONG digest
      assertThat(Handshake.checkPong(pongBytes, helo, salt, "other")).contains("does not match");
    }
  }
}
