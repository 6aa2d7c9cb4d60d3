package io.swak.plugins.elasticsearch;

import java.io.Closeable;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.ConnectException;
import java.net.InetSocketAddress;
import java.net.NoRouteToHostException;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.net.URI;
import java.net.UnknownHostException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedDeque;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLParameters;
import javax.net.ssl.SSLSocket;

/**
 * Bulk requests over blocking HTTP/1.1 keep-alive connections, one per sending thread and node at a time. It
 * replaced java.net.http's asynchronous client, whose selector, executor and flow machinery cost a quarter of
 * Swak's CPU in bench/es-bulk.sh for requests that are a few large bodies a second: here the calling thread writes
 * the body straight from the encoder's array and reads the answer into {@link BulkAnswer} as it arrives.
 *
 * <p>A request has {@code request_timeout} in all (connect, write, answer): a timer closes its socket when the time
 * is over, which ends a write the node does not read as well as a wait for an answer. A kept connection the node
 * closed while idle fails before any byte of an answer: the request is then written once more on a new connection
 * (the node cannot have taken it); one that broke later fails the request.
 */
final class BulkHttp implements Closeable {

  /** Nothing reached the node (refused, no route, unknown host, connect timeout): another one may take it. */
  static final class Unreachable extends IOException {
    Unreachable(String message, Throwable cause) {
      super(message, cause);
    }
  }

  /** No answer within request_timeout. */
  static final class TimedOut extends IOException {
    TimedOut(String message) {
      super(message);
    }
  }

  /** A node's answer: the status, and either the bulk result (200) or the answer's first bytes. */
  record Answer(int status, BulkAnswer.Result result, byte[] first) { }

  /** Idle connections older than this are closed rather than used: proxies drop idle ones after a minute. */
  private static final long MAX_IDLE_NANOS = 30_000_000_000L;

  private final SSLContext tls;
  private final boolean verifyHost;
  private final int connectTimeoutMs;
  private final long requestTimeoutNanos;
  private final int firstBytes;
  private final Map<Nodes.Node, ConcurrentLinkedDeque<Conn>> idle = new ConcurrentHashMap<>();
  private final Set<Conn> open = ConcurrentHashMap.newKeySet();
  private final ScheduledThreadPoolExecutor timer;
  private volatile boolean closed;

  BulkHttp(SSLContext tls, boolean verifyHost, Duration connectTimeout, Duration requestTimeout, int firstBytes,
      String threadName) {
    this.tls = tls;
    this.verifyHost = verifyHost;
    this.connectTimeoutMs = (int) Math.min(Integer.MAX_VALUE, connectTimeout.toMillis());
    this.requestTimeoutNanos = requestTimeout.toNanos();
    this.firstBytes = firstBytes;
    this.timer = new ScheduledThreadPoolExecutor(1, r -> {
      Thread t = new Thread(r, threadName);
      t.setDaemon(true);
      return t;
    });
    timer.setRemoveOnCancelPolicy(true);
  }

  /**
   * POSTs {@code body[off, off+len)} to the node's bulk URL with {@code headers} (complete lines, each ending in
   * CRLF) and reads the answer.
   */
  Answer post(Nodes.Node node, String headers, byte[] body, int off, int len) throws IOException {
    long deadline = System.nanoTime() + requestTimeoutNanos;
    byte[] head = head(node.bulk, headers, len);
    Conn c = take(node);
    boolean reused = c != null;
    for (;;) {
      if (c == null) {
        c = connect(node, deadline);
      }
      Conn conn = c;
      ScheduledFuture<?> alarm = timer.schedule(conn::expire, Math.max(1, deadline - System.nanoTime()),
          TimeUnit.NANOSECONDS);
      try {
        conn.out.write(head);
        conn.out.write(body, off, len);
        conn.out.flush();
        Answer a = conn.read(firstBytes);
        alarm.cancel(false);
        if (conn.keepAlive && !closed) {
          conn.lastUsed = System.nanoTime();
          idle.computeIfAbsent(node, k -> new ConcurrentLinkedDeque<>()).addFirst(conn);
        } else {
          conn.close();
        }
        return a;
      } catch (IOException | RuntimeException e) {
        alarm.cancel(false);
        conn.close();
        if (conn.expired) {
          throw new TimedOut("no answer within request_timeout " + Duration.ofNanos(requestTimeoutNanos).toMillis()
              / 1000.0 + " s");
        }
        if (reused && conn.answerBytes == 0 && e instanceof IOException && !(e instanceof BulkAnswer.NotBulk)) {
          reused = false; // closed by the node while it was idle: it has not seen this request
          c = null;
          continue;
        }
        throw e;
      }
    }
  }

