package io.swak.plugins.fluentd.input;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import io.swak.api.Ack;
import io.swak.api.Batch;
import io.swak.api.BatchBuilder;
import io.swak.core.testing.TestContext;
import io.swak.plugins.fluentd.testing.WireMessages;
import io.swak.support.BatchQueue;
import java.io.ByteArrayOutputStream;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.zip.GZIPOutputStream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.msgpack.core.MessageBufferPacker;
import org.msgpack.core.MessagePack;

/** Bad input closes only the connection that sent it, with a counter; a full queue stops reading. */
class ForwardLimitsTest {

  final TestContext ctx = new TestContext();
  ForwardInput server;

  @AfterEach
  void close() {
    io.swak.plugins.fluentd.testing.Steps.closeQuietly(server);
  }

  static Batch batch(int n, int size) {
    BatchBuilder b = new BatchBuilder();
    for (int i = 0; i < n; i++) {
      b.add(1_700_000_000_000_000_000L + i, Map.of("message", "x".repeat(size)));
    }
    return b.build("app.limit", Ack.NONE);
  }

  /** True once the server closed the connection (read sees EOF or a reset). */
  static boolean closedByServer(Socket s) {
    try {
      s.setSoTimeout(5000);
      return s.getInputStream().read() < 0;
    } catch (java.io.IOException e) {
      return true;
    }
  }

  /**
   * Sends bad bytes and tells whether the server closed the connection. The server may close while
   * the bytes are still being written (it refuses a message as soon as it sees what is wrong), so a
   * write that fails counts as closed too.
   */
  static boolean refused(Socket s, byte[]... parts) {
    try {
      for (byte[] part : parts) {
        s.getOutputStream().write(part);
      }
    } catch (java.io.IOException e) {
      return true;
    }
    return closedByServer(s);
  }

  Batch pollOne() throws Exception {
    Batch b = server.poll(Duration.ofSeconds(5));
    assertThat(b).isNotNull();
    return b;
  }

  @Test
  void garbageClosesThatConnectionOnlyWithOneCounter() throws Exception {
    server = Servers.start(ctx, "");
    try (Socket good = new Socket("127.0.0.1", server.port()); Socket bad = new Socket("127.0.0.1", server.port())) {
      assertThat(refused(bad, new byte[] {(byte) 0xc1, 1, 2, 3, 4, 5})).isTrue();
      await().atMost(Duration.ofSeconds(5)).until(() -> ctx.count("protocol_errors") == 1);
      good.getOutputStream().write(WireMessages.encode(batch(3, 10), WireMessages.Mode.FORWARD, null));
      assertThat(pollOne().count()).isEqualTo(3);
      // a well-formed msgpack value that is no message
      try (Socket odd = new Socket("127.0.0.1", server.port())) {
        assertThat(refused(odd, new byte[] {(byte) 0x92, (byte) 0xa1, 'x', 7})).isTrue();
      }
      await().atMost(Duration.ofSeconds(5)).until(() -> ctx.count("protocol_errors") == 2);
    }
  }

  @Test
  void oversizedMessageIsRefusedBeforeItIsBuffered() throws Exception {
    server = Servers.start(ctx, "chunk_size_limit: 64KiB");
    try (Socket s = new Socket("127.0.0.1", server.port())) {
      // the header announces 100 MB: refused at once, long before 100 MB arrive
      MessageBufferPacker p = MessagePack.newDefaultBufferPacker();
      p.packArrayHeader(3);
      p.packString("app.big");
      p.packBinaryHeader(100_000_000);
      assertThat(refused(s, p.toByteArray(), new byte[1000])).isTrue();
    }
    await().atMost(Duration.ofSeconds(5)).until(() -> ctx.count("protocol_errors") == 1);
  }

