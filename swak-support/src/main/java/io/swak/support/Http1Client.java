package io.swak.support;

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
import java.util.Arrays;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedDeque;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.function.IntFunction;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLParameters;
import javax.net.ssl.SSLSocket;

/**
 * POSTs over blocking HTTP/1.1 keep-alive connections, one per calling thread and server at a time: the outputs that
 * send a few large bodies a second (out.Elasticsearch, out.Http, out.OpenTelemetry). It replaced java.net.http's
 * asynchronous client, whose selector, executor and flow machinery cost a quarter of Swak's CPU in bench/es-bulk.sh:
 * here the calling thread writes the body straight from its array and hands the answer to a {@link BodyReader} as
 * it arrives.
 *
 * <p>A request has {@code requestTimeout} in all (connect, write, answer): a timer closes its socket when the time is
 * over, which ends a write the server does not read as well as a wait for an answer. A kept connection the server
 * closed while idle fails before any byte of an answer: the request is then written once more on a new connection
 * (the server cannot have taken it); one that broke later fails the request.
 */
public final class Http1Client implements Closeable {

  /** Nothing reached the server (refused, no route, unknown host, connect timeout): another one may take it. */
  public static final class Unreachable extends IOException {
    Unreachable(String message, Throwable cause) {
      super(message, cause);
    }
  }

  /** No answer within the request timeout. */
  public static final class TimedOut extends IOException {
    TimedOut(String message) {
      super(message);
    }
  }

  /** The answer is not what was asked for: not HTTP/1.x, or a body its reader cannot read. */
  public static class BadAnswer extends IOException {
    public BadAnswer(String message) {
      super(message);
    }

    public BadAnswer(String message, Throwable cause) {
      super(message, cause);
    }
  }

  /** Reads an answer's body as it arrives. */
  public interface BodyReader<T> {
    void feed(byte[] b, int off, int n) throws IOException;

    T finish() throws IOException;
  }

  /**
   * A server's answer: the status, what the reader made of the body (when one was asked for this status), else the
   * body's first bytes; and the Retry-After header, null without one.
   */
  public record Answer<T>(int status, T result, byte[] first, String retryAfter) {
    /** The first bytes of the body as one line of text, for a message. */
    public String firstText() {
      return first == null ? "" : new String(first, StandardCharsets.UTF_8).strip().replaceAll("\\s+", " ");
    }
  }

  /** Header names the client writes itself, or that would change how it frames the request: not taken from a config. */
  public static final Set<String> OWN_HEADERS = Set.of("host", "content-length", "connection", "transfer-encoding",
      "te", "trailer", "expect", "upgrade");

  /**
   * Refuses a header name that is not a token, or a value with a line break, a control character or a character
   * outside Latin-1 (it would split the request); the value is never shown: it may be a secret.
   */
  public static void checkHeaders(String option, Map<String, String> headers) {
    if (headers == null) {
      return;
    }
    for (Map.Entry<String, String> h : headers.entrySet()) {
      String name = h.getKey();
      if (name == null || name.isBlank() || name.chars().anyMatch(c -> c <= ' ' || c == ':' || c >= 127)) {
        throw new IllegalArgumentException("option `" + option + "`: '" + name + "' is not a header name");
      }
      String v = h.getValue() == null ? "" : h.getValue();
      if (v.chars().anyMatch(c -> c < ' ' && c != '\t' || c == 127 || c > 255)) {
        throw new IllegalArgumentException("option `" + option + "`: the value of header " + name + " has a line "
            + "break, a control character or a character outside Latin-1");
      }
    }
  }

  /** The lines of {@code headers} (checked by {@link #checkHeaders}) but {@link #OWN_HEADERS}, each ending in CRLF. */
  public static String headerLines(Map<String, String> headers) {
    StringBuilder b = new StringBuilder();
    if (headers != null) {
      headers.forEach((name, value) -> {
        if (!OWN_HEADERS.contains(name.toLowerCase(Locale.ROOT))) {
          b.append(name).append(": ").append(value == null ? "" : value.strip()).append("\r\n");
        }
      });
    }
    return b.toString();
  }

