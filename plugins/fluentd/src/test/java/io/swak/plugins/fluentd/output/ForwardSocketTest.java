package io.swak.plugins.fluentd.output;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;
import static io.swak.plugins.fluentd.testing.Steps.write;

import io.swak.api.Ack;
import io.swak.api.Batch;
import io.swak.api.BatchBuilder;
import io.swak.api.Event;
import io.swak.core.testing.Certificates;
import io.swak.core.testing.TestContext;
import io.swak.plugins.fluentd.input.ForwardPlugin;
import io.swak.plugins.fluentd.protocol.ForwardRequest;
import io.swak.plugins.fluentd.protocol.FrameScanner;
import io.swak.plugins.fluentd.testing.ForwardServer;
import io.swak.plugins.fluentd.testing.Receiver;
import io.swak.plugins.fluentd.testing.Steps;
import io.swak.plugins.fluentd.testing.Steps.Outcome;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** out.Fluentd talking to in.Forward over real sockets on 127.0.0.1. */
class ForwardSocketTest {

  final TestContext serverCtx = new TestContext();
  final TestContext clientCtx = new TestContext();
  final List<AutoCloseable> open = new ArrayList<>();

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
    clientCtx.stop();
  }

  final Map<ForwardServer, Receiver> receivers = new java.util.HashMap<>();

  /** A server whose batches a {@link Receiver} takes and acknowledges, like a task would. */
  ForwardServer server(String options) throws Exception {
    return served(ForwardServer.start(serverCtx, options));
  }

  ForwardServer served(ForwardServer s) {
    open.add(s);
    Receiver r = new Receiver(s);
    open.add(r);
    receivers.put(s, r);
    return s;
  }

  /** A server nobody polls: the test plays the task. */
  ForwardServer manualServer(String options) throws Exception {
    ForwardServer s = ForwardServer.start(serverCtx, options);
    open.add(s);
    return s;
  }

  List<Batch> take(ForwardServer s, int events) throws Exception {
    return receivers.get(s).take(events);
  }

  FluentdOutput client(String options) throws Exception {
    FluentdOutput c = Clients.start(clientCtx, options);
    open.add(c);
    return c;
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

  @ParameterizedTest
  @ValueSource(strings = {"", "compress: gzip", "require_ack_response: false", "compress: gzip, "
      + "require_ack_response: false", "keepalive: false", "keepalive: false, require_ack_response: false",
      "json: true", "json: true, require_ack_response: false"})
  void clientToServerKeepsEveryEventExactly(String mode) throws Exception {
    ForwardServer s = server("");
    FluentdOutput c = client("host: 127.0.0.1, port: " + s.port() + ", heartbeat_type: none"
        + (mode.isEmpty() ? "" : ", " + mode));
    Batch sent = batch("app.test", 500, Ack.NONE);
    CompletableFuture<Void> w = CompletableFuture.runAsync(() -> {
      try {
        write(clientCtx, c, sent);
        write(clientCtx, c, sent.withTag("app.second"));
      } catch (Exception e) {
        throw new RuntimeException(e);
      }
    });
    List<Batch> got = take(s, 1000);
    w.get(10, TimeUnit.SECONDS);
    List<Event> want = new ArrayList<>(sent.events());
    sent.withTag("app.second").events().forEach(want::add);
    List<Event> received = events(got);
    if (mode.contains("json")) {
      // JSON has no EventTime: whole seconds
      want = want.stream().map(e -> new Event(e.tag(), e.timeNanos() / 1_000_000_000L * 1_000_000_000L,
          e.record())).toList();
    }
    assertThat(received).isEqualTo(want);
    if (!mode.contains("json") && !mode.contains("gzip")) {
      // PackedForward carries the batch's bytes as they are
      assertThat(got.get(0).data()).startsWith(java.util.Arrays.copyOf(sent.data(), got.get(0).length()));
    }
  }

  @Test
  void ackIsSentOnlyWhenTheBatchIsAcknowledgedDownstream() throws Exception {
    ForwardServer s = manualServer("");
    FluentdOutput c = client("host: 127.0.0.1, port: " + s.port() + ", heartbeat_type: none, "
        + "require_ack_response: true");
    CompletableFuture<Void> w = CompletableFuture.runAsync(() -> {
      try {
        write(clientCtx, c, batch("app.ack", 10, Ack.NONE));
      } catch (Exception e) {
        throw new RuntimeException(e);
      }
    });
    Batch b = s.poll(Duration.ofSeconds(10));
    assertThat(b).isNotNull();
    assertThat(b.count()).isEqualTo(10);
    // the batch is in our hands and not acknowledged: the client cannot have its ack yet
    assertThat(w).isNotDone();
    b.ack().done();
    w.get(10, TimeUnit.SECONDS);
    assertThat(serverCtx.count("acks_sent")).isEqualTo(1);
    assertThat(clientCtx.count("acks")).isEqualTo(1);
  }

  @Test
  void sharedKeyRightAndWrong() throws Exception {
    ForwardServer s = server("shared_key: secret123, self_hostname: server.local");
    FluentdOutput good = client("host: 127.0.0.1, port: " + s.port() + ", heartbeat_type: none, "
        + "shared_key: secret123, self_hostname: client.local");
    write(clientCtx, good, batch("app.k", 3, Ack.NONE));
    assertThat(take(s, 3)).extracting(Batch::tag).containsOnly("app.k");

    FluentdOutput bad = client("host: 127.0.0.1, port: " + s.port() + ", heartbeat_type: none, "
        + "shared_key: wrongkey");
    assertThatThrownBy(() -> write(clientCtx, bad, batch("app.k", 3, Ack.NONE))).hasMessageContaining("shared_key mismatch");
    await().atMost(Duration.ofSeconds(5)).until(() -> serverCtx.count("auth_failures") == 1);
    assertThat(receivers.get(s).received()).isZero();

    // a client without the key gets HELO where it expects nothing: its message is refused, nothing arrives
    FluentdOutput none = client("host: 127.0.0.1, port: " + s.port() + ", heartbeat_type: none, "
        + "require_ack_response: true, ack_response_timeout: 2s");
    assertThatThrownBy(() -> write(clientCtx, none, batch("app.k", 3, Ack.NONE)))
        .hasMessageContaining("the server requires the shared-key handshake (it sent HELO): set `shared_key`");
    // and without acks: the HELO is noticed before the batch counts as delivered
    FluentdOutput noAcks = client("host: 127.0.0.1, port: " + s.port() + ", heartbeat_type: none, "
        + "require_ack_response: false");
    Outcome o = new Outcome();
    String outcome;
    try {
      noAcks.send(batch("app.k", 3, Ack.NONE), o);
      outcome = o.get();
    } catch (java.io.IOException e) {
      outcome = "failed: " + e.getMessage(); // the HELO came while the batch was being written
    }
    assertThat(outcome).startsWith("failed:")
        .contains("the server requires the shared-key handshake (it sent HELO): set `shared_key`");
    assertThat(receivers.get(s).received()).isZero();
  }

  @Test
  void userAuthentication() throws Exception {
    ForwardServer s = server("shared_key: secret123, users: [{username: alice, password: s3cr3t-pw}]");
    FluentdOutput good = client("host: 127.0.0.1, port: " + s.port() + ", heartbeat_type: none, "
        + "shared_key: secret123, username: alice, password: s3cr3t-pw, require_ack_response: true");
    write(clientCtx, good, batch("app.u", 2, Ack.NONE));
    FluentdOutput bad = client("host: 127.0.0.1, port: " + s.port() + ", heartbeat_type: none, "
        + "shared_key: secret123, username: alice, password: wrong-pw");
    assertThatThrownBy(() -> write(clientCtx, bad, batch("app.u", 2, Ack.NONE)))
        .hasMessageContaining("username/password mismatch");
    FluentdOutput anonymous = client("host: 127.0.0.1, port: " + s.port() + ", heartbeat_type: none, "
        + "shared_key: secret123");
    assertThatThrownBy(() -> write(clientCtx, anonymous, batch("app.u", 2, Ack.NONE)))
        .hasMessageContaining("username/password mismatch");
    assertThat(serverCtx.count("auth_failures")).isEqualTo(2);
  }

  @Test
  void tlsWithGeneratedCertificates(@TempDir Path dir) throws Exception {
    Certificates certs = new Certificates(dir);
    certs.issue("server", "localhost", true, "localhost");
    certs.issue("other", "elsewhere", false, "elsewhere.example");
    certs.issue("client", "client", false);
    String ca = certs.caFile().toString();
    ForwardServer s = server("tls: true, cert_file: " + dir.resolve("server.crt") + ", key_file: "
        + dir.resolve("server.key"));
    String base = "heartbeat_type: none, require_ack_response: true, tls: true, port: " + s.port();

    write(clientCtx, client("host: localhost, ca_file: " + ca + ", " + base), batch("app.tls", 5, Ack.NONE));
    write(clientCtx, client("host: 127.0.0.1, ca_file: " + ca + ", " + base), batch("app.tls", 5, Ack.NONE));
    assertThat(take(s, 10)).extracting(Batch::tag).containsOnly("app.tls");
    // not trusted: the JVM's trust store does not know our CA
    assertThatThrownBy(() -> write(clientCtx, client("host: localhost, " + base), batch("app.tls", 1, Ack.NONE)))
        .hasMessageContaining("cannot connect");
    write(clientCtx, client("host: localhost, tls_insecure: true, " + base), batch("app.tls", 1, Ack.NONE));
    take(s, 1);
    // a plaintext client is refused by the TLS server, counted, and delivers nothing
    assertThatThrownBy(() -> write(clientCtx, client("host: 127.0.0.1, heartbeat_type: none, "
        + "require_ack_response: true, ack_response_timeout: 2s, port: " + s.port()), batch("app.plain", 1, Ack.NONE)))
        .isInstanceOf(java.io.IOException.class);
    await().atMost(Duration.ofSeconds(5)).until(() -> serverCtx.count("tls_errors") >= 1);
    assertThat(receivers.get(s).received()).isZero();

    // a server whose certificate names another host fails hostname verification, unless it is turned off
    ForwardServer other = server("tls: true, cert_file: " + dir.resolve("other.crt") + ", key_file: "
        + dir.resolve("other.key"));
    String otherBase = "heartbeat_type: none, require_ack_response: true, tls: true, port: " + other.port();
    assertThatThrownBy(() -> write(clientCtx, client("host: localhost, ca_file: " + ca + ", " + otherBase),
        batch("app.tls", 1, Ack.NONE))).hasMessageContaining("cannot connect");
    write(clientCtx, client("host: localhost, ca_file: " + ca + ", tls_verify_hostname: false, " + otherBase),
        batch("app.tls", 1, Ack.NONE));
    take(other, 1);

    // mutual TLS: the server requires a client certificate signed by the CA
    ForwardServer mutual = server("tls: true, cert_file: " + dir.resolve("server.crt") + ", key_file: "
        + dir.resolve("server.key") + ", ca_file: " + ca);
    String mb = "heartbeat_type: none, require_ack_response: true, ack_response_timeout: 3s, tls: true, port: "
        + mutual.port() + ", host: localhost, ca_file: " + ca;
    assertThatThrownBy(() -> write(clientCtx, client(mb), batch("app.tls", 1, Ack.NONE)))
        .isInstanceOf(java.io.IOException.class);
    write(clientCtx, client(mb + ", cert_file: " + dir.resolve("client.crt") + ", key_file: "
        + dir.resolve("client.key")), batch("app.tls", 2, Ack.NONE));
    take(mutual, 2);
  }

  @ParameterizedTest
  @ValueSource(strings = {"transport", "udp"})
  void serverDownThenUp(String heartbeat) throws Exception {
    int port;
    try (ServerSocket probe = new ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
      port = probe.getLocalPort();
    }
    FluentdOutput c = client("host: 127.0.0.1, port: " + port + ", heartbeat_type: " + heartbeat + ", "
        + "heartbeat_interval: 100ms, reconnect_wait: 50ms, require_ack_response: true");
    assertThatThrownBy(() -> write(clientCtx, c, batch("app.d", 1, Ack.NONE))).hasMessageContaining("cannot connect");
    assertThat(c.isDown("127.0.0.1", port)).isTrue();
    ForwardServer s = served(ForwardServer.start(serverCtx, port, ""));
    await().atMost(Duration.ofSeconds(5)).until(() -> !c.isDown("127.0.0.1", port));
    write(clientCtx, c, batch("app.d", 4, Ack.NONE));
    assertThat(events(take(s, 4))).hasSize(4);
    s.close();
    await().atMost(Duration.ofSeconds(5)).until(() -> c.isDown("127.0.0.1", port));
  }

  @Test
  void serverThatNeverAcksMakesWriteFailSoTheBatchIsSentAgain() throws Exception {
    try (ServerSocket silent = new ServerSocket(0, 5, java.net.InetAddress.getLoopbackAddress())) {
      CountDownLatch gotData = new CountDownLatch(1);
      Thread t = new Thread(() -> {
        try (Socket sock = silent.accept()) {
          InputStream in = sock.getInputStream();
          if (in.read() >= 0) {
            gotData.countDown();
          }
          in.readAllBytes(); // read everything, answer nothing
        } catch (Exception ignored) {
          // client went away
        }
      });
      t.setDaemon(true);
      t.start();
      FluentdOutput c = client("host: 127.0.0.1, port: " + silent.getLocalPort() + ", heartbeat_type: none, "
          + "require_ack_response: true, ack_response_timeout: 300ms");
      assertThatThrownBy(() -> write(clientCtx, c, batch("app.n", 3, Ack.NONE))).hasMessageContaining("no reply within 300 ms");
      assertThat(gotData.await(5, TimeUnit.SECONDS)).isTrue();
      assertThat(clientCtx.count("resends")).isEqualTo(1);

      // a task that stops does not wait out a long ack timeout
      FluentdOutput patient = client("host: 127.0.0.1, port: " + silent.getLocalPort() + ", heartbeat_type: none, "
          + "require_ack_response: true, ack_response_timeout: 60s");
      CompletableFuture<Void> w = CompletableFuture.runAsync(() -> {
        try {
          write(clientCtx, patient, batch("app.n", 1, Ack.NONE));
        } catch (Exception e) {
          throw new RuntimeException(e);
        }
      });
      await().atMost(Duration.ofSeconds(5)).until(() -> clientCtx.count("connects") >= 2);
      clientCtx.stop();
      assertThatThrownBy(() -> w.get(5, TimeUnit.SECONDS)).hasMessageContaining("stopped while waiting");
    }
  }

  /** Counted down when {@link #stuckServer} accepted its connection. */
  final CountDownLatch stuckAccepted = new CountDownLatch(1);
  /** Ends {@link #stuckServer}'s connection. */
  final CountDownLatch stuckReleased = new CountDownLatch(1);

  /**
   * A server that takes one connection, reads one byte and then nothing more: with its small receive buffer,
   * a write of ~15 MB (300,000 events) blocks whatever the kernel's send buffer grows to (4 MiB at most here).
   */
  ServerSocket stuckServer() throws java.io.IOException {
    ServerSocket stuck = new ServerSocket();
    stuck.setReceiveBufferSize(8192);
    stuck.bind(new InetSocketAddress(java.net.InetAddress.getLoopbackAddress(), 0), 5);
    Thread t = new Thread(() -> {
      try (Socket sock = stuck.accept()) {
        stuckAccepted.countDown();
        sock.getInputStream().read();
        stuckReleased.await(30, TimeUnit.SECONDS);
      } catch (Exception ignored) {
        // test over
      }
    });
    t.setDaemon(true);
    t.start();
    open.add(stuckReleased::countDown);
    return stuck;
  }

  @Test
  void serverThatStopsReadingHitsTheSendTimeout() throws Exception {
    try (ServerSocket stuck = stuckServer()) {
      FluentdOutput c = client("host: 127.0.0.1, port: " + stuck.getLocalPort() + ", heartbeat_type: none, "
          + "send_timeout: 500ms");
      Batch big = batch("app.big", 300_000, Ack.NONE); // ~15 MB: more than the socket buffers hold
      long t0 = System.nanoTime();
      assertThatThrownBy(() -> write(clientCtx, c, big)).hasMessageContaining("send_timeout (500 ms)");
      assertThat(stuckAccepted.await(1, TimeUnit.SECONDS)).isTrue();
      assertThat(Duration.ofNanos(System.nanoTime() - t0)).isLessThan(Duration.ofSeconds(10));
      assertThat(c.isDown("127.0.0.1", stuck.getLocalPort())).isTrue();
    }
  }

  @Test
  void withoutAcksSentBatchesAreWrittenInOrderAndConfirmedOnceWritten() throws Exception {
    ForwardServer s = server("");
    FluentdOutput c = client("host: 127.0.0.1, port: " + s.port() + ", heartbeat_type: none, "
        + "require_ack_response: false");
    assertThat(c.window()).isGreaterThan(1);
    List<Outcome> outcomes = new ArrayList<>();
    for (int i = 0; i < 5; i++) {
      Outcome o = new Outcome();
      outcomes.add(o);
      c.send(batch("app.s" + i, 100, Ack.NONE), o);
    }
    for (Outcome o : outcomes) {
      assertThat(o.get()).isEqualTo("delivered");
    }
    c.close();
    assertThat(outcomes).allSatisfy(o -> assertThat(o.calls).hasValue(1));
    assertThat(events(take(s, 500)).stream().map(Event::tag).distinct())
        .containsExactly("app.s0", "app.s1", "app.s2", "app.s3", "app.s4");
    assertThat(clientCtx.count("connects")).isEqualTo(1);
  }

  @Test
  void aSendNoServerTakesFailsWithTheReason() throws Exception {
    int port;
    try (ServerSocket gone = new ServerSocket(0, 5, java.net.InetAddress.getLoopbackAddress())) {
      port = gone.getLocalPort();
    }
    FluentdOutput c = client("host: 127.0.0.1, port: " + port + ", heartbeat_type: none");
    Outcome o = new Outcome();
    assertThatThrownBy(() -> c.send(batch("app.x", 3, Ack.NONE), o)).hasMessageContaining("cannot connect");
    assertThat(o.calls).hasValue(0); // a send that throws settles nothing: the runtime sends it again
  }

  @Test
  void aServerThatCannotBeReachedCostsAFailoverWithinTheSameSend() throws Exception {
    ForwardServer standby = server("");
    int dead;
    try (ServerSocket probe = new ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
      dead = probe.getLocalPort();
    }
    FluentdOutput c = client("heartbeat_type: none, reconnect_wait: 10s, servers: [{host: 127.0.0.1, port: "
        + dead + "}, {host: 127.0.0.1, port: " + standby.port() + ", standby: true}]");
    for (int i = 1; i <= 3; i++) {
      Outcome o = new Outcome();
      c.send(batch("app." + i, 1, Ack.NONE), o);
      assertThat(o.get()).isEqualTo("delivered");
    }
    assertThat(events(take(standby, 3)).stream().map(Event::tag)).containsExactly("app.1", "app.2", "app.3");
  }

  @Test
  void aBatchSentAfterAConnectionBrokeWithBatchesOnItsWayFailsInsteadOfGoingAheadOfThem() throws Exception {
    ForwardServer silent = ForwardServer.start(serverCtx, ""); // takes messages; nothing acknowledges them
    open.add(silent);
    FluentdOutput c = client("host: 127.0.0.1, port: " + silent.port() + ", heartbeat_type: none, "
        + "require_ack_response: true, ack_response_timeout: 300ms");
    Outcome first = new Outcome();
    c.send(batch("app.1", 1, Ack.NONE), first);
    assertThat(first.get()).startsWith("failed:").contains("no reply within 300 ms"); // the ack reader gave up
    // a new connection would carry it ahead of the first, which the runtime sends again first
    assertThatThrownBy(() -> c.send(batch("app.2", 1, Ack.NONE), new Outcome()))
        .hasMessageContaining("sending what was on its way first");
    Outcome again = new Outcome();
    c.send(batch("app.1", 1, Ack.NONE), again); // the runtime's resend opens a new connection
    assertThat(clientCtx.count("connects")).isEqualTo(2);
  }

  @Test
  void closeCutsShortASendStuckOnAServerThatStopsReading() throws Exception {
    try (ServerSocket stuck = stuckServer()) {
      FluentdOutput c = client("host: 127.0.0.1, port: " + stuck.getLocalPort() + ", heartbeat_type: none, "
          + "send_timeout: 60s");
      Outcome writing = new Outcome();
      CompletableFuture<Void> send = CompletableFuture.runAsync(() -> {
        try {
          c.send(batch("app.big", 300_000, Ack.NONE), writing); // ~15 MB: more than the socket buffers hold
        } catch (Exception e) {
          throw new java.util.concurrent.CompletionException(e);
        }
      });
      assertThat(stuckAccepted.await(5, TimeUnit.SECONDS)).isTrue();
      long t0 = System.nanoTime();
      c.close();
      // not after send_timeout: the stuck write fails at once
      assertThatThrownBy(() -> send.get(10, TimeUnit.SECONDS)).hasMessageContaining("server 127.0.0.1:"
          + stuck.getLocalPort());
      assertThat(Duration.ofNanos(System.nanoTime() - t0)).isLessThan(Duration.ofSeconds(10));
      assertThat(writing.calls).hasValue(0);
    }
  }

  @Test
  void keepaliveTimeReconnects() throws Exception {
    ForwardServer s = server("");
    FluentdOutput c = client("host: 127.0.0.1, port: " + s.port() + ", heartbeat_type: none, "
        + "keepalive_time: 1s");
    write(clientCtx, c, batch("app.k", 1, Ack.NONE));
    write(clientCtx, c, batch("app.k", 1, Ack.NONE));
    assertThat(clientCtx.count("connects")).isEqualTo(1);
    // after about keepalive_time the next batch opens a new connection
    await().atMost(Duration.ofSeconds(5)).until(() -> {
      write(clientCtx, c, batch("app.k", 1, Ack.NONE));
      return clientCtx.count("connects") >= 2;
    });
    take(s, 3);
  }

  @Test
  void ackForAnotherChunkFailsTheWrite() throws Exception {
    try (ServerSocket liar = new ServerSocket(0, 5, java.net.InetAddress.getLoopbackAddress())) {
      Thread t = new Thread(() -> {
        try (Socket sock = liar.accept()) {
          // read the whole message, then acknowledge a chunk that was never sent
          byte[] buf = new byte[1 << 16];
          int n = 0;
          io.netty.buffer.ByteBuf view;
          do {
            n += sock.getInputStream().read(buf, n, buf.length - n);
            view = io.netty.buffer.Unpooled.wrappedBuffer(buf, 0, n);
          } while (FrameScanner.valueEnd(view, 0, n, buf.length) == FrameScanner.INCOMPLETE);
          sock.getOutputStream().write(ForwardRequest.ackReply(new byte[] {(byte) 0xa5, 'w', 'r', 'o', 'n', 'g'}));
          sock.getInputStream().read();
        } catch (Exception ignored) {
          // test over
        }
      });
      t.setDaemon(true);
      t.start();
      FluentdOutput c = client("host: 127.0.0.1, port: " + liar.getLocalPort() + ", heartbeat_type: none, "
          + "require_ack_response: true");
      assertThatThrownBy(() -> write(clientCtx, c, batch("app.l", 2, Ack.NONE))).hasMessageContaining("acknowledged chunk 'wrong'");
      assertThat(clientCtx.count("acks")).isZero();
    }
  }

  @Test
  void serverThatResetsMidChunk() throws Exception {
    try (ServerSocket rude = new ServerSocket(0, 5, java.net.InetAddress.getLoopbackAddress())) {
      Thread t = new Thread(() -> {
        try (Socket sock = rude.accept()) {
          sock.getInputStream().readNBytes(100);
          sock.setSoLinger(true, 0); // RST
        } catch (Exception ignored) {
          // expected
        }
      });
      t.setDaemon(true);
      t.start();
      FluentdOutput c = client("host: 127.0.0.1, port: " + rude.getLocalPort() + ", heartbeat_type: none, "
          + "require_ack_response: true, ack_response_timeout: 5s");
      assertThatThrownBy(() -> write(clientCtx, c, batch("app.r", 20_000, Ack.NONE))).isInstanceOf(java.io.IOException.class);
    }
    // and the same batch goes through to a working server afterwards (what the runtime's retry does)
    ForwardServer s = server("");
    FluentdOutput c2 = client("host: 127.0.0.1, port: " + s.port() + ", heartbeat_type: none, "
        + "require_ack_response: true");
    write(clientCtx, c2, batch("app.r", 20_000, Ack.NONE));
    assertThat(events(take(s, 20_000))).hasSize(20_000);
  }

  @Test
  void failoverToTheLiveServerAndStandbyOnlyWhenNeeded() throws Exception {
    ForwardServer a = server("");
    ForwardServer standby = server("");
    int dead;
    try (ServerSocket probe = new ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
      dead = probe.getLocalPort();
    }
    FluentdOutput c = client("heartbeat_type: none, keepalive: false, reconnect_wait: 10s, servers: ["
        + "{host: 127.0.0.1, port: " + dead + "}, {host: 127.0.0.1, port: " + a.port() + "}, "
        + "{host: 127.0.0.1, port: " + standby.port() + ", standby: true}]");
    for (int i = 0; i < 4; i++) {
      write(clientCtx, c, batch("app.f", 1, Ack.NONE));
    }
    assertThat(take(a, 4)).hasSize(4);
    assertThat(receivers.get(standby).received()).isZero();
    a.close();
    write(clientCtx, c, batch("app.f", 1, Ack.NONE));
    assertThat(take(standby, 1)).hasSize(1);
  }

  @Test
  void withoutKeepaliveEachConnectionsReaderIsAThreadReused() throws Exception {
    ForwardServer s = server("");
    FluentdOutput c = client("host: 127.0.0.1, port: " + s.port() + ", heartbeat_type: none, keepalive: false");
    write(clientCtx, c, batch("app.t", 1, Ack.NONE));
    var threads = java.lang.management.ManagementFactory.getThreadMXBean();
    long before = threads.getTotalStartedThreadCount();
    for (int i = 0; i < 100; i++) {
      write(clientCtx, c, batch("app.t", 1, Ack.NONE)); // a connection, and a reader, for each
    }
    // starting a thread per connection cost ~0.7 ms a batch (measured on 2 cores)
    assertThat(threads.getTotalStartedThreadCount() - before).isLessThan(20);
    assertThat(clientCtx.count("connects")).isEqualTo(101);
    take(s, 101);
  }

  @Test
  void weightsShareTheBatches() throws Exception {
    ForwardServer light = server("");
    ForwardServer heavy = server("");
    FluentdOutput c = client("heartbeat_type: none, keepalive: false, servers: [{host: 127.0.0.1, port: "
        + light.port() + ", weight: 1}, {host: 127.0.0.1, port: " + heavy.port() + ", weight: 3}]");
    for (int i = 0; i < 8; i++) {
      write(clientCtx, c, batch("app.w", 1, Ack.NONE));
    }
    assertThat(take(light, 2)).hasSize(2);
    assertThat(take(heavy, 6)).hasSize(6);
  }

  @Test
  void serversFromFiles(@TempDir Path dir) throws Exception {
    ForwardServer primary = server("");
    ForwardServer secondary = server("");
    java.nio.file.Files.writeString(dir.resolve("primary"), "# primaries\n127.0.0.1:" + primary.port() + "\n");
    java.nio.file.Files.writeString(dir.resolve("secondary"), "127.0.0.1:" + secondary.port() + "\n");
    FluentdOutput c = client("heartbeat_type: none, keepalive: false, primary_servers_file: " + dir.resolve("primary")
        + ", secondary_servers_file: " + dir.resolve("secondary"));
    write(clientCtx, c, batch("app.p", 1, Ack.NONE));
    take(primary, 1);
    primary.close();
    write(clientCtx, c, batch("app.p", 1, Ack.NONE));
    take(secondary, 1);
  }

  @Test
  void pingMessageDrainLogAndMessageKey() throws Exception {
    ForwardServer s = server("");
    FluentdOutput c = client("host: 127.0.0.1, port: " + s.port() + ", heartbeat_type: none, "
        + "ping_message: {tag: ping, data: agent1, interval: 100ms}, drain_log_tag: drain, message_key: msg");
    List<Batch> pings = take(s, 1);
    assertThat(pings.get(0).tag()).isEqualTo("ping");
    assertThat(pings.get(0).events().get(0).record()).isEqualTo(Map.of("data", "agent1"));
    write(clientCtx, c, batch("app.m", 2, Ack.NONE));
    Map<String, List<Event>> byTag = new LinkedHashMap<>();
    long deadline = System.nanoTime() + 10_000_000_000L;
    while ((!byTag.containsKey("app.m") || !byTag.containsKey("drain")) && System.nanoTime() < deadline) {
      for (Batch b : take(s, 1)) {
        byTag.computeIfAbsent(b.tag(), k -> new ArrayList<>()).addAll(b.events());
      }
    }
    assertThat(byTag.get("app.m").get(0).record()).containsEntry("msg", "line 0 한국어").doesNotContainKey("message");
    assertThat(byTag.get("drain").get(0).record()).isEqualTo(Map.of("drain", 2L));
  }

  @Test
  void seedOptionsBind() throws Exception {
    var cfg = Steps.parse("- task:\n  - in.Forward: {}\n  - out.Fluentd: {ip: 192.168.0.1}\n");
    FluentdPlugin.Options o = (FluentdPlugin.Options) cfg.tasks().get(0).steps().get(1).options();
    assertThat(o.host()).isEqualTo("192.168.0.1");
    assertThat(o.port()).isEqualTo(24224);
    assertThat(o.requireAckResponse()).isTrue();
    var in = (ForwardPlugin.Options) cfg.tasks().get(0).steps().get(0).options();
    assertThat(in.bind()).isEqualTo("127.0.0.1");
    assertThat(in.port()).isEqualTo(24224);
    assertThatThrownBy(() -> Steps.parse("- task:\n  - in.Forward: {}\n  - out.Fluentd: {}\n"))
        .hasMessageContaining("needs a server");
    assertThatThrownBy(() -> Steps.parse("- task:\n  - in.Forward: {}\n  - out.Fluentd: {ip: 10.0.0.1, "
        + "json: true, compress: gzip}\n")).hasMessageContaining("cannot be combined");
    for (String bad : new String[] {"0s", "8d"}) {
      assertThatThrownBy(() -> Steps.parse("- task:\n  - in.Forward: {}\n  - out.Fluentd: {ip: 10.0.0.1, "
          + "ack_response_timeout: " + bad + "}\n")).hasMessageContaining("must be more than 0 and at most 7d");
    }
    assertThatThrownBy(() -> Steps.parse("- task:\n  - in.Forward: {users: [{username: a, password: b}]}\n"
        + "  - out.Null\n")).hasMessageContaining("needs `shared_key`");
    // a servers list may use the seed's `ip` too
    var list = Steps.parse("- task:\n  - in.Forward: {}\n  - out.Fluentd: {servers: [{ip: 10.0.0.1}, "
        + "{host: 10.0.0.2, port: 24225, standby: true}]}\n");
    var lo = (FluentdPlugin.Options) list.tasks().get(0).steps().get(1).options();
    assertThat(lo.servers()).extracting(FluentdPlugin.Server::host).containsExactly("10.0.0.1", "10.0.0.2");
  }
}
