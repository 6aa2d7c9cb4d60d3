package io.swak.plugins.fluentd.input;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.sun.management.ThreadMXBean;
import io.netty.util.internal.PlatformDependent;
import io.swak.api.Ack;
import io.swak.api.Batch;
import io.swak.api.BatchBuilder;
import io.swak.api.Output;
import io.swak.core.testing.TestContext;
import io.swak.plugins.fluentd.testing.HostileClients;
import io.swak.plugins.fluentd.testing.Receiver;
import io.swak.plugins.fluentd.testing.Steps;
import java.lang.management.BufferPoolMXBean;
import java.lang.management.ManagementFactory;
import io.swak.plugins.fluentd.testing.WireMessages;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * in.Forward with its default settings under clients that try to exhaust its memory: 40 connections each sending
 * 15 MiB of a message announced at nearly 16 MiB and then stalling, and gzip bombs of valid entries. The server
 * must refuse them with a counted reason, keep serving a well-behaved client, and stay within its memory: what it
 * holds is bounded by assembly_limit and queue_limit, in the heap, not by what the clients send.
 */
class ForwardMemoryTest {

  static final long MIB = 1 << 20;

  final TestContext serverCtx = new TestContext();
  final TestContext clientCtx = new TestContext();
  ForwardInput server;
  Receiver receiver;
  HostileClients hostile;
  Output polite;
  final AtomicLong peakDirect = new AtomicLong();
  volatile boolean sampling = true;

  @AfterEach
  void close() throws Exception {
    sampling = false;
    Steps.closeQuietly(polite);
    if (hostile != null) {
      hostile.close();
    }
    if (receiver != null) {
      receiver.close();
    }
    Steps.closeQuietly(server);
    serverCtx.stop();
    clientCtx.stop();
  }

  /** Heap in use by what is reachable: after collections. */
  static long liveHeap() {
    for (int i = 0; i < 3; i++) {
      System.gc();
    }
    return ManagementFactory.getMemoryMXBean().getHeapMemoryUsage().getUsed();
  }

  /** Direct memory in use: the JDK's direct buffers, and Netty's own when it counts them. */
  static long direct() {
    long jdk = ManagementFactory.getPlatformMXBeans(BufferPoolMXBean.class).stream()
        .filter(b -> b.getName().equals("direct")).mapToLong(BufferPoolMXBean::getMemoryUsed).sum();
    return jdk + Math.max(0, PlatformDependent.usedDirectMemory());
  }

  /** Bytes the server's network thread has allocated on the heap so far. */
  static long networkThreadAllocated() {
    ThreadMXBean threads = (ThreadMXBean) ManagementFactory.getThreadMXBean();
    return Thread.getAllStackTraces().keySet().stream()
        .filter(t -> t.getName().startsWith("swak-forward-") && !t.getName().startsWith("swak-forward-accept"))
        .mapToLong(t -> threads.getThreadAllocatedBytes(t.getId())).sum();
  }

  static Batch smallBatch(int i) {
    return new BatchBuilder().add(1_700_000_000_000_000_000L + i, Map.of("message", "polite " + i))
        .build("app.polite", Ack.NONE);
  }

  void sampleDirectMemory() {
    Thread t = new Thread(() -> {
      while (sampling) {
        peakDirect.accumulateAndGet(direct(), Math::max);
        Thread.onSpinWait();
      }
    }, "direct-memory-sampler");
    t.setDaemon(true);
    t.start();
  }

