package io.swak.plugins.fluentd.output;

import io.netty.buffer.Unpooled;
import io.swak.api.StepMetrics;
import io.swak.api.Output.Receipt;
import io.swak.plugins.fluentd.protocol.ForwardProtocolException;
import io.swak.plugins.fluentd.protocol.FrameScanner;
import io.swak.plugins.fluentd.protocol.Handshake;
import io.swak.support.SendGuard;
import java.io.BufferedOutputStream;
import java.io.Closeable;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.concurrent.Executor;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLParameters;
import javax.net.ssl.SSLSocket;
import org.msgpack.core.MessagePack;
import org.msgpack.core.MessageUnpacker;
import org.msgpack.value.ValueType;

/**
 * One open connection of out.Fluentd to one server: TCP or TLS, the shared-key handshake, writes
 * bounded by the send timeout (a watchdog closes the socket, since blocking writes have no timeout of
 * their own) and reads of whole msgpack replies.
 *
 * <p>A reader thread per link reads whatever the server sends. With acknowledgements it takes the acks as
 * they come and settles the chunks on their way: confirmed, or lost when the connection breaks, an ack is
 * overdue or names a chunk that was not sent. Without them it watches for a HELO (the server requires the
 * shared-key handshake: everything written was refused) and for the server closing the connection. A
 * retired link takes no new batches and closes once its last one is settled.
 */
final class ServerLink implements Closeable {

  private static final int MAX_REPLY = 1 << 20;
  private static final long MAX_ACK_WAIT_NANOS = TimeUnit.SECONDS.toNanos(60);
  /**
   * How long a new connection without shared_key and without acks is watched for the server's HELO before
   * what was written to it counts as delivered: a server that requires the handshake sends HELO as it accepts,
   * about one round trip after connect() returned plus however long it takes to accept. The connect time
   * stands for the round trip; the floor covers a busy server on a fast link.
   */
  static final long GREETING_WAIT_MIN_NANOS = TimeUnit.MILLISECONDS.toNanos(100);
  static final long GREETING_WAIT_MAX_NANOS = TimeUnit.SECONDS.toNanos(2);
  static final int GREETING_WAIT_CONNECTS = 10;

  final ServerList.Node node;
  private final Socket socket;
  private final InputStream in;
  private final OutputStream out;
  private final SendGuard guard;
  final long expiresAtNanos;
  /** False when the server's HELO said it closes connections after each message. */
  boolean serverKeepsAlive = true;
  private byte[] buf = new byte[256];
  private int filled;
  private final Duration ackTimeout;
  private final StepMetrics metrics;
  /** Batches are confirmed by the server's acks; otherwise once written (after the greeting check). */
  private final boolean acks;

  private ServerLink(ServerList.Node node, Socket socket, ScheduledExecutorService watchdog, long expiresAtNanos,
      Duration ackTimeout, boolean acks, StepMetrics metrics) throws IOException {
    this.node = node;
    this.socket = socket;
    this.in = socket.getInputStream();
    this.out = new BufferedOutputStream(socket.getOutputStream(), 64 * 1024);
    this.guard = new SendGuard(watchdog, why -> fail(why, true), null); // fails before the reader sees the close
    this.expiresAtNanos = expiresAtNanos;
    this.ackTimeout = ackTimeout;
    this.acks = acks;
    this.metrics = metrics;
  }

