import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicLong;

// A bulk endpoint that takes every document at once: POST */_bulk counts the documents (action + source lines)
// and answers {"errors":false}, GET */_count says how many came since the last PUT or DELETE. For bench/es-bulk.sh
// with SINK=fast, which measures what the shippers cost per document when the node is not the bottleneck.
// Run: java bench/BulkSink.java PORT
public final class BulkSink {
  private static final AtomicLong DOCS = new AtomicLong();
  private static final byte[] OK = "{\"took\":0,\"errors\":false,\"items\":[]}".getBytes(StandardCharsets.US_ASCII);

  public static void main(String[] args) throws IOException {
    HttpServer s = HttpServer.create(new InetSocketAddress("127.0.0.1", Integer.parseInt(args[0])), 64);
    s.createContext("/", BulkSink::handle);
    s.setExecutor(Executors.newFixedThreadPool(2));
    s.start();
    System.out.println("ready");
  }

  private static void handle(HttpExchange x) throws IOException {
    try (x) {
      String m = x.getRequestMethod();
      String path = x.getRequestURI().getPath();
      byte[] answer;
      if (m.equals("POST") && path.endsWith("/_bulk")) {
        long lines = 0;
        byte[] buf = new byte[64 * 1024];
        try (InputStream in = x.getRequestBody()) {
          for (int n; (n = in.read(buf)) > 0; ) {
            for (int i = 0; i < n; i++) {
              if (buf[i] == '\n') {
                lines++;
              }
            }
          }
        }
        DOCS.addAndGet(lines / 2);
        answer = OK;
      } else if (path.endsWith("/_count")) {
        answer = ("{\"count\":" + DOCS.get() + "}").getBytes(StandardCharsets.US_ASCII);
      } else {
        x.getRequestBody().readAllBytes();
        if (m.equals("PUT") || m.equals("DELETE")) {
          DOCS.set(0);
        }
        answer = "{\"acknowledged\":true,\"version\":{\"number\":\"8.15.0\"}}".getBytes(StandardCharsets.US_ASCII);
      }
      x.getResponseHeaders().set("Content-Type", "application/json");
      x.sendResponseHeaders(200, answer.length);
      x.getResponseBody().write(answer);
    }
  }
}
