package io.swak.plugins.fluentd.input;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufUtil;
import io.netty.buffer.Unpooled;
import io.netty.channel.embedded.EmbeddedChannel;
import io.swak.api.Batch;
import io.swak.core.testing.TestContext;
import io.swak.plugins.fluentd.protocol.ForwardDecoder;
import io.swak.plugins.fluentd.protocol.Handshake;
import io.swak.plugins.fluentd.testing.Fixture;
import io.swak.support.BatchQueue;
import java.io.ByteArrayOutputStream;
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
 * in.Forward's side of every capture of real Fluent Bit 5.1.1 and Fluentd 1.15.3 traffic, in memory: the
 * server pipeline receives every event, and its replies (HELO, PONG, ack) are the captured bytes.
 */
class ForwardServerFixtureTest {

  static final String KEY = "secret123";
  static final Map<String, String> USERS = Map.of("alice", "s3cr3t-pw");

  static Stream<String> tcpFixtures() {
    return Fixture.tcp().stream();
  }

  /** Where each msgpack value of {@code bytes} starts and how long it is. */
  static List<int[]> frames(byte[] bytes) {
    ByteBuf b = Unpooled.wrappedBuffer(bytes);
    List<int[]> out = new ArrayList<>();
    int pos = 0;
    while (pos < bytes.length) {
      int end = io.swak.plugins.fluentd.protocol.FrameScanner.valueEnd(b, pos, bytes.length, Long.MAX_VALUE);
      assertThat(end).as("frame at %d complete", pos).isPositive();
      out.add(new int[] {pos, end - pos});
      pos = end;
    }
    return out;
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
        helo != null ? KEY : null, "server.local", users ? USERS : Map.of(), randoms::poll, 16 << 20,
        new AssemblyMemory(64 << 20));
    EmbeddedChannel ch = new EmbeddedChannel(new ForwardConnection(shared));

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

}