  /** Idle connections older than this are closed rather than used: proxies drop idle ones after a minute. */
  private static final long MAX_IDLE_NANOS = 30_000_000_000L;

  private final SSLContext tls;
  private final boolean verifyHost;
  private final int connectTimeoutMs;
  private final long requestTimeoutNanos;
  private final int firstBytes;
  private final Map<String, ConcurrentLinkedDeque<Conn>> idle = new ConcurrentHashMap<>();
  private final Set<Conn> open = ConcurrentHashMap.newKeySet();
  private final ScheduledThreadPoolExecutor timer;
  private volatile boolean closed;

  /**
   * @param tls for https URLs (null: https fails)
   * @param verifyHost whether the certificate must name the host
   * @param firstBytes how much of a body without a reader is kept for {@link Answer#first}
   * @param threadName the name of the timer's thread
   */
  public Http1Client(SSLContext tls, boolean verifyHost, Duration connectTimeout, Duration requestTimeout,
      int firstBytes, String threadName) {
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
   * POSTs {@code body[off, off+len)} to {@code url} with {@code headers} (complete lines, each ending in CRLF) and
   * reads the answer: into {@code readers.apply(status)} when that is not null, else its first bytes.
   */
  public <T> Answer<T> post(URI url, String headers, byte[] body, int off, int len,
      IntFunction<BodyReader<T>> readers) throws IOException {
    long deadline = System.nanoTime() + requestTimeoutNanos;
    byte[] head = head(url, headers, len);
    String origin = origin(url);
    Conn c = take(origin);
    boolean reused = c != null;
    for (;;) {
      if (c == null) {
        c = connect(url, deadline);
      }
      Conn conn = c;
      ScheduledFuture<?> alarm = timer.schedule(conn::expire, Math.max(1, deadline - System.nanoTime()),
          TimeUnit.NANOSECONDS);
      try {
        conn.out.write(head);
        conn.out.write(body, off, len);
        conn.out.flush();
        Answer<T> a = conn.read(readers);
        alarm.cancel(false);
        if (conn.keepAlive && !closed) {
          conn.lastUsed = System.nanoTime();
          idle.computeIfAbsent(origin, k -> new ConcurrentLinkedDeque<>()).addFirst(conn);
        } else {
          conn.close();
        }
        return a;
      } catch (IOException | RuntimeException e) {
        alarm.cancel(false);
        conn.close();
        if (conn.expired) {
          throw new TimedOut("no answer within " + Duration.ofNanos(requestTimeoutNanos).toMillis() / 1000.0 + " s");
        }
        if (reused && conn.answerBytes == 0 && e instanceof IOException) {
          reused = false; // closed by the server while it was idle: it has not seen this request
          c = null;
          continue;
        }
        throw e;
      }
    }
  }

  /** The URL's scheme, host and port, as they name a server in messages and in the pool of idle connections. */
  public static String origin(URI url) {
    return url.getScheme().toLowerCase(Locale.ROOT) + "://" + url.getRawAuthority();
  }

  private static byte[] head(URI url, String headers, int len) {
    String path = url.getRawPath() == null || url.getRawPath().isEmpty() ? "/" : url.getRawPath();
    if (url.getRawQuery() != null) {
      path += "?" + url.getRawQuery();
    }
    int port = url.getPort();
    String host = url.getHost() + (port >= 0 ? ":" + port : "");
    return ("POST " + path + " HTTP/1.1\r\nHost: " + host + "\r\nContent-Length: " + len + "\r\n" + headers + "\r\n")
        .getBytes(StandardCharsets.ISO_8859_1);
  }

  private Conn take(String origin) {
    ConcurrentLinkedDeque<Conn> q = idle.get(origin);
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

  private Conn connect(URI u, long deadline) throws IOException {
    if (closed) {
      throw new IOException("the output is closed");
    }
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
          throw new EOFException(answerBytes == 0 ? "the server closed the connection without answering"
              : "the server's answer ended in its headers");
        }
        byte c = buf[pos++];
        if (c == '\n') {
          int n = b.length();
          return n > 0 && b.charAt(n - 1) == '\r' ? b.substring(0, n - 1) : b.toString();
        }
        if (b.length() > 16 * 1024) {
          throw new BadAnswer("the server's answer is not HTTP: a header line of more than 16 KiB");
        }
        b.append((char) (c & 0xff));
      }
    }

