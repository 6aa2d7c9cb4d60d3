import io.opentelemetry.proto.collector.logs.v1.ExportLogsServiceRequest;
import io.opentelemetry.proto.common.v1.AnyValue;
import io.opentelemetry.proto.common.v1.InstrumentationScope;
import io.opentelemetry.proto.common.v1.KeyValue;
import io.opentelemetry.proto.logs.v1.LogRecord;
import io.opentelemetry.proto.logs.v1.ResourceLogs;
import io.opentelemetry.proto.logs.v1.ScopeLogs;
import io.opentelemetry.proto.logs.v1.SeverityNumber;
import io.opentelemetry.proto.resource.v1.Resource;
import java.io.ByteArrayOutputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicLong;
import java.util.zip.GZIPOutputStream;

/**
 * OTLP/HTTP protobuf load: RECORDS log records in requests of BATCH records over CONNS connections, each
 * request waiting for its answer (as an SDK exporter does). A 429/503 is sent again. Prints records/s.
 * Usage: java -cp "swak-dist/target/lib/*" bench/OtlpSender.java HOST PORT RECORDS BATCH CONNS [gzip]
 */
public class OtlpSender {

  static AnyValue s(String v) {
    return AnyValue.newBuilder().setStringValue(v).build();
  }

  static KeyValue kv(String k, AnyValue v) {
    return KeyValue.newBuilder().setKey(k).setValue(v).build();
  }

  /** A request like an instrumented web server's: a line of access log, severity, three attributes. */
  static byte[] request(int batch, int variant, boolean gzip) throws Exception {
    long t = System.currentTimeMillis() * 1_000_000L;
    ScopeLogs.Builder sl = ScopeLogs.newBuilder().setScope(InstrumentationScope.newBuilder().setName("web")
        .setVersion("1.0"));
    for (int i = 0; i < batch; i++) {
      int n = variant * batch + i;
      sl.addLogRecords(LogRecord.newBuilder().setTimeUnixNano(t + n).setObservedTimeUnixNano(t + n + 1000)
          .setSeverityNumber(SeverityNumber.SEVERITY_NUMBER_INFO).setSeverityText("INFO")
          .setBody(s("GET /api/v1/items/" + n + " HTTP/1.1 200 " + (512 + n % 4096) + " 0.0" + (n % 97) + "s"))
          .addAttributes(kv("http.method", s("GET")))
          .addAttributes(kv("http.status_code", AnyValue.newBuilder().setIntValue(200).build()))
          .addAttributes(kv("client.address", s("10.0." + (n % 250) + "." + (n % 199)))));
    }
    byte[] body = ExportLogsServiceRequest.newBuilder().addResourceLogs(ResourceLogs.newBuilder()
        .setResource(Resource.newBuilder().addAttributes(kv("service.name", s("shop")))
            .addAttributes(kv("host.name", s("web-1"))))
        .addScopeLogs(sl)).build().toByteArray();
    if (!gzip) {
      return body;
    }
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    try (GZIPOutputStream z = new GZIPOutputStream(out)) {
      z.write(body);
    }
    return out.toByteArray();
  }

  public static void main(String[] a) throws Exception {
    String host = a[0];
    int port = Integer.parseInt(a[1]);
    long records = Long.parseLong(a[2]);
    int batch = Integer.parseInt(a[3]);
    int conns = Integer.parseInt(a[4]);
    boolean gzip = a.length > 5 && a[5].equals("gzip");
    byte[][] bodies = new byte[16][];
    for (int i = 0; i < bodies.length; i++) {
      bodies[i] = request(batch, i, gzip);
    }
    URI uri = URI.create("http://" + host + ":" + port + "/v1/logs");
    long requests = (records + batch - 1) / batch;
    AtomicLong next = new AtomicLong();
    AtomicLong refused = new AtomicLong();
    Thread[] threads = new Thread[conns];
    long t0 = System.nanoTime();
    for (int c = 0; c < conns; c++) {
      threads[c] = new Thread(() -> {
        HttpClient client = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
            .connectTimeout(Duration.ofSeconds(10)).build();
        try {
          for (long r = next.getAndIncrement(); r < requests; r = next.getAndIncrement()) {
            HttpRequest.Builder b = HttpRequest.newBuilder(uri).header("Content-Type", "application/x-protobuf")
                .POST(HttpRequest.BodyPublishers.ofByteArray(bodies[(int) (r % bodies.length)]));
            if (gzip) {
              b.header("Content-Encoding", "gzip");
            }
            HttpRequest req = b.build();
            while (true) {
              int code = client.send(req, HttpResponse.BodyHandlers.discarding()).statusCode();
              if (code / 100 == 2) { // in.OpenTelemetry answers 200, Fluent Bit's opentelemetry input 201
                break;
              }
              if (code != 429 && code != 503) {
                throw new IllegalStateException("answered " + code);
              }
              refused.incrementAndGet();
              Thread.sleep(5); // the client's backoff
            }
          }
        } catch (Exception e) {
          throw new RuntimeException(e);
        }
      });
      threads[c].start();
    }
    for (Thread t : threads) {
      t.join();
    }
    double s = (System.nanoTime() - t0) / 1e9;
    long sent = requests * batch;
    System.out.printf("sender: %d log records in %d requests (%d B each%s) over %d connections in %.2f s: "
        + "%.0f records/s (%d answered 429/503 and sent again)%n", sent, requests, bodies[0].length,
        gzip ? ", gzip" : "", conns, s, sent / s, refused.get());
  }
}