  /**
   * Connects, starts TLS and does the handshake, all within {@code connectTimeout}; acks and resends are
   * counted in {@code metrics}.
   */
  static ServerLink open(ServerList.Node node, FluentdPlugin.Options o, SSLContext ssl, String selfHostname,
      ScheduledExecutorService watchdog, Executor readers, long expiresAtNanos, StepMetrics metrics)
      throws IOException {
    int timeout = (int) Math.max(1, o.connectTimeout().toMillis());
    long connectStart = System.nanoTime();
    Socket s = new Socket();
    try {
      s.setTcpNoDelay(true);
      s.connect(new InetSocketAddress(node.host, node.port), timeout);
      if (ssl != null) {
        SSLSocket t = (SSLSocket) ssl.getSocketFactory().createSocket(s, node.host, node.port, true);
        if (o.tlsVerifyHostname() && !o.tlsInsecure()) {
          SSLParameters p = t.getSSLParameters();
          p.setEndpointIdentificationAlgorithm("HTTPS");
          t.setSSLParameters(p);
        }
        t.setSoTimeout(timeout);
        t.startHandshake();
        s = t;
      }
      long connectNanos = System.nanoTime() - connectStart;
      ServerLink link = new ServerLink(node, s, watchdog, expiresAtNanos, o.ackResponseTimeout(),
          o.requireAckResponse(), metrics);
      boolean keyed = o.sharedKey() != null && !o.sharedKey().isEmpty();
      if (keyed) {
        link.handshake(o, selfHostname, Duration.ofMillis(timeout));
      }
      // with acks a HELO comes where the first ack should, and with the handshake done there is none to come
      if (!o.requireAckResponse() && !keyed && !node.greetingChecked) {
        long wait = Math.min(GREETING_WAIT_MAX_NANOS,
            Math.max(GREETING_WAIT_MIN_NANOS, GREETING_WAIT_CONNECTS * connectNanos));
        link.greetingDeadlineNanos = System.nanoTime() + wait;
      } else {
        link.greeted = true;
      }
      readers.execute(link::readReplies);
      return link;
    } catch (IOException | RuntimeException e) {
      try {
        s.close();
      } catch (IOException ignored) {
        // already failing
      }
      throw e;
    }
  }

  private void handshake(FluentdPlugin.Options o, String selfHostname, Duration timeout) throws IOException {
    Handshake.Helo helo;
    try {
      helo = Handshake.parseHelo(readFrame(timeout));
    } catch (ForwardProtocolException e) {
      throw new IOException(e.getMessage());
    }
    // printable salt, like Fluentd's, so captures and logs stay readable
    byte[] salt = java.util.HexFormat.of().formatHex(Handshake.random(16)).getBytes(java.nio.charset.StandardCharsets.US_ASCII);
    String user = o.username() == null ? "" : o.username();
    String pass = o.password() == null ? "" : o.password();
    write(Handshake.ping(helo, selfHostname, salt, o.sharedKey(), user, pass), o.sendTimeout());
    flush(o.sendTimeout());
    serverKeepsAlive = helo.keepalive();
    String problem = Handshake.checkPong(readFrame(timeout), helo, salt, o.sharedKey());
    if (problem != null) {
      throw new AuthFailure(problem);
    }
  }

  /** The server refused our credentials or proved not to hold our key. */
  static final class AuthFailure extends IOException {
    private static final long serialVersionUID = 1L;

    AuthFailure(String message) {
      super(message);
    }
  }

  /** Writes under the send timeout: past it the socket is closed and the write fails. */
  void write(byte[] b, Duration sendTimeout) throws IOException {
    write(b, 0, b.length, sendTimeout);
  }

  void write(byte[] b, int off, int len, Duration sendTimeout) throws IOException {
    guard.run(sendTimeout, () -> out.write(b, off, len));
  }

  void flush(Duration sendTimeout) throws IOException {
    guard.run(sendTimeout, out::flush);
  }

  /** Reads one msgpack value sent by the server, waiting at most {@code timeout}. */
  byte[] readFrame(Duration timeout) throws IOException {
    long deadline = System.nanoTime() + timeout.toNanos();
    while (true) {
      if (filled > 0) {
        int end;
        try {
          end = FrameScanner.valueEnd(Unpooled.wrappedBuffer(buf, 0, filled), 0, filled, MAX_REPLY);
        } catch (ForwardProtocolException e) {
          throw new IOException("unreadable reply from the server: " + e.getMessage());
        }
        if (end != FrameScanner.INCOMPLETE) {
          byte[] frame = Arrays.copyOf(buf, end);
          System.arraycopy(buf, end, buf, 0, filled - end);
          filled -= end;
          return frame;
        }
      }
      if (System.nanoTime() >= deadline) {
        throw new SocketTimeoutException("no reply within " + timeout.toMillis() + " ms");
      }
      if (filled == buf.length) {
        buf = Arrays.copyOf(buf, buf.length * 2);
      }
      long left = deadline - System.nanoTime();
      socket.setSoTimeout((int) Math.max(1, Math.min(Integer.MAX_VALUE, left / 1_000_000)));
      int r;
      try {
        r = in.read(buf, filled, buf.length - filled);
      } catch (SocketTimeoutException e) {
        continue; // the deadline is checked at the top
      }
      if (r < 0) {
        throw new EOFException("the server closed the connection");
      }
      filled += r;
    }
  }