  @Test
  void zipBombIsStoppedAtTheDecompressedLimit() throws Exception {
    server = Servers.start(ctx, "decompressed_size_limit: 1MiB");
    ByteArrayOutputStream z = new ByteArrayOutputStream();
    try (GZIPOutputStream g = new GZIPOutputStream(z)) {
      byte[] zeros = new byte[1 << 20];
      for (int i = 0; i < 50; i++) {
        g.write(zeros);
      }
    }
    MessageBufferPacker p = MessagePack.newDefaultBufferPacker();
    p.packArrayHeader(3);
    p.packString("app.bomb");
    p.packBinaryHeader(z.size());
    p.writePayload(z.toByteArray());
    p.packMapHeader(1);
    p.packString("compressed");
    p.packString("gzip");
    try (Socket s = new Socket("127.0.0.1", server.port())) {
      assertThat(refused(s, p.toByteArray())).isTrue();
    }
    await().atMost(Duration.ofSeconds(5)).until(() -> ctx.count("protocol_errors") == 1);
    assertThat(server.poll(Duration.ofMillis(10))).isNull();
  }

  @Test
  void deeplyNestedValuesAreRefusedNotRecursedInto() throws Exception {
    server = Servers.start(ctx, "");
    // [tag, [[time, {"a": [[[[...]]]]}]]] nested 100000 deep, in msgpack and in JSON
    MessageBufferPacker p = MessagePack.newDefaultBufferPacker();
    p.packArrayHeader(2);
    p.packString("app.deep");
    p.packArrayHeader(1);
    p.packArrayHeader(2);
    p.packLong(1);
    p.packMapHeader(1);
    p.packString("a");
    for (int i = 0; i < 100_000; i++) {
      p.packArrayHeader(1);
    }
    p.packNil();
    String json = "[\"app.deep\", [[1, {\"a\": " + "[".repeat(100_000) + "]".repeat(100_000) + "}]]]";
    for (byte[] bytes : new byte[][] {p.toByteArray(), json.getBytes(java.nio.charset.StandardCharsets.UTF_8)}) {
      try (Socket s = new Socket("127.0.0.1", server.port())) {
        assertThat(refused(s, bytes)).isTrue();
      }
    }
    await().atMost(Duration.ofSeconds(5)).until(() -> ctx.count("protocol_errors") == 2);
    // records nested a sane depth pass
    try (Socket s = new Socket("127.0.0.1", server.port())) {
      s.getOutputStream().write(("[\"app.ok\", [[1, {\"a\": " + "[".repeat(50) + "]".repeat(50) + "}]]]")
          .getBytes(java.nio.charset.StandardCharsets.UTF_8));
      assertThat(pollOne().count()).isEqualTo(1);
    }
  }

  @Test
  void onlyListedClientsWhenAnonymousSourcesAreRefused() throws Exception {
    server = Servers.start(ctx, "allow_anonymous_source: false, clients: [127.0.0.2]");
    try (Socket s = new Socket("127.0.0.1", server.port())) {
      assertThat(closedByServer(s)).isTrue();
    }
    assertThat(ctx.count("refused_connections")).isEqualTo(1);
    server.close();
    server = Servers.start(ctx, "allow_anonymous_source: false, clients: [127.0.0.1], add_tag_prefix: relay");
    try (Socket s = new Socket("127.0.0.1", server.port())) {
      s.getOutputStream().write(WireMessages.encode(batch(2, 5), WireMessages.Mode.FORWARD, null));
      Batch b = pollOne();
      assertThat(b.count()).isEqualTo(2);
      assertThat(b.tag()).isEqualTo("relay.app.limit");
    }
  }

  @Test
  void fluentBitMetricsAreRefusedWithAClearReason() throws Exception {
    server = Servers.start(ctx, "");
    MessageBufferPacker p = MessagePack.newDefaultBufferPacker();
    p.packArrayHeader(3);
    p.packString("metrics");
    p.packBinaryHeader(3);
    p.writePayload(new byte[] {1, 2, 3}); // a cmetrics blob, not log entries
    p.packMapHeader(1);
    p.packString("fluent_signal");
    p.packInt(1);
    try (Socket s = new Socket("127.0.0.1", server.port())) {
      assertThat(refused(s, p.toByteArray())).isTrue();
    }
    await().atMost(Duration.ofSeconds(5)).until(() -> ctx.count("protocol_errors") == 1);
  }

