package io.swak.plugins.tcp;

import io.swak.api.MsgpackException;
import io.swak.api.MsgpackReader;
import io.swak.api.Output.Receipt;
import io.swak.support.SendGuard;
import java.io.BufferedOutputStream;
import java.io.Closeable;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.concurrent.ScheduledExecutorService;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLParameters;
import javax.net.ssl.SSLSocket;

/**
 * One connection of out.Tcp: TCP or TLS, the compressed stream on it, writes bounded by the send timeout (a
 * watchdog closes the socket of a write that takes too long, since blocking writes have no timeout), and a
 * reader thread that notices at once when the server closes the connection — so the next batch goes on a
 * new one instead of into a socket nobody reads — and, with acknowledgements, settles each batch when
 * in.Tcp acknowledged every message of it.
 */
final class TcpLink implements Closeable {

  private static final int MAX_REPLY = 1 << 16;

  final String server;
  private final Socket socket;
  private final OutputStream socketOut;
  private final StreamEncoder encoder;
  private final SendGuard guard;
  private final long ackTimeoutNanos;
  final long expiresAtNanos;
  /** Bytes that went on the wire (after compression). */
  private final CountingStream wire;

  private TcpLink(String server, Socket socket, TcpOutputPlugin.Options o, ScheduledExecutorService watchdog,
      long expiresAtNanos) throws IOException {
    this.server = server;
    this.socket = socket;
    this.wire = new CountingStream(socket.getOutputStream());
    this.socketOut = new BufferedOutputStream(wire, 1 << 16);
    this.encoder = o.compress() == TcpOutputPlugin.Compress.NONE ? null
        : StreamEncoder.of(o.compress(), o.compressLevel(), socketOut);
    this.guard = new SendGuard(watchdog, this::fail, this::checkAcks);
    this.ackTimeoutNanos = o.ackTimeout().toNanos();
    this.expiresAtNanos = expiresAtNanos;
  }