  private void closeQuietly() {
    try {
      socket.close();
    } catch (IOException ignored) {
      // closing
    }
  }

  /**
   * Batches written and not settled yet, oldest first, with when they were sent; guarded by itself. With acks,
   * keyed by chunk id; without, batches held until the greeting check passed, under keys of their own.
   */
  private final LinkedHashMap<String, Pending> expected = new LinkedHashMap<>();

  /** A batch registered on the link and not settled yet. */
  static final class Pending {
    final String key;
    final Receipt receipt;
    final long sentNanos;
    /** Its bytes are still being written: a broken link leaves it to the writer, whose send then fails. */
    boolean writing = true;
    /** The link broke while it was being written: not settled, the writer says it failed. */
    boolean dropped;

    Pending(String key, Receipt receipt, long sentNanos) {
      this.key = key;
      this.receipt = receipt;
      this.sentNanos = sentNanos;
    }
  }

  /** Batches held for the greeting check so far: their keys. */
  private long held;
  /** Without acks: when the greeting check ends. Set once, before the reader starts. */
  private long greetingDeadlineNanos;
  /** Without acks: the server sent nothing during the greeting wait (or needs none checked); under expected. */
  private boolean greeted;
  /** Why the link stopped working; null while it works. */
  private volatile String broken;
  private volatile boolean retired;
  private volatile boolean lostAny;

  /**
   * Registers a batch before its bytes are written (so its ack cannot come first): with a chunk id its ack
   * settles {@code receipt} within the ack timeout; without, {@code receipt} is settled delivered by the reader
   * once the greeting check passed, when it has not yet.
   *
   * @return what to tell {@link #written} or {@link #forget} once written or not, or null when nothing was
   *     registered: the caller settles {@code receipt} delivered once the batch is written
   */
  Pending expect(String chunk, Receipt receipt) throws IOException {
    synchronized (expected) {
      if (broken != null) {
        throw new IOException(broken);
      }
      if (chunk == null && greeted) {
        return null;
      }
      Pending p = new Pending(chunk != null ? chunk : "held " + ++held, receipt, System.nanoTime());
      expected.put(p.key, p);
      return p;
    }
  }

  /**
   * The batch's bytes are written. Returns true when the caller settles its receipt delivered now (the greeting
   * check passed while it was being written), false when the link settles it.
   *
   * @throws IOException when the link broke while it was being written: its receipt is not settled
   */
  boolean written(Pending p) throws IOException {
    synchronized (expected) {
      p.writing = false;
      if (p.dropped) {
        throw new IOException(broken);
      }
      if (!acks && greeted && expected.remove(p.key) != null) {
        return true;
      }
      return false;
    }
  }

  /** Forgets a batch whose bytes could not be written, so the reader does not settle its receipt too. */
  void forget(Pending p) {
    synchronized (expected) {
      expected.remove(p.key);
    }
  }

  /** Why the link broke, or null. */
  String broken() {
    return broken;
  }

  /** True when the link broke with batches on their way (their receipts said failed). */
  boolean lostAny() {
    return lostAny;
  }

  /** No new batches: the link closes now, or when the reader settled the last one on its way. */
  void retire() {
    retired = true;
    if (settledAll()) {
      close();
    }
  }

  private boolean settledAll() {
    synchronized (expected) {
      return expected.isEmpty();
    }
  }

  /** The reader thread: whatever ends it also breaks the link, so no batch waits for a reply nobody reads. */
  private void readReplies() {
    try {
      readUntilBroken();
    } catch (RuntimeException | Error e) {
      fail("the reader of the server's replies failed: " + e, true);
      throw e;
    }
  }

