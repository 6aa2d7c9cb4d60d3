package io.swak.plugins.tcp;

import io.swak.api.Batch;
import io.swak.api.MsgpackHeaders;
import io.swak.api.Output;
import io.swak.api.StepContext;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.ReentrantLock;
import javax.net.ssl.SSLContext;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * out.Tcp: encodes each batch in the chosen format and writes it on one kept connection (compressed stream
 * flushed per batch). The runtime calls {@link #send} in order on its sender thread, several batches on
 * their way at once; without acknowledgements a batch is delivered once written, with them once in.Tcp
 * acknowledged all of it. A failed connection is tried again after a wait that doubles up to
 * reconnect_wait_max; sends meanwhile fail at once (the runtime retries them with its own backoff).
 */
final class TcpOutput implements Output {

  private static final Logger LOG = LoggerFactory.getLogger("swak.tcp");
  /** Batches on their way at once on a kept connection (the runtime also bounds their bytes). */
  static final int WINDOW = 8;
  /** Entries of one Forward message at most: a larger batch is sent as several messages. */
  static final int FORWARD_MESSAGE_BYTES = 4 << 20;

  private final TcpOutputPlugin.Options o;
  /** Held while a batch is written; close() waits for it a little, then cuts the write short. */
  private final ReentrantLock lock = new ReentrantLock();
  private final JsonWriter json = new JsonWriter();
  private final Rfc3339.Writer times = new Rfc3339.Writer();
  private final MsgpackScan scan = new MsgpackScan();
  private final byte[] timeKey;
  private final byte[] messageKey;
  private final String server;
  private SSLContext ssl;
  private ScheduledExecutorService timers;
  private StepContext context;
  /** Under {@link #lock}; volatile so close() can cut short a write that holds the lock. */
  private volatile TcpLink link;
  /** Links retired while acks were on their way; closed once those came. Under {@link #lock}. */
  private final List<TcpLink> retired = new ArrayList<>();
  private volatile boolean closed;
  private long nextConnectNanos;
  private long waitNanos;
  private String lastConnectError;
  private boolean down;
  private final AtomicLong chunks = new AtomicLong(ThreadLocalRandom.current().nextLong() & Long.MAX_VALUE);
  private long wireBytes;
  private long plainBytes;

  TcpOutput(TcpOutputPlugin.Options options) {
    this.o = options;
    this.timeKey = options.timeKey() == null || options.timeKey().isEmpty() ? null
        : options.timeKey().getBytes(StandardCharsets.UTF_8);
    this.messageKey = options.messageKey().getBytes(StandardCharsets.UTF_8);
    this.server = options.host() + ":" + options.port();
  }

  @Override
  public void start(StepContext ctx) throws Exception {
    this.context = ctx;
    this.ssl = o.tls() ? io.swak.support.PemTls.clientContext(o.tlsInsecure(), o.caFile(), o.certFile(), o.keyFile()) : null;
    this.timers = Executors.newSingleThreadScheduledExecutor(r -> {
      Thread t = new Thread(r, "swak-tcp-out-timer-" + ctx.taskName().replace(' ', '-'));
      t.setDaemon(true);
      return t;
    });
    ctx.metrics().gauge("wire_bytes", this::wireBytes);
    if (o.compress() != TcpOutputPlugin.Compress.NONE) {
      ctx.metrics().gauge("compression_ratio_percent", () -> {
        long w = wireBytes();
        return w == 0 ? 0 : Math.round(100.0 * plainBytes() / w);
      });
    }
  }

  private long wireBytes() {
    TcpLink l = link;
    return wireBytes + (l == null ? 0 : l.wireBytes());
  }

  private long plainBytes() {
    TcpLink l = link;
    return plainBytes + (l == null ? 0 : l.plainBytes());
  }

  @Override
  public int window() {
    return o.keepalive() ? WINDOW : 1;
  }

  @Override
  public String atMostOnce() {
    return o.requireAck() ? null : "a batch counts as delivered once written to the connection (the receiver "
        + "does not acknowledge it), so what is on its way when the receiver or the network fails is lost; "
        + "with in.Tcp use format: forward and require_ack: true";
  }

  /** Bytes to write: {@code b[off, off+len)}. */
  private record Part(byte[] b, int off, int len) { }

  @Override
  public void send(Batch batch, Receipt receipt) throws Exception {
    List<Part> parts = new ArrayList<>(3);
    List<String> chunkIds = o.requireAck() ? new ArrayList<>() : null;
    encode(batch, parts, chunkIds);
    lock.lockInterruptibly();
    try {
      TcpLink l = connected();
      if (chunkIds != null) {
        l.expect(chunkIds, receipt);
      }
      try {
        Duration st = o.sendTimeout();
        for (Part p : parts) {
          l.write(p.b(), p.off(), p.len(), st);
        }
        l.flush(st);
      } catch (IOException | RuntimeException e) {
        if (chunkIds != null) {
          l.forget(chunkIds);
        }
        disconnect(); // what else was on its way over it is sent again (acks) or lost (without)
        throw new IOException("server " + server + ": " + (e.getMessage() != null ? e.getMessage() : e), e);
      }
      if (!o.keepalive()) {
        boolean read = finishConnection(l);
        if (chunkIds == null && !read) {
          throw new IOException("server " + server + ": the connection did not close within send_timeout after "
              + "the batch: the server may not have read it");
        }
      }
    } finally {
      lock.unlock();
    }
    if (chunkIds == null) {
      receipt.delivered();
    }
  }

  /**
   * The bytes of one batch in the chosen format, as parts written in order (formats msgpack and forward write
   * the batch's entries as they are). With acknowledgements, the chunk id of every Forward message is added
   * to {@code chunkIds}.
   */
  private void encode(Batch b, List<Part> parts, List<String> chunkIds) throws IOException {
    byte[] d = b.data();
    int end = b.length();
    switch (o.format()) {
      case MSGPACK -> parts.add(new Part(d, 0, end));
      case FORWARD -> {
        if (end <= FORWARD_MESSAGE_BYTES) {
          forward(b.tag(), d, 0, end, b.count(), parts, chunkIds);
          return;
        }
        // a large batch as several messages, cut between entries
        int p = 0;
        while (p < end) {
          int q = p;
          int n = 0;
          while (q < end && (q - p < FORWARD_MESSAGE_BYTES || n == 0)) {
            q = skip(d, q, end);
            n++;
          }
          forward(b.tag(), d, p, q, n, parts, chunkIds);
          p = q;
        }
      }
      default -> {
        json.len = 0;
        int p = 0;
        while (p < end) {
          p = o.format() == TcpOutputPlugin.Format.LINES ? line(d, p, end) : jsonLine(d, p, end);
          json.raw((byte) '\n');
        }
        parts.add(new Part(java.util.Arrays.copyOf(json.buf, json.len), 0, json.len));
        if (json.buf.length > (8 << 20)) {
          json.buf = new byte[1 << 16]; // a huge batch passed: do not keep its size
        }
      }
    }
  }

  private int skip(byte[] d, int p, int end) throws IOException {
    try {
      return scan.valueEnd(d, p, end);
    } catch (MsgpackScan.Incomplete | MsgpackScan.Malformed e) {
      throw new IOException("malformed batch");
    }
  }

  /** {@code [tag, bin(entries), {"size": n(, "chunk": id)}]} with the entries written as they are. */
  private void forward(String tag, byte[] d, int from, int to, int count, List<Part> parts,
      List<String> chunkIds) {
    byte[] t = tag.getBytes(StandardCharsets.UTF_8);
    byte[] head = new byte[16 + t.length];
    int p = MsgpackHeaders.array(head, 0, 3);
    p = MsgpackHeaders.str(head, p, t);
    p = MsgpackHeaders.bin(head, p, to - from);
    parts.add(new Part(head, 0, p));
    parts.add(new Part(d, from, to - from));
    String chunk = chunkIds == null ? null : Long.toString(chunks.incrementAndGet(), 36);
    byte[] c = chunk == null ? null : chunk.getBytes(StandardCharsets.US_ASCII);
    byte[] tail = new byte[32 + (c == null ? 0 : c.length)];
    int q = MsgpackHeaders.map(tail, 0, c == null ? 1 : 2);
    q = MsgpackHeaders.str(tail, q, SIZE);
    q = MsgpackHeaders.uint(tail, q, count);
    if (c != null) {
      q = MsgpackHeaders.str(tail, q, CHUNK);
      q = MsgpackHeaders.str(tail, q, c);
      chunkIds.add(chunk);
    }
    parts.add(new Part(tail, 0, q));
  }

  private static final byte[] SIZE = "size".getBytes(StandardCharsets.US_ASCII);
  private static final byte[] CHUNK = "chunk".getBytes(StandardCharsets.US_ASCII);

  /** One JSON line: the event time under time_key first, then the record's fields (without that key). */
  private int jsonLine(byte[] d, int p, int end) throws IOException {
    int[] rec = entry(d, p, end);
    long time = lastTime;
    json.raw((byte) '{');
    boolean any = false;
    if (timeKey != null) {
      json.string(timeKey, 0, timeKey.length);
      json.raw((byte) ':');
      json.ensure(32);
      json.buf[json.len++] = '"';
      json.len = times.write(json.buf, json.len, time);
      json.buf[json.len++] = '"';
      any = true;
    }
    int e = json.members(d, rec[0], end, any, timeKey);
    if (e < 0) {
      // not a map (entries are checked on the way in, so only a foreign batch): the value as the message
      if (any) {
        json.raw((byte) ',');
      }
      json.string(messageKey, 0, messageKey.length);
      json.raw((byte) ':');
      e = json.value(d, rec[0], end);
    }
    json.raw((byte) '}');
    return e;
  }

  /** The message field as it is, or the record as JSON when it has none. */
  private int line(byte[] d, int p, int end) throws IOException {
    int[] rec = entry(d, p, end);
    long f = json.stringField(d, rec[0], end, messageKey);
    if (f >= 0) {
      json.raw(d, (int) (f >>> 32), (int) f);
      return skip(d, rec[0], end);
    }
    return json.value(d, rec[0], end);
  }

  private long lastTime;
  private final int[] recordAt = new int[1];

  /** Reads the entry head at {@code p}: the time into {@link #lastTime}, the record's position returned. */
  private int[] entry(byte[] d, int p, int end) throws IOException {
    if (end - p >= 12 && d[p] == (byte) 0x92 && d[p + 1] == (byte) 0xd7 && d[p + 2] == 0) {
      lastTime = u32(d, p + 3) * 1_000_000_000L + u32(d, p + 7);
      recordAt[0] = p + 11;
      return recordAt;
    }
    try (io.swak.api.EntryReader r = new io.swak.api.EntryReader(d, p, end - p)) {
      r.next();
      lastTime = r.timeNanos();
      recordAt[0] = r.recordStart();
      return recordAt;
    } catch (RuntimeException e) {
      throw new IOException("malformed batch: " + e.getMessage());
    }
  }

  private static long u32(byte[] d, int p) {
    return (d[p] & 0xffL) << 24 | (d[p + 1] & 0xffL) << 16 | (d[p + 2] & 0xffL) << 8 | (d[p + 3] & 0xffL);
  }

  /** The open link, or a new one unless the reconnect wait is still running. */
  private TcpLink connected() throws IOException {
    if (closed) {
      throw new IOException("the output closed");
    }
    long now = System.nanoTime();
    TcpLink l = link;
    if (l != null && l.broken() != null) {
      link = null;
      account(l);
      if (l.lostAny()) {
        // what it had on its way is sent again first: this batch must not overtake it on a new connection
        throw new IOException("server " + server + ": " + l.broken() + "; sending what was on its way first");
      }
      LOG.debug("out.Tcp: connection to {} ended: {}", server, l.broken());
    } else if (l != null && l.expiresAtNanos != 0 && now > l.expiresAtNanos) {
      release();
    }
    if (link != null) {
      return link;
    }
    if (now < nextConnectNanos) {
      throw new IOException("cannot connect to " + server + ": " + lastConnectError + " (next attempt in "
          + Math.max(1, (nextConnectNanos - now) / 1_000_000) + " ms)");
    }
    try {
      long expires = 0;
      if (o.keepalive() && !o.keepaliveTime().isZero()) {
        expires = now + (long) (o.keepaliveTime().toNanos() * (0.8 + 0.4 * ThreadLocalRandom.current().nextDouble()));
      }
      link = TcpLink.open(o, ssl, timers, expires);
    } catch (IOException e) {
      waitNanos = waitNanos == 0 ? o.reconnectWait().toNanos()
          : Math.min(o.reconnectWaitMax().toNanos(), waitNanos * 2);
      long jittered = (long) (waitNanos * (0.8 + 0.4 * ThreadLocalRandom.current().nextDouble()));
      nextConnectNanos = System.nanoTime() + jittered;
      lastConnectError = e.getMessage() == null ? e.toString() : e.getMessage();
      context.metrics().count("connect_failures", 1);
      if (!down) {
        down = true;
        LOG.warn("out.Tcp: cannot connect to {}: {} (trying again in {} ms, then less and less often)", server,
            lastConnectError, jittered / 1_000_000);
      }
      throw new IOException("cannot connect to " + server + ": " + lastConnectError, e);
    }
    if (down) {
      down = false;
      LOG.info("out.Tcp: connected to {} again", server);
    }
    waitNanos = 0;
    context.metrics().count("connects", 1);
    return link;
  }

  /** Closes the link now: what is on its way over it is sent again (acks) or lost (without). */
  private void disconnect() {
    TcpLink l = link;
    if (l != null) {
      l.close();
      account(l);
      link = null;
    }
  }

  /** No more batches on the link: it closes at once, or when the acks on their way came. */
  private void release() {
    TcpLink l = link;
    if (l != null) {
      link = null;
      account(l);
      retired.removeIf(r -> r.broken() != null);
      if (l.waiting()) {
        l.retire();
        retired.add(l);
      } else {
        try {
          l.finishAndWait(Duration.ofMillis(100));
        } catch (IOException ignored) {
          // the server went first; nothing waits on this link
        }
        l.close();
      }
    }
  }

  /** keepalive false: ends the stream and waits until the server has read it all. */
  private boolean finishConnection(TcpLink l) {
    link = null;
    account(l);
    if (l.waiting()) {
      l.retire(); // closes once the acks came
      retired.add(l);
      return true;
    }
    try {
      return l.finishAndWait(o.sendTimeout());
    } catch (IOException e) {
      return false;
    } finally {
      l.close();
    }
  }

  private void account(TcpLink l) {
    wireBytes += l.wireBytes();
    plainBytes += l.plainBytes();
  }

  @Override
  public void close() {
    closed = true;
    boolean locked = false;
    try {
      locked = lock.tryLock(2, TimeUnit.SECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    if (!locked) {
      TcpLink writing = link;
      if (writing != null) {
        writing.close(); // a write stuck on a server that does not read: fail it now
      }
      lock.lock();
    }
    try {
      TcpLink l = link;
      link = null;
      if (l != null && l.broken() == null && !l.waiting()) {
        try {
          l.finishAndWait(Duration.ofMillis(500)); // a whole stream: the receiver sees its end, not a cut
        } catch (IOException ignored) {
          // the server went first
        }
      }
      if (l != null) {
        l.close();
      }
      retired.forEach(TcpLink::close);
      retired.clear();
    } finally {
      lock.unlock();
    }
    if (timers != null) {
      timers.shutdownNow();
    }
  }
}
