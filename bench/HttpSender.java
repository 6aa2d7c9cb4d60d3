// An NDJSON sender for benchmarks: POSTs TOTAL events as bodies of BATCH events (~87 bytes each) over CONNS
// keep-alive connections at once, each waiting for its answer before the next request; prints events/s
// answered 2xx. By default each connection is a plain socket writing one pre-built HTTP/1.1 request and
// reading the status line, headers and Content-Length body of the answer: java.net.http's client costs more
// CPU per request than in.Http does and was the ceiling on 2 cores (CLIENT=jdk uses it, for comparison).
// Run: [CLIENT=raw|jdk] java bench/HttpSender.java URL TOTAL [BATCH] [CONNS] [CONTENT_TYPE]
// (Fluent Bit's http input refuses application/x-ndjson but reads the same lines sent as application/json.)
import java.io.BufferedInputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.atomic.AtomicLong;

public class HttpSender {
  public static void main(String[] a) throws Exception {
    URI url = URI.create(a[0]);
    long total = Long.parseLong(a[1]);
    int batch = a.length > 2 ? Integer.parseInt(a[2]) : 1000;
    int conns = a.length > 3 ? Integer.parseInt(a[3]) : 2;
    String type = a.length > 4 ? a[4] : "application/x-ndjson";
    boolean jdk = "jdk".equals(System.getenv("CLIENT"));
    StringBuilder b = new StringBuilder();
    for (int i = 0; i < batch; i++) {
      b.append("{\"host\":\"web-").append(i % 16).append("\",\"status\":").append(200 + i % 5)
          .append(",\"path\":\"/index/").append(String.format("%08d", i)).append("\",\"bytes\":").append(1000 + i)
          .append(",\"agent\":\"curl/8.0\"}\n");
    }
    byte[] body = b.toString().getBytes(StandardCharsets.UTF_8);
    byte[] head = ("POST " + url.getRawPath() + " HTTP/1.1\r\nHost: " + url.getHost() + ":" + url.getPort()
        + "\r\nContent-Type: " + type + "\r\nContent-Length: " + body.length + "\r\n\r\n")
        .getBytes(StandardCharsets.US_ASCII);
    byte[] request = new byte[head.length + body.length];
    System.arraycopy(head, 0, request, 0, head.length);
    System.arraycopy(body, 0, request, head.length, body.length);
    long requests = total / batch;
    AtomicLong next = new AtomicLong();
    AtomicLong refused = new AtomicLong();
    long t0 = System.nanoTime();
    Thread[] ts = new Thread[conns];
    for (int c = 0; c < conns; c++) {
      ts[c] = new Thread(() -> {
        try {
          if (jdk) {
            HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
            HttpRequest r = HttpRequest.newBuilder(url).header("Content-Type", type)
                .POST(HttpRequest.BodyPublishers.ofByteArray(body)).build();
            while (next.getAndIncrement() < requests) {
              while (!ok(http.send(r, HttpResponse.BodyHandlers.discarding()).statusCode())) {
                refused.incrementAndGet(); // 429: sent again
              }
            }
          } else {
            Socket s = null;
            while (next.getAndIncrement() < requests) {
              while (true) {
                if (s == null) {
                  s = new Socket(url.getHost(), url.getPort());
                  s.setTcpNoDelay(true);
                }
                s.getOutputStream().write(request);
                Answer ans = answer(new BufferedInputStream(s.getInputStream(), 512), s);
                if (ans.close) {
                  s.close(); // a refusal closes the connection: the next try opens another
                  s = null;
                }
                if (ok(ans.status)) {
                  break;
                }
                refused.incrementAndGet();
              }
            }
            if (s != null) {
              s.close();
            }
          }
        } catch (Exception e) {
          throw new RuntimeException(e);
        }
      });
      ts[c].start();
    }
    for (Thread t : ts) {
      t.join();
    }
    double secs = (System.nanoTime() - t0) / 1e9;
    System.out.printf("%.0f events/s (%d events in %.2f s, %d bytes a request, %d refused and resent, %s client)%n",
        requests * batch / secs, requests * batch, secs, body.length, refused.get(), jdk ? "java.net.http" : "socket");
  }

  static boolean ok(int status) {
    if (status / 100 == 2) {
      return true;
    }
    if (status != 429 && status != 503) {
      throw new IllegalStateException("the server answered " + status);
    }
    return false;
  }

  record Answer(int status, boolean close) {}

  /** Reads one answer: status line, headers, and a body of Content-Length bytes (in.Http always sends one). */
  static Answer answer(InputStream in, Socket s) throws IOException {
    // the buffered stream is made per answer and sized small; in.Http answers are tiny and never pipelined,
    // so nothing of a next answer can be read ahead into it
    String status = line(in);
    int length = 0;
    boolean close = false;
    for (String h; !(h = line(in)).isEmpty(); ) {
      String l = h.toLowerCase();
      if (l.startsWith("content-length:")) {
        length = Integer.parseInt(l.substring(15).trim());
      } else if (l.startsWith("connection:") && l.contains("close")) {
        close = true;
      }
    }
    in.skipNBytes(length);
    return new Answer(Integer.parseInt(status.substring(9, 12)), close);
  }

  static String line(InputStream in) throws IOException {
    StringBuilder b = new StringBuilder();
    for (int c; (c = in.read()) != '\n'; ) {
      if (c < 0) {
        throw new EOFException("the server closed the connection");
      }
      if (c != '\r') {
        b.append((char) c);
      }
    }
    return b.toString();
  }
}