  private static byte[] head(URI bulk, String headers, int len) {
    String path = bulk.getRawPath() + (bulk.getRawQuery() != null ? "?" + bulk.getRawQuery() : "");
    int port = bulk.getPort();
    String host = bulk.getHost() + (port >= 0 ? ":" + port : "");
    return ("POST " + path + " HTTP/1.1\r\nHost: " + host + "\r\nContent-Length: " + len + "\r\n" + headers + "\r\n")
        .getBytes(StandardCharsets.ISO_8859_1);
  }

  private Conn take(Nodes.Node node) {
    ConcurrentLinkedDeque<Conn> q = idle.get(node);
    if (q == null) {
      return null;
    }
    long now = System.nanoTime();
    Conn c;
    while ((c = q.pollFirst()) != null) {
      if (now - c.lastUsed < MAX_IDLE_NANOS) {
        c.answerBytes = 0;
        return c;
      }
      c.close();
    }
    return null;
  }

  private Conn connect(Nodes.Node node, long deadline) throws IOException {
    if (closed) {
      throw new IOException("the output is closed");
    }
    URI u = node.bulk;
    boolean https = "https".equalsIgnoreCase(u.getScheme());
    int port = u.getPort() >= 0 ? u.getPort() : https ? 443 : 80;
    InetSocketAddress addr = new InetSocketAddress(u.getHost(), port);
    if (addr.isUnresolved()) {
      throw new Unreachable("unknown host " + u.getHost(), null);
    }
    Socket s = new Socket();
    try {
      s.setTcpNoDelay(true);
      long left = (deadline - System.nanoTime()) / 1_000_000;
      s.connect(addr, (int) Math.max(1, Math.min(connectTimeoutMs, left)));
    } catch (ConnectException | NoRouteToHostException | UnknownHostException e) {
      s.close();
      throw new Unreachable(e.getMessage() == null ? "connection refused" : e.getMessage(), e);
    } catch (SocketTimeoutException e) {
      s.close();
      throw new Unreachable("no connection within connect_timeout " + connectTimeoutMs / 1000.0 + " s", e);
    }
    if (https) {
      if (tls == null) {
        s.close();
        throw new IOException("https without a TLS context");
      }
      SSLSocket t = (SSLSocket) tls.getSocketFactory().createSocket(s, u.getHost(), port, true);
      if (verifyHost) {
        SSLParameters p = t.getSSLParameters();
        p.setEndpointIdentificationAlgorithm("HTTPS");
        t.setSSLParameters(p);
      }
      s = t;
    }
    Conn c = new Conn(s);
    open.add(c);
    if (closed) {
      c.close();
      throw new IOException("the output is closed");
    }
    return c;
  }

  @Override
  public void close() {
    closed = true;
    for (Conn c : open) {
      c.close();
    }
    timer.shutdownNow();
  }

  /** One connection and its read buffer. */
  private final class Conn {
    final Socket socket;
    final OutputStream out;
    final InputStream in;
    final byte[] buf = new byte[16 * 1024];
    int pos;
    int lim;
    long answerBytes;
    boolean keepAlive;
    long lastUsed;
    volatile boolean expired;

    Conn(Socket s) throws IOException {
      this.socket = s;
      this.out = s.getOutputStream();
      this.in = s.getInputStream();
    }

    void expire() {
      expired = true;
      close();
    }

    void close() {
      open.remove(this);
      try {
        socket.close();
      } catch (IOException e) {
        // closing
      }
    }

    /** Fills the buffer; false at the end of the stream. */
    private boolean fill() throws IOException {
      int n = in.read(buf, 0, buf.length);
      if (n <= 0) {
        return false;
      }
      answerBytes += n;
      pos = 0;
      lim = n;
      return true;
    }