    <T> Answer<T> read(IntFunction<BodyReader<T>> readers) throws IOException {
      int status;
      long length;
      boolean chunked;
      String retryAfter;
      do { // 1xx answers come before the real one
        String statusLine = line();
        if (!statusLine.startsWith("HTTP/1.") || statusLine.length() < 12) {
          throw new BadAnswer("the server's answer is not HTTP/1.1: "
              + statusLine.substring(0, Math.min(80, statusLine.length())));
        }
        try {
          status = Integer.parseInt(statusLine.substring(9, 12));
        } catch (NumberFormatException e) {
          throw new BadAnswer("the server's answer has no status: " + statusLine);
        }
        keepAlive = statusLine.startsWith("HTTP/1.1");
        length = -1;
        chunked = false;
        retryAfter = null;
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
              throw new BadAnswer("the server's answer has a bad Content-Length: " + value);
            }
          } else if (name.equalsIgnoreCase("transfer-encoding")) {
            chunked = value.toLowerCase(Locale.ROOT).contains("chunked");
          } else if (name.equalsIgnoreCase("connection")) {
            String v = value.toLowerCase(Locale.ROOT);
            keepAlive = v.contains("close") ? false : v.contains("keep-alive") || keepAlive;
          } else if (name.equalsIgnoreCase("retry-after")) {
            retryAfter = value;
          }
        }
      } while (status >= 100 && status < 200);
      BodyReader<T> reader = readers.apply(status);
      Sink<T> sink = new Sink<>(reader, reader == null ? firstBytes : 0, chunked ? -1 : length);
      if (chunked) {
        for (;;) {
          String size = line();
          int semi = size.indexOf(';');
          long n;
          try {
            n = Long.parseLong((semi >= 0 ? size.substring(0, semi) : size).trim(), 16);
          } catch (NumberFormatException e) {
            throw new BadAnswer("the server's answer has a bad chunk size: " + size);
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
      return sink.answer(status, retryAfter);
    }

    /** Passes {@code n} bytes of the body (all until the end of the stream for -1) to the sink. */
    private void body(long n, Sink<?> sink) throws IOException {
      boolean toEnd = n < 0;
      while (toEnd || n > 0) {
        if (pos == lim && !fill()) {
          if (toEnd) {
            return;
          }
          throw new EOFException("the server's answer ended " + n + " bytes before its length");
        }
        int k = toEnd ? lim - pos : (int) Math.min(n, lim - pos);
        sink.accept(buf, pos, k);
        pos += k;
        n -= k;
      }
    }
  }

  /**
   * Where an answer's body goes: its reader, or its first {@code keep} bytes for a message, in an array as large as
   * the body's length says (growing to {@code keep} when it says none): most answers kept are a few bytes.
   */
  private static final class Sink<T> {
    final BodyReader<T> reader;
    final int keep;
    byte[] first;
    int kept;

    Sink(BodyReader<T> reader, int keep, long length) {
      this.reader = reader;
      this.keep = keep;
      this.first = new byte[(int) Math.min(keep, length >= 0 ? length : 512)];
    }

    void accept(byte[] b, int off, int n) throws IOException {
      if (reader != null) {
        reader.feed(b, off, n);
        return;
      }
      if (kept + n > first.length && first.length < keep) {
        first = Arrays.copyOf(first, (int) Math.min(keep, Math.max(2L * first.length, (long) kept + n)));
      }
      int k = Math.min(n, first.length - kept);
      System.arraycopy(b, off, first, kept, k);
      kept += k;
    }

    Answer<T> answer(int status, String retryAfter) throws IOException {
      return reader != null ? new Answer<>(status, reader.finish(), null, retryAfter)
          : new Answer<>(status, null, kept == first.length ? first : Arrays.copyOf(first, kept), retryAfter);
    }
  }
}
