package io.swak.plugins.fluentd.output;

import io.swak.api.Batch;
import io.swak.api.StepContext;
import io.swak.api.Output;
import io.swak.plugins.fluentd.protocol.ForwardEncoder;
import io.swak.support.PemTls;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.UnknownHostException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import javax.net.ssl.SSLContext;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * out.Fluentd: sends each batch as one PackedForward message over a blocking socket (one connection at
 * a time takes new messages; a retired one stays open until its acks came), to one of its servers. A
 * batch is delivered when the server acknowledged it ({@code require_ack_response}, the link's reader
 * thread takes the acks) — or, without acks, when written, on a connection whose server was seen not to
 * require the shared-key handshake (its reader watched it for a HELO). The runtime calls {@link #send} in order on its sender
 * thread, up to {@link #WINDOW} batches on their way on kept connections, and sends what was lost again.
 *
 * <p>A server that cannot be reached is skipped within the same send (the next one is tried). A write
 * that fails on an open connection fails the send instead: what was on its way over that connection is
 * lost too, and must be sent again first.
 */
final class FluentdOutput implements Output {

  private static final Logger LOG = LoggerFactory.getLogger("swak.fluentd");
  /** Batches on their way at once on kept connections (the runtime also bounds their bytes). */
  static final int WINDOW = 8;

  private final FluentdPlugin.Options o;
  private final Object lock = new Object();
  private ServerList servers;
  /** Retired links still waiting for acks; under {@link #lock}. */
  private final List<ServerLink> retired = new ArrayList<>();
  private SSLContext ssl;
  private String selfHostname;
  private ScheduledExecutorService timers;
  /**
   * Threads that read the servers' replies, one per open connection, reused: without keepalive every batch
   * opens a connection, and starting a thread for each cost ~0.7 ms here (a reused one ~20 µs).
   */
  private ExecutorService readers;
  private StepContext context;
  /** Under {@link #lock}; volatile so that close() can cut short a write that holds the lock. */
  private volatile ServerLink link;
  /** Set first thing in close(): no new connection is opened, so nothing more is sent. */
  private volatile boolean closed;

  FluentdOutput(FluentdPlugin.Options options) {
    this.o = options;
  }

  @Override
  public void start(StepContext ctx) throws Exception {
    this.context = ctx;
    this.servers = ServerList.of(o);
    ctx.metrics().gauge("servers_up", servers::upCount);
    this.ssl = o.tls() ? PemTls.clientContext(o.tlsInsecure(), o.caFile(), o.certFile(), o.keyFile()) : null;
    this.selfHostname = o.selfHostname() != null && !o.selfHostname().isEmpty() ? o.selfHostname() : hostname();
    this.timers = Executors.newScheduledThreadPool(2, r -> {
      Thread t = new Thread(r, "swak-fluentd-" + ctx.taskName().replace(' ', '-'));
      t.setDaemon(true);
      return t;
    });
    String task = ctx.taskName().replace(' ', '-');
    this.readers = Executors.newCachedThreadPool(r -> {
      Thread t = new Thread(r, "swak-fluentd-reader-" + task);
      t.setDaemon(true);
      return t;
    });
    long hb = Math.max(10, o.heartbeatInterval().toMillis());
    if (o.heartbeatType() != FluentdPlugin.HeartbeatType.NONE) {
      timers.scheduleWithFixedDelay(this::heartbeat, hb, hb, TimeUnit.MILLISECONDS);
    }
    if (o.pingMessage() != null) {
      long every = Math.max(100, o.pingMessage().interval().toMillis());
      timers.scheduleWithFixedDelay(this::ping, 0, every, TimeUnit.MILLISECONDS);
    }
  }

  private static String hostname() {
    try {
      return InetAddress.getLocalHost().getHostName();
    } catch (UnknownHostException e) {
      return "localhost";
    }
  }

  /** Several batches on their way on kept connections; without keepalive each batch has a connection of its own. */
  @Override
  public int window() {
    return o.keepalive() ? WINDOW : 1;
  }

  /** Without acks nothing tells which written batches the server processed: the runtime warns at start. */
  @Override
  public String atMostOnce() {
    return o.requireAckResponse() ? null : "a batch counts as delivered once written to the socket; the server does "
        + "not acknowledge it (require_ack_response: false)";
  }

  @Override
  public void send(Batch batch, Receipt receipt) throws Exception {
    Batch b = o.messageKey().equals("message") ? batch : ForwardEncoder.renameMessage(batch, o.messageKey());
    String chunk = o.requireAckResponse() ? ForwardEncoder.chunkId() : null;
    Payload payload = encode(b, chunk); // once, whichever server takes it
    IOException last = null;
    // a server that cannot be reached costs a failover to the next, not a retry round
    for (int i = 0; i < servers.nodes().size(); i++) {
      boolean settledLater;
      try {
        settledLater = transmit(b, payload, chunk, receipt);
      } catch (Unreachable e) {
        last = e;
        continue;
      }
      if (!settledLater) {
        receipt.delivered(); // written: as far as a server that does not ack can confirm
      }
      return;
    }
    throw last != null ? last : new IOException("no server could be reached");
  }

  /**
   * Writes one message on the current (or a new) connection; with a chunk id its ack settles
   * {@code receipt} later, and so does the link's reader when the connection's greeting is not checked yet.
   *
   * @return true when the link settles {@code receipt}, false when being written is being delivered
   * @throws Unreachable when no connection could be made (nothing was lost: the next server may take it)
   */
  private boolean transmit(Batch b, Payload payload, String chunk, Receipt receipt) throws IOException {
    synchronized (lock) {
      ServerLink l = connected();
      ServerLink.Pending pending = null;
      boolean settleNow;
      try {
        pending = l.expect(chunk, receipt);
        write(l, payload);
        settleNow = pending == null || l.written(pending);
      } catch (IOException | RuntimeException e) {
        if (pending != null) {
          l.forget(pending); // the link leaves a batch being written to its writer: the receipt stays unsettled
        }
        // when the reader broke the link (a HELO, the server closing) the write only saw the socket go
        String why = l.broken() != null && !closed ? l.broken() : e.getMessage() != null ? e.getMessage() : e.toString();
        servers.failed(l.node, System.nanoTime(), why);
        disconnect(); // what else was on its way over it is lost, and sent again
        throw new IOException("server " + l.node + ": " + why, e);
      }
      servers.alive(l.node);
      if (o.drainLogTag() != null && !o.drainLogTag().isEmpty()) {
        sendQuietly(l, ForwardEncoder.message(o.drainLogTag(), context.clock().millis() * 1_000_000L,
            Map.of("drain", b.count())));
      }
      if (!o.keepalive() || !l.serverKeepsAlive) {
        release();
      }
      return !settleNow;
    }
  }

  /** No connection could be made to the server chosen. */
  static final class Unreachable extends IOException {
    private static final long serialVersionUID = 1L;

    Unreachable(String message, Throwable cause) {
      super(message, cause);
    }
  }

  /** The open link, or a new one to the server chosen now; a failure marks that server down. */
  private ServerLink connected() throws IOException {
    if (closed) {
      throw new IOException("the output closed");
    }
    long now = System.nanoTime();
    if (link != null && link.broken() != null) {
      // the reader saw the server close it, or reply what it should not: a kept connection is not reused
      ServerLink was = link;
      link = null;
      if (was.lostAny()) {
        servers.failed(was.node, now, was.broken());
        // what it had on its way is being sent again: this batch must not go ahead of it on a new connection
        throw new IOException("server " + was.node + ": " + was.broken() + "; sending what was on its way first");
      }
    } else if (link != null && (link.expiresAtNanos != 0 && now > link.expiresAtNanos || servers.isDown(link.node))) {
      release();
    }
    if (link != null) {
      return link;
    }
    ServerList.Node node = servers.choose(now);
    try {
      long expires = 0;
      if (o.keepalive() && !o.keepaliveTime().isZero()) {
        double f = 0.8 + 0.4 * ThreadLocalRandom.current().nextDouble();
        expires = now + (long) (o.keepaliveTime().toNanos() * f);
      }
      link = ServerLink.open(node, o, ssl, selfHostname, timers, readers, expires, context.metrics());
      context.metrics().count("connects", 1);
      return link;
    } catch (ServerLink.AuthFailure e) {
      context.metrics().count("auth_failures", 1);
      servers.failed(node, System.nanoTime(), e.getMessage());
      throw new Unreachable("server " + node + ": " + e.getMessage(), e);
    } catch (IOException e) {
      servers.failed(node, System.nanoTime(), e.toString());
      throw new Unreachable("server " + node + ": cannot connect: " + e.getMessage(), e);
    }
  }

  /** The bytes of one message: the JSON form whole, or a PackedForward header, entries and options. */
  private record Payload(byte[] head, byte[] data, int length, byte[] tail) { }

  private Payload encode(Batch b, String chunk) {
    if (o.json()) {
      byte[] json = ForwardEncoder.json(b, chunk);
      return new Payload(null, json, json.length, null);
    }
    boolean gzip = o.compress() == FluentdPlugin.Compress.GZIP;
    byte[] data = b.data();
    int len = b.length();
    if (gzip) {
      data = ForwardEncoder.gzip(data, 0, len);
      len = data.length;
    }
    return new Payload(ForwardEncoder.header(b.tag(), len), data, len, ForwardEncoder.options(b.count(), chunk, gzip));
  }

  private void write(ServerLink l, Payload p) throws IOException {
    Duration st = o.sendTimeout();
    if (p.head() != null) {
      l.write(p.head(), st);
    }
    l.write(p.data(), 0, p.length(), st);
    if (p.tail() != null) {
      l.write(p.tail(), st);
    }
    l.flush(st);
  }

  private void sendQuietly(ServerLink l, byte[] message) {
    try {
      l.write(message, o.sendTimeout());
      l.flush(o.sendTimeout());
    } catch (IOException e) {
      LOG.debug("out.Fluentd: extra event to {} not sent: {}", l.node, e.toString());
      disconnect();
    }
  }

  /** Closes the connection now: what is on its way over it is lost (and sent again). */
  private void disconnect() {
    if (link != null) {
      link.close();
      link = null;
    }
  }

  /** No more messages on the connection; it closes once the acks on their way came (or at close). */
  private void release() {
    if (link != null) {
      retired.removeIf(l -> l.broken() != null);
      link.retire();
      if (link.broken() == null) {
        retired.add(link);
      }
      link = null;
    }
  }

  /** fluent-agent-lite's ping message: a liveness event sent on the current (or a new) connection. */
  private void ping() {
    try {
      byte[] m = ForwardEncoder.message(o.pingMessage().tag(), context.clock().millis() * 1_000_000L,
          Map.of("data", o.pingMessage().data()));
      synchronized (lock) {
        ServerLink l = connected();
        l.write(m, o.sendTimeout());
        l.flush(o.sendTimeout());
        if (!o.keepalive()) {
          release();
        }
      }
      context.metrics().count("pings", 1);
    } catch (IOException | UncheckedIOException e) {
      LOG.debug("out.Fluentd: ping message not sent: {}", e.toString());
      synchronized (lock) {
        disconnect();
      }
    } catch (RuntimeException e) {
      LOG.warn("out.Fluentd: ping message failed: {}", io.swak.support.FailureText.of(e));
    }
  }

  /** Checks every server: transport/tcp by connecting (and closing), udp by a 0x00 datagram answered by one. */
  private void heartbeat() {
    for (ServerList.Node n : servers.nodes()) {
      int timeout = (int) Math.max(50, Math.min(o.connectTimeout().toMillis(), o.heartbeatInterval().toMillis()));
      try {
        if (o.heartbeatType() == FluentdPlugin.HeartbeatType.UDP) {
          try (DatagramSocket d = new DatagramSocket()) {
            d.setSoTimeout(timeout);
            d.send(new DatagramPacket(new byte[] {0}, 1, new InetSocketAddress(n.host, n.port)));
            d.receive(new DatagramPacket(new byte[16], 16));
          }
        } else {
          try (Socket s = new Socket()) {
            s.connect(new InetSocketAddress(n.host, n.port), timeout);
          }
        }
        servers.alive(n);
      } catch (IOException e) {
        servers.failed(n, System.nanoTime(), "heartbeat: " + e.getMessage());
      } catch (RuntimeException e) {
        LOG.debug("out.Fluentd: heartbeat of {}: {}", n, e.toString());
      }
    }
  }

  /** For tests: whether the output currently considers a server down. */
  boolean isDown(String host, int port) {
    return servers.nodes().stream().anyMatch(n -> n.host.equals(host) && n.port == port && servers.isDown(n));
  }

  @Override
  public void close() {
    closed = true;
    ServerLink writing = link;
    if (writing != null) {
      writing.close(); // a write stuck on a server that does not read: fail it now, not after send_timeout
    }
    if (timers != null) {
      timers.shutdownNow(); // after the sender: they are also the links' send-timeout watchdog
    }
    synchronized (lock) {
      disconnect();
      retired.forEach(ServerLink::close); // acks not come by now are lost: the batches stay unacknowledged
      retired.clear();
    }
    if (readers != null) {
      readers.shutdownNow(); // every link is closed: their readers are ending
    }
  }

}
