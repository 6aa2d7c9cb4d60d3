// An NDJSON sender for benchmarks: POSTs TOTAL events as bodies of BATCH events (~110 bytes each) over CONNS
// connections at once, each waiting for its answer before the next request; prints events/s answered 2xx.
// Run: java bench/HttpSender.java URL TOTAL [BATCH] [CONNS] [CONTENT_TYPE]
// (Fluent Bit's http input refuses application/x-ndjson but reads the same lines sent as application/json.)
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
    StringBuilder b = new StringBuilder();
    for (int i = 0; i < batch; i++) {
      b.append("{\"host\":\"web-").append(i % 16).append("\",\"status\":").append(200 + i % 5)
          .append(",\"path\":\"/index/").append(String.format("%08d", i)).append("\",\"bytes\":").append(1000 + i)
          .append(",\"agent\":\"curl/8.0\"}\n");
    }
    byte[] body = b.toString().getBytes(StandardCharsets.UTF_8);
    long requests = total / batch;
    AtomicLong next = new AtomicLong();
    AtomicLong refused = new AtomicLong();
    long t0 = System.nanoTime();
    Thread[] ts = new Thread[conns];
    for (int c = 0; c < conns; c++) {
      ts[c] = new Thread(() -> {
        HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
        HttpRequest r = HttpRequest.newBuilder(url).header("Content-Type", type)
            .POST(HttpRequest.BodyPublishers.ofByteArray(body)).build();
        try {
          while (next.getAndIncrement() < requests) {
            while (true) {
              int s = http.send(r, HttpResponse.BodyHandlers.discarding()).statusCode();
              if (s / 100 == 2) {
                break;
              }
              if (s != 429 && s != 503) {
                throw new IllegalStateException("the server answered " + s);
              }
              refused.incrementAndGet(); // 429: sent again
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
    System.out.printf("%.0f events/s (%d events in %.2f s, %d bytes a request, %d refused and resent)%n",
        requests * batch / secs, requests * batch, secs, body.length, refused.get());
  }
}