  @Test
  void hostileClientsAreRefusedAndCountedWhileAWellBehavedOneIsServedInBoundedMemory() throws Exception {
    server = Servers.start(serverCtx, ""); // every limit at its default
    receiver = new Receiver(server);
    polite = (Output) Steps.output("host: 127.0.0.1, port: " + server.port() + ", heartbeat_type: none, "
        + "ack_response_timeout: 10s");
    polite.start(clientCtx);
    Steps.write(clientCtx, polite, smallBatch(0));
    long baseline = liveHeap();
    long directBefore = direct();
    sampleDirectMemory();

    hostile = new HostileClients("127.0.0.1", server.port());
    hostile.stallers(40);
    // the well-behaved client is served meanwhile, each batch acknowledged by the server
    for (int i = 1; i <= 20; i++) {
      Steps.write(clientCtx, polite, smallBatch(i));
    }
    // the stallers hold what the server let them send, and wait: the memory is bounded by the limits
    await().atMost(Duration.ofSeconds(10)).until(() -> serverCtx.count("memory_pauses") >= 39);
    long heldByStallers = liveHeap() - baseline;

    // stalled while others wait: refused, counted, and their memory is free again
    await().atMost(Duration.ofSeconds(20)).until(() -> serverCtx.count("memory_refusals") >= 1);
    for (int i = 21; i <= 30; i++) {
      Steps.write(clientCtx, polite, smallBatch(i));
    }

    // a gzip message inflating to 128 MiB of valid entries: stopped at decompressed_size_limit (64 MiB), inflated a
    // window at a time
    byte[] bomb = HostileClients.gzipBomb(128 * MIB);
    long errorsBefore = serverCtx.count("protocol_errors");
    long allocatedBefore = networkThreadAllocated();
    hostile.bombs(bomb, 1);
    await().atMost(Duration.ofSeconds(20)).until(() -> serverCtx.count("protocol_errors") > errorsBefore);
    long allocatedForBomb = networkThreadAllocated() - allocatedBefore;
    Steps.write(clientCtx, polite, smallBatch(31));
    sampling = false;

    assertThat(receiver.take(32)).isNotEmpty();
    System.out.printf("MEASURED held by stallers %.1f MiB, peak direct %.1f MiB, allocated for bomb %.1f MiB%n",
        heldByStallers / 1048576.0, (peakDirect.get() - directBefore) / 1048576.0, allocatedForBomb / 1048576.0);
    // assembly_limit (32 MiB) bounds what the stallers hold; 16 MiB for the JVM's own noise
    assertThat(heldByStallers).as("live heap held by 40 stalling connections").isLessThan(48 * MIB);
    // reads go through short-lived direct buffers of at most 64 KiB
    assertThat(peakDirect.get() - directBefore).as("peak direct memory").isLessThan(8 * MIB);
    // 64 MiB inflated in windows of 1 MiB: a few windows' worth of garbage, not the 64 MiB
    assertThat(allocatedForBomb).as("heap allocated decoding the gzip bomb").isLessThan(16 * MIB);
  }

  @Test
  void slowlorisConnectionsHoldingTheMemoryAreRefusedSoThatAWaitingMessageGoesThrough() throws Exception {
    // room for two 1 MiB messages being received, not three (the large-message part of 3 MiB: 2.6 MiB)
    server = Servers.start(serverCtx, "chunk_size_limit: 2MiB, assembly_limit: 3MiB");
    receiver = new Receiver(server);
    hostile = new HostileClients("127.0.0.1", server.port());
    hostile.slowloris(2, 50); // 20 bytes a second each: never silent for long, never done
    await().atMost(Duration.ofSeconds(10)).until(() -> server.assemblyBytes() >= 2 * MIB);

    BatchBuilder big = new BatchBuilder();
    for (int i = 0; i < 1000; i++) {
      big.add(1_700_000_000_000_000_000L + i, Map.of("message", "x".repeat(1000), "seq", i));
    }
    byte[] message = WireMessages.encode(big.build("app.big", Ack.NONE), WireMessages.Mode.PACKED_BIN, "big-1");
    try (Socket s = new Socket()) {
      s.connect(new InetSocketAddress("127.0.0.1", server.port()), 5000);
      s.setSoTimeout(30_000);
      s.getOutputStream().write(message);
      // waits for memory the slowloris connections hold; they trickle, so they are refused after 5 s, not it
      byte[] reply = s.getInputStream().readNBytes(11);
      assertThat(new String(reply, 0, reply.length, java.nio.charset.StandardCharsets.US_ASCII)).endsWith("big-1");
    }
    assertThat(receiver.take(1000)).isNotEmpty();
    // refused only while someone waits: one, or both when the watchdog found them stalled at once
    assertThat(serverCtx.count("memory_refusals")).isBetween(1L, 2L);
    await().atMost(Duration.ofSeconds(5)).until(() -> hostile.closedByServer.get() >= 1);
  }
}
