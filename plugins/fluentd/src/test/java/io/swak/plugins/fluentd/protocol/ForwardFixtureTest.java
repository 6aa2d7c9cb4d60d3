package io.swak.plugins.fluentd.protocol;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.swak.api.Event;
import io.swak.plugins.fluentd.testing.Fixture;
import java.nio.charset.StandardCharsets;
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
 * the peers' messages end and events decoded exactly to the capture's JSON. The client side of the
 * handshake is checked against the captured PING and PONG the same way (the server side: in.Forward's
 * ForwardServerFixtureTest).
 */
class ForwardFixtureTest {

  static final String KEY = "secret123";

  static Stream<String> tcpFixtures() {
    return Fixture.tcp().stream();
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
      byte[] entries = r.remainingEntries();
      List<Event> decoded = new io.swak.api.Batch(r.tag(), entries, entries.length, r.count(), io.swak.api.Ack.NONE)
          .events();
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
