// JSON lines over TCP for the in.Tcp benchmarks, as logstash-logback-encoder writes them (~200 bytes each,
// numbers varying); then waits until the receiving Swak's out.Null counted them all (its /metrics).
// Run: java bench/TcpSender.java HOST PORT LINES CONNECTIONS METRICS_URL|none
//      java bench/TcpSender.java wait METRICS_URL LINES     (only the wait: a relay's collector)
// Prints lines/s from the first byte written (or the first event counted) to the last event counted.
import java.io.BufferedOutputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

public class TcpSender {
  public static void main(String[] a) throws Exception {
    if (a[0].equals("wait")) {
      long lines = Long.parseLong(a[2]);
      while (counted(a[1]) == 0) {
        Thread.sleep(50);
      }
      long t0 = System.nanoTime();
      long last = waitFor(a[1], lines);
      report(lines, t0, last);
      return;
    }
    String host = a[0];
    int port = Integer.parseInt(a[1]);
    long lines = Long.parseLong(a[2]);
    int conns = Integer.parseInt(a[3]);
    String metrics = a[4];
    StringBuilder b = new StringBuilder();
    for (int i = 0; i < 1000; i++) {
      b.append("{\"@timestamp\":\"2026-12-02T01:50:").append(String.format("%02d.%03d", i % 60, i))
          .append("+00:00\",\"@version\":\"1\",\"message\":\"GET /index/").append(String.format("%08d", i * 7919))
          .append(" 200 ").append(1000 + i).append(" bytes in ").append(i % 97).append(" ms\",\"logger_name\":")
          .append("\"com.example.web.AccessLog\",\"thread_name\":\"http-nio-8080-exec-").append(i % 16)
          .append("\",\"level\":\"INFO\",\"level_value\":20000}\n");
    }
    byte[] block = b.toString().getBytes(StandardCharsets.UTF_8);
    long t0 = System.nanoTime();
    List<Thread> senders = new ArrayList<>();
    for (int c = 0; c < conns; c++) {
      long mine = lines / conns / 1000 * 1000;
      Thread t = new Thread(() -> {
        try (Socket s = new Socket(host, port)) {
          OutputStream out = new BufferedOutputStream(s.getOutputStream(), 1 << 16);
          for (long sent = 0; sent < mine; sent += 1000) {
            out.write(block);
          }
          out.flush();
        } catch (Exception e) {
          throw new RuntimeException(e);
        }
      });
      t.start();
      senders.add(t);
    }
    for (Thread t : senders) {
      t.join();
    }
    long total = lines / conns / 1000 * 1000 * conns;
    if (metrics.equals("none")) {
      // a receiver without a counter to ask (Fluent Bit): the rate of writing, which its reading holds back
      System.out.print("written: ");
      report(total, t0, System.nanoTime());
      return;
    }
    long last = waitFor(metrics, total);
    report(total, t0, last);
  }

  static void report(long lines, long t0, long t1) {
    double s = (t1 - t0) / 1e9;
    System.out.printf("%d lines in %.2f s: %.0f lines/s%n", lines, s, lines / s);
  }

  static final HttpClient HTTP = HttpClient.newHttpClient();

  /** events_in of the out.Null step. */
  static long counted(String url) throws Exception {
    String body = HTTP.send(HttpRequest.newBuilder(URI.create(url)).build(), HttpResponse.BodyHandlers.ofString()).body();
    for (String l : body.split("\n")) {
      if (l.startsWith("swak_events_in_total{") && l.contains("plugin=\"out.Null\"")) {
        return Long.parseLong(l.substring(l.lastIndexOf(' ') + 1));
      }
    }
    return 0;
  }

  static long waitFor(String url, long lines) throws Exception {
    while (counted(url) < lines) {
      Thread.sleep(50);
    }
    return System.nanoTime();
  }
}
