package io.swak.core.plugins.forward;

import io.swak.api.Batch;
import io.swak.api.Output;
import io.swak.api.StepContext;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.UnknownHostException;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import javax.net.ssl.SSLContext;
import org.msgpack.core.MessagePack;
import org.msgpack.core.MessageUnpacker;
import org.msgpack.value.ValueType;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * out.Fluentd: sends each batch as one PackedForward message over a blocking socket (one connection
 * at a time is all a task thread needs). {@link #write} returns only when the batch is written — and,
 * with {@code require_ack_response}, acknowledged by the server; otherwise it throws and the runtime
 * sends the batch again, possibly to another server.
 */
final class FluentdOutput implements Output {

  private static final Logger LOG = LoggerFactory.getLogger("swak.fluentd");

  private final FluentdPlugin.Options o;
  private final Object lock = new Object();
  private ServerList servers;
  private SSLContext ssl;
  private String selfHostname;
  private ScheduledExecutorService timers;
  private StepContext context;
  private ServerLink link;

  FluentdOutput(FluentdPlugin.Options options) {
    this.o = options;
  }

  @Override
  public void start(StepContext ctx) throws Exception {
    this.context = ctx;
    this.servers = ServerList.of(o);
    ctx.metrics().gauge("servers_up", servers::upCount);
    this.ssl = o.tls() ? Tls.clientContext(o) : null;
    this.selfHostname = o.selfHostname() != null && !o.selfHostname().isEmpty() ? o.selfHostname() : hostname();
    this.timers = Executors.newScheduledThreadPool(2, r -> {
      Thread t = new Thread(r, "swak-fluentd-" + ctx.taskName().replace(' ', '-'));
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

  @Override
  public void write(Batch batch) throws Exception {
    Batch b = o.messageKey().equals("message") ? batch : ForwardEncoder.renameMessage(batch, o.messageKey());
    String chunk = o.requireAckResponse() ? ForwardEncoder.chunkId() : null;
    Payload payload = encode(b, chunk); // once, whichever server takes it
    synchronized (lock) {
      IOException last = null;
      // one try per server, so a dead server costs a failover, not a retry round
      for (int i = 0; i < servers.nodes().size(); i++) {
        ServerLink l;
        try {
          l = connected();
        } catch (IOException e) {
          last = e;
          continue;
        }
        try {
          send(l, payload, chunk);
          servers.alive(l.node);
          context.metrics().bytesOut(b.length());
          if (o.drainLogTag() != null && !o.drainLogTag().isEmpty()) {
            sendQuietly(l, ForwardEncoder.message(o.drainLogTag(), context.clock().millis() * 1_000_000L,
                Map.of("drain", b.count())));
          }
          if (!o.keepalive() || !l.serverKeepsAlive) {
            disconnect();
          }
          return;
        } catch (IOException e) {
          servers.failed(l.node, System.nanoTime(), e.getMessage());
          disconnect();
          last = new IOException("server " + l.node + ": " + e.getMessage(), e);
          if (chunk != null) {
            context.metrics().count("resends", 1);
          }
        }
      }
      throw last != null ? last : new IOException("no server could be reached");
    }
  }

  /** The open link, or a new one to the server chosen now; a failure marks that server down. */
  private ServerLink connected() throws IOException {
    long now = System.nanoTime();
    if (link != null && (link.expiresAtNanos != 0 && now > link.expiresAtNanos
        || now - link.lastUsedNanos > 1_000_000_000L && link.closedByPeer()
        || servers.isDown(link.node))) {
      disconnect();
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
      link = ServerLink.open(node, o, ssl, selfHostname, timers, expires);
      link.lastUsedNanos = now;
      context.metrics().count("connects", 1);
      return link;
    } catch (ServerLink.AuthFailure e) {
      context.metrics().count("auth_failures", 1);
      servers.failed(node, System.nanoTime(), e.getMessage());
      throw new IOException("server " + node + ": " + e.getMessage(), e);
    } catch (IOException e) {
      servers.failed(node, System.nanoTime(), e.toString());
      throw new IOException("server " + node + ": cannot connect: " + e.getMessage(), e);
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

  private void send(ServerLink l, Payload p, String chunk) throws IOException {
    Duration st = o.sendTimeout();
    if (p.head() != null) {
      l.write(p.head(), st);
    }
    l.write(p.data(), 0, p.length(), st);
    if (p.tail() != null) {
      l.write(p.tail(), st);
    }
    l.flush(st);
    l.lastUsedNanos = System.nanoTime();
    if (chunk != null) {
      awaitAck(l, chunk);
    }
  }

  private void awaitAck(ServerLink l, String chunk) throws IOException {
    byte[] reply = l.readFrame(o.ackResponseTimeout(), context::stopping);
    String acked = null;
    try (MessageUnpacker in = MessagePack.newDefaultUnpacker(reply)) {
      if (in.getNextFormat().getValueType() == ValueType.MAP) {
        int n = in.unpackMapHeader();
        for (int i = 0; i < n; i++) {
          String k = in.unpackString();
          if (k.equals("ack") && in.getNextFormat().getValueType() == ValueType.STRING) {
            acked = in.unpackString();
          } else {
            in.skipValue();
          }
        }
      }
    } catch (IOException | RuntimeException e) {
      throw new IOException("unreadable ack reply: " + e.getMessage());
    }
    if (acked == null && reply.length > 5 && (reply[0] & 0xf0) == 0x90 && reply[1] == (byte) 0xa4
        && reply[2] == 'H' && reply[3] == 'E' && reply[4] == 'L' && reply[5] == 'O') {
      throw new IOException("the server requires the shared-key handshake (it sent HELO): set `shared_key`");
    }
    if (!chunk.equals(acked)) {
      throw new IOException("the server acknowledged chunk '" + acked + "' instead of '" + chunk + "'");
    }
    context.metrics().count("acks", 1);
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

  private void disconnect() {
    if (link != null) {
      link.close();
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
        l.lastUsedNanos = System.nanoTime();
        if (!o.keepalive()) {
          disconnect();
        }
      }
      context.metrics().count("pings", 1);
    } catch (IOException | UncheckedIOException e) {
      LOG.debug("out.Fluentd: ping message not sent: {}", e.toString());
      synchronized (lock) {
        disconnect();
      }
    } catch (RuntimeException e) {
      LOG.warn("out.Fluentd: ping message failed: {}", e.toString());
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
    if (timers != null) {
      timers.shutdownNow();
    }
    synchronized (lock) {
      disconnect();
    }
  }

}