  /** Connects (and starts TLS) within the connect timeout, and starts the reader. */
  static TcpLink open(TcpOutputPlugin.Options o, SSLContext ssl, ScheduledExecutorService watchdog,
      long expiresAtNanos) throws IOException {
    int timeout = (int) Math.max(1, o.connectTimeout().toMillis());
    Socket s = new Socket();
    try {
      s.setTcpNoDelay(true);
      s.setKeepAlive(o.keepalive());
      s.connect(new InetSocketAddress(o.host(), o.port()), timeout);
      if (ssl != null) {
        SSLSocket t = (SSLSocket) ssl.getSocketFactory().createSocket(s, o.host(), o.port(), true);
        if (o.tlsVerifyHostname() && !o.tlsInsecure()) {
          SSLParameters p = t.getSSLParameters();
          p.setEndpointIdentificationAlgorithm("HTTPS");
          t.setSSLParameters(p);
        }
        t.setSoTimeout(timeout);
        t.startHandshake();
        t.setSoTimeout(0);
        s = t;
      }
      TcpLink link = new TcpLink(o.host() + ":" + o.port(), s, o, watchdog, expiresAtNanos);
      link.startReader();
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

  /** Bytes written to the socket so far. */
  long wireBytes() {
    return wire.count;
  }

  /** Bytes given before compression so far (0 without compression). */
  long plainBytes() {
    return encoder == null ? 0 : encoder.plainBytes;
  }

  void write(byte[] b, int off, int len, Duration sendTimeout) throws IOException {
    guard.run(sendTimeout, () -> {
      if (encoder != null) {
        encoder.write(b, off, len);
      } else {
        socketOut.write(b, off, len);
      }
    });
  }

  /** Sends everything written (the compressor's sync flush, then the socket buffer). */
  void flush(Duration sendTimeout) throws IOException {
    guard.run(sendTimeout, () -> {
      if (encoder != null) {
        encoder.flush();
      } else {
        socketOut.flush();
      }
    });
  }

  /**
   * Ends the stream and closes the sending side, then waits until the server closed too: it has read
   * everything (in.Tcp closes once it read the end of the stream). False when it did not within {@code wait}.
   */
  boolean finishAndWait(Duration wait) throws IOException {
    guard.run(wait, () -> {
      if (encoder != null) {
        encoder.finish();
      }
      socketOut.flush();
      if (!(socket instanceof SSLSocket)) {
        socket.shutdownOutput();
      }
    });
    synchronized (this) {
      long deadline = System.nanoTime() + wait.toNanos();
      while (broken == null) {
        long left = deadline - System.nanoTime();
        if (left <= 0) {
          return false;
        }
        try {
          wait(Math.max(1, left / 1_000_000));
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
          return false;
        }
      }
    }
    return closedByServer;
  }

  // acknowledgements: chunk id -> the batch it belongs to, oldest first; guarded by `expected`
  private final LinkedHashMap<String, Waiting> expected = new LinkedHashMap<>();
  private Thread reader;
  private volatile String broken;
  private volatile boolean closedByServer;
  private volatile boolean lostAny;
  private volatile boolean retired;

  /** A batch whose messages wait for their acks. */
  static final class Waiting {
    final Receipt receipt;
    final long sentNanos;
    int left;

    Waiting(Receipt receipt, int messages) {
      this.receipt = receipt;
      this.left = messages;
      this.sentNanos = System.nanoTime();
    }
  }

  /** Registers the chunks of one batch before its bytes are written (so an ack cannot come first). */
  void expect(List<String> chunks, Receipt receipt) throws IOException {
    Waiting w = new Waiting(receipt, chunks.size());
    synchronized (expected) {
      if (broken != null) {
        throw new IOException(broken);
      }
      for (String c : chunks) {
        expected.put(c, w);
      }
    }
  }

  /** Forgets chunks whose bytes could not be written (the send fails: the receipt is not to be settled). */
  void forget(List<String> chunks) {
    synchronized (expected) {
      chunks.forEach(expected::remove);
    }
  }

  /** Why the link stopped working; null while it works. */
  String broken() {
    return broken;
  }

  /** True when the link broke with batches waiting for acks (their receipts said failed). */
  boolean lostAny() {
    return lostAny;
  }

  /** True while acknowledgements are awaited. */
  boolean waiting() {
    synchronized (expected) {
      return !expected.isEmpty();
    }
  }

  /** No new batches: the link closes now, or once the acks on their way came. */
  void retire() {
    retired = true;
    if (!waiting()) {
      close();
    }
  }

  private void startReader() {
    reader = new Thread(this::read, "swak-tcp-out-" + server);
    reader.setDaemon(true);
    reader.start();
  }

  /**
   * The reader: acks ({@code {"ack": chunk}}) are settled; any other byte from the server is ignored; the end
   * of the stream or an error breaks the link.
   */
  private void read() {
    byte[] buf = new byte[4096];
    int filled = 0;
    MsgpackScan scan = new MsgpackScan();
    try {
      InputStream in = socket.getInputStream();
      while (broken == null) {
        if (filled == buf.length) {
          if (buf.length >= MAX_REPLY) {
            fail("the server sent a reply larger than " + MAX_REPLY + " bytes");
            return;
          }
          buf = Arrays.copyOf(buf, buf.length * 2);
        }
        int r = in.read(buf, filled, buf.length - filled);
        if (r < 0) {
          closedByServer = true;
          fail("the server closed the connection");
          return;
        }
        filled += r;
        int p = 0;
        while (p < filled) {
          int e;
          try {
            e = scan.valueEnd(buf, p, filled);
          } catch (MsgpackScan.Incomplete x) {
            break;
          } catch (MsgpackScan.Malformed x) {
            p = filled; // not a reply we understand: nothing waits for it
            break;
          }
          acked(buf, p, e);
          p = e;
        }
        System.arraycopy(buf, p, buf, 0, filled - p);
        filled -= p;
      }
    } catch (IOException e) {
      fail(e.getMessage() == null ? e.toString() : e.getMessage());
    } catch (RuntimeException e) {
      fail("the reader failed: " + e);
    }
  }

  private void acked(byte[] b, int s, int e) {
    String chunk = null;
    try {
      MsgpackReader in = new MsgpackReader(b, s, e - s);
      if (in.nextType() == MsgpackReader.Type.MAP) {
        int n = in.readMapHeader();
        for (int i = 0; i < n; i++) {
          if (in.nextType() == MsgpackReader.Type.STRING && in.readString().equals("ack")
              && in.nextType() == MsgpackReader.Type.STRING) {
            chunk = in.readString();
          } else {
            in.skipValue();
          }
        }
      }
    } catch (MsgpackException x) {
      return;
    }
    if (chunk == null) {
      return;
    }
    Waiting w;
    boolean last;
    synchronized (expected) {
      w = expected.remove(chunk);
      last = expected.isEmpty();
      if (w != null) {
        w.left--;
      }
    }
    if (w != null && w.left == 0) {
      w.receipt.delivered();
    }
    if (last && retired) {
      close();
    }
  }

  /** An ack overdue breaks the link: what waits is sent again. */
  private void checkAcks() {
    long oldest;
    synchronized (expected) {
      Iterator<Waiting> it = expected.values().iterator();
      oldest = it.hasNext() ? it.next().sentNanos : 0;
    }
    if (oldest != 0 && System.nanoTime() - oldest > ackTimeoutNanos) {
      fail("no acknowledgement within ack_timeout (" + ackTimeoutNanos / 1_000_000 + " ms)");
    }
  }

  /** Breaks the link: closed, and every batch waiting for its acks told failed (it is sent again). */
  private void fail(String why) {
    List<Receipt> lost = new ArrayList<>();
    synchronized (expected) {
      if (broken == null) {
        broken = why;
      }
      for (Waiting w : expected.values()) {
        if (!lost.contains(w.receipt)) {
          lost.add(w.receipt);
        }
      }
      expected.clear();
    }
    try {
      socket.close();
    } catch (IOException ignored) {
      // closing
    }
    guard.cancel();
    if (!lost.isEmpty()) {
      lostAny = true;
    }
    String reason = "server " + server + ": " + broken;
    lost.forEach(r -> r.failed(reason));
    synchronized (this) {
      notifyAll();
    }
  }

  /** Closes the connection; batches waiting for acks are sent again. */
  @Override
  public void close() {
    fail("the connection was closed");
    if (encoder != null) {
      encoder.release();
    }
  }

  /** Counts what goes through to the socket. */
  private static final class CountingStream extends java.io.FilterOutputStream {
    volatile long count;

    CountingStream(OutputStream out) {
      super(out);
    }

    @Override
    public void write(byte[] b, int off, int len) throws IOException {
      out.write(b, off, len);
      count += len;
    }

    @Override
    public void write(int b) throws IOException {
      out.write(b);
      count++;
    }
  }
}