  @Test
  void portInUseFailsTheStartClearlyAndLeaksNoThreads() throws Exception {
    server = Servers.start(ctx, "");
    long before = Thread.getAllStackTraces().keySet().stream()
        .filter(t -> t.getName().startsWith("swak-forward")).count();
    for (int i = 0; i < 3; i++) {
      assertThatThrownBy(() -> Servers.start(new TestContext(), server.port(), ""))
          .hasMessageContaining("cannot listen on 127.0.0.1:" + server.port());
    }
    await().atMost(Duration.ofSeconds(5)).until(() -> Thread.getAllStackTraces().keySet().stream()
        .filter(t -> t.getName().startsWith("swak-forward")).count() <= before);
  }

  @Test
  void maxConnections() throws Exception {
    server = Servers.start(ctx, "max_connections: 1");
    try (Socket first = new Socket("127.0.0.1", server.port())) {
      first.getOutputStream().write(WireMessages.encode(batch(1, 5), WireMessages.Mode.FORWARD, null));
      assertThat(pollOne().count()).isEqualTo(1);
      try (Socket second = new Socket("127.0.0.1", server.port())) {
        assertThat(closedByServer(second)).isTrue();
      }
      assertThat(ctx.count("refused_connections")).isEqualTo(1);
      first.getOutputStream().write(WireMessages.encode(batch(2, 5), WireMessages.Mode.FORWARD, null));
      assertThat(pollOne().count()).isEqualTo(2);
    }
  }

  @Test
  void truncatedMessageIsCountedAndNothingOfItIsDelivered() throws Exception {
    server = Servers.start(ctx, "");
    byte[] whole = WireMessages.encode(batch(5, 20), WireMessages.Mode.PACKED_BIN, "c1");
    try (Socket s = new Socket("127.0.0.1", server.port())) {
      s.getOutputStream().write(whole, 0, whole.length / 2);
    }
    await().atMost(Duration.ofSeconds(5)).until(() -> ctx.count("truncated_messages") == 1);
    assertThat(server.poll(Duration.ofMillis(10))).isNull();
    assertThat(ctx.count("protocol_errors")).isZero();
  }

  @Test
  void fullQueueStopsReadingAndNothingIsLost() throws Exception {
    server = Servers.start(ctx, "queue_limit: 64KiB");
    Batch one = batch(10, 1000); // ~10 KB per message
    byte[] msg = WireMessages.encode(one, WireMessages.Mode.PACKED_BIN, null);
    int messages = 3000; // ~30 MB: more than socket buffers can hide
    CompletableFuture<Void> sender = CompletableFuture.runAsync(() -> {
      try (Socket s = new Socket("127.0.0.1", server.port())) {
        OutputStream out = s.getOutputStream();
        for (int i = 0; i < messages; i++) {
          out.write(msg);
        }
        out.flush();
        s.shutdownOutput();
        InputStream in = s.getInputStream();
        in.read(); // wait for the server to finish with us
      } catch (Exception e) {
        throw new RuntimeException(e);
      }
    });
    await().atMost(Duration.ofSeconds(10)).until(() -> ctx.count("backpressure_pauses") >= 1);
    BatchQueue q = server.queue();
    // the sender is blocked by TCP flow control and memory stays bounded
    assertThat(q.bytes()).isLessThanOrEqualTo(64 * 1024 + (1 << 20) + msg.length);
    assertThat(sender).isNotDone();
    long events = 0;
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
    while (events < (long) messages * 10 && System.nanoTime() < deadline) {
      Batch b = server.poll(Duration.ofMillis(200));
      if (b != null) {
        events += b.count();
        assertThat(q.bytes()).isLessThanOrEqualTo(64 * 1024 + (1 << 20) + msg.length);
      }
    }
    assertThat(events).isEqualTo((long) messages * 10);
  }
}