    private String line() throws IOException {
      StringBuilder b = new StringBuilder(64);
      for (;;) {
        if (pos == lim && !fill()) {
          throw new EOFException(answerBytes == 0 ? "the node closed the connection without answering"
              : "the node's answer ended in its headers");
        }
        byte c = buf[pos++];
        if (c == '\n') {
          int n = b.length();
          return n > 0 && b.charAt(n - 1) == '\r' ? b.substring(0, n - 1) : b.toString();
        }
        if (b.length() > 16 * 1024) {
          throw new BulkAnswer.NotBulk("the node's answer is not HTTP: a header line of more than 16 KiB");
        }
        b.append((char) (c & 0xff));
      }
    }

    Answer read(int firstBytes) throws IOException {
      int status;
      long length;
      boolean chunked;
      do { // 1xx answers come before the real one
        String statusLine = line();
        if (!statusLine.startsWith("HTTP/1.") || statusLine.length() < 12) {
          throw new BulkAnswer.NotBulk("the node's answer is not HTTP/1.1: "
              + statusLine.substring(0, Math.min(80, statusLine.length())));
        }
        try {
          status = Integer.parseInt(statusLine.substring(9, 12));
        } catch (NumberFormatException e) {
          throw new BulkAnswer.NotBulk("the node's answer has no status: " + statusLine);
        }
        keepAlive = statusLine.startsWith("HTTP/1.1");
        length = -1;
        chunked = false;
        for (String h; !(h = line()).isEmpty(); ) {
          int colon = h.indexOf(':');
          if (colon <= 0) {
            continue;
          }
          String name = h.substring(0, colon).trim();
          String value = h.substring(colon + 1).trim();
          if (name.equalsIgnoreCase("content-length")) {
            try {
              length = Long.parseLong(value);
            } catch (NumberFormatException e) {
              throw new BulkAnswer.NotBulk("the node's answer has a bad Content-Length: " + value);
            }
          } else if (name.equalsIgnoreCase("transfer-encoding")) {
            chunked = value.toLowerCase(java.util.Locale.ROOT).contains("chunked");
          } else if (name.equalsIgnoreCase("connection")) {
            String v = value.toLowerCase(java.util.Locale.ROOT);
            keepAlive = v.contains("close") ? false : v.contains("keep-alive") || keepAlive;
          }
        }
      } while (status >= 100 && status < 200);
      Sink sink = status == 200 ? new Sink(new BulkAnswer(), null) : new Sink(null, new byte[firstBytes]);
      if (chunked) {
        for (;;) {
          String size = line();
          int semi = size.indexOf(';');
          long n;
          try {
            n = Long.parseLong((semi >= 0 ? size.substring(0, semi) : size).trim(), 16);
          } catch (NumberFormatException e) {
            throw new BulkAnswer.NotBulk("the node's answer has a bad chunk size: " + size);
          }
          if (n == 0) {
            while (!line().isEmpty()) {
              // trailers
            }
            break;
          }
          body(n, sink);
          line(); // the CRLF after the chunk
        }
      } else if (length >= 0) {
        body(length, sink);
      } else {
        keepAlive = false; // the answer ends with the connection
        body(-1, sink);
      }
      return sink.answer(status);
    }

    /** Passes {@code n} bytes of the body (all until the end of the stream for -1) to the sink. */
    private void body(long n, Sink sink) throws IOException {
      boolean toEnd = n < 0;
      while (toEnd || n > 0) {
        if (pos == lim && !fill()) {
          if (toEnd) {
            return;
          }
          throw new EOFException("the node's answer ended " + n + " bytes before its length");
        }
        int k = toEnd ? lim - pos : (int) Math.min(n, lim - pos);
        sink.accept(buf, pos, k);
        pos += k;
        n -= k;
      }
    }
  }

  /** Where an answer's body goes: the bulk reader, or the first bytes kept for an error message. */
  private static final class Sink {
    final BulkAnswer bulk;
    final byte[] first;
    int kept;

    Sink(BulkAnswer bulk, byte[] first) {
      this.bulk = bulk;
      this.first = first;
    }

    void accept(byte[] b, int off, int n) throws IOException {
      if (bulk != null) {
        bulk.feed(b, off, n);
      } else {
        int k = Math.min(n, first.length - kept);
        System.arraycopy(b, off, first, kept, k);
        kept += k;
      }
    }

    Answer answer(int status) throws IOException {
      return bulk != null ? new Answer(status, bulk.finish(), null)
          : new Answer(status, null, java.util.Arrays.copyOf(first, kept));
    }
  }
}