  /**
   * The reader's loop. With acks it waits for a reply until the oldest chunk's ack is due, or a whole ack
   * timeout when none is on its way: a chunk sent meanwhile is due later than that, so it is checked in time,
   * and an idle link wakes its reader once per ack timeout, not every few milliseconds. Without acks it waits
   * until the greeting check ends, then for as long as the link lives: any reply is unexpected.
   */
  private void readUntilBroken() {
    long timeout = ackTimeout.toNanos();
    while (broken == null) {
      long wait;
      List<Receipt> passed = null;
      synchronized (expected) {
        long now = System.nanoTime();
        if (acks) {
          Iterator<Pending> it = expected.values().iterator();
          long oldest = it.hasNext() ? it.next().sentNanos : 0;
          // what is left of the oldest chunk's time (no overflow for huge timeouts)
          wait = oldest == 0 ? timeout : timeout - (now - oldest);
        } else if (!greeted && now - greetingDeadlineNanos >= 0 && filled == 0 && nothingWaiting()) {
          greeted = true; // silent so far: a server that requires the handshake would have sent HELO by now
          node.greetingChecked = true;
          // the ones still being written are delivered by their writer, once written
          passed = new ArrayList<>();
          for (Iterator<Pending> it = expected.values().iterator(); it.hasNext(); ) {
            Pending x = it.next();
            if (!x.writing) {
              passed.add(x.receipt);
              it.remove();
            }
          }
          wait = MAX_ACK_WAIT_NANOS;
        } else {
          wait = greeted ? MAX_ACK_WAIT_NANOS : Math.max(1, greetingDeadlineNanos - now);
        }
      }
      if (passed != null) {
        passed.forEach(Receipt::delivered);
        if (retired && settledAll()) {
          close();
          return;
        }
      }
      byte[] reply;
      try {
        if (wait <= 0) {
          fail("no reply within " + ackTimeout.toMillis() + " ms", true);
          return;
        }
        reply = readFrame(Duration.ofNanos(Math.min(wait, MAX_ACK_WAIT_NANOS)));
      } catch (SocketTimeoutException e) {
        continue; // the deadlines are checked at the top
      } catch (IOException e) {
        fail(e.getMessage(), true);
        return;
      }
      String chunk;
      try {
        chunk = ackedChunk(reply);
      } catch (IOException e) {
        fail(e.getMessage(), true);
        return;
      }
      Pending x;
      boolean last;
      synchronized (expected) {
        x = acks ? expected.remove(chunk) : null;
        last = expected.isEmpty();
      }
      if (x == null) {
        fail("the server acknowledged chunk '" + chunk + "', which is not on its way", true);
        return;
      }
      metrics.count("acks", 1);
      x.receipt.delivered();
      if (last && retired) {
        close();
      }
    }
  }

  /** True when no byte from the server waits to be read (one that came as the greeting wait ended). */
  private boolean nothingWaiting() {
    try {
      return in.available() == 0;
    } catch (IOException e) {
      return false; // the next read says what is wrong
    }
  }

  /** The chunk id of an ack reply: {@code {"ack": id}}. */
  static String ackedChunk(byte[] reply) throws IOException {
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
    if (acked == null) {
      throw new IOException("the server replied without an ack");
    }
    return acked;
  }

  /**
   * The link is broken: closed, and every batch on its way lost (each will be sent again). When the server
   * broke it, its greeting is checked again on the next connection: it may have restarted with a shared key.
   */
  private void fail(String why, boolean byServer) {
    List<Receipt> lost = new ArrayList<>();
    synchronized (expected) {
      if (broken == null) {
        broken = why;
        if (byServer) {
          node.greetingChecked = false;
        }
      }
      for (Pending x : expected.values()) {
        if (x.writing) {
          x.dropped = true;
        } else {
          lost.add(x.receipt);
        }
      }
      expected.clear();
    }
    guard.cancel();
    closeQuietly();
    if (!lost.isEmpty()) {
      metrics.count("resends", lost.size());
    }
    String reason = "server " + node + ": " + broken;
    if (!lost.isEmpty()) {
      lostAny = true;
    }
    lost.forEach(r -> r.failed(reason));
  }

  /** Closes the connection; chunks still on their way are lost. */
  @Override
  public void close() {
    fail("the connection was closed", false);
  }
}
