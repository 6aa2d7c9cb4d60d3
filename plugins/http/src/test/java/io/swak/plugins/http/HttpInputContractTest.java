package io.swak.plugins.http;

import static org.assertj.core.api.Assertions.assertThat;

import io.swak.core.testing.InputContract;
import io.swak.core.testing.Ports;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;

/** in.Http passes the input contract: NDJSON POSTed by java.net.http, 50 events a request, one after another. */
class HttpInputContractTest extends InputContract {

  @Override
  protected Source source(Path dir) throws Exception {
    int port = Ports.free();
    HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(10)).build();
    return new Source() {
      @Override
      public String step() {
        return "in.Http: {port: " + port + "}";
      }

      @Override
      public void produce(long from, int n) throws Exception {
        for (long i = from; i < from + n; i += 50) {
          StringBuilder b = new StringBuilder();
          for (long s = i; s < Math.min(from + n, i + 50); s++) {
            b.append("{\"seq\":").append(s).append("}\n");
          }
          HttpRequest r = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/contract"))
              .header("Content-Type", "application/x-ndjson").POST(HttpRequest.BodyPublishers.ofString(b.toString()))
              .build();
          // the input may still be starting: a refused connection is tried again
          HttpResponse<String> res = org.awaitility.Awaitility.await().atMost(Duration.ofSeconds(20))
              .ignoreExceptions().until(() -> http.send(r, HttpResponse.BodyHandlers.ofString()), x -> true);
          assertThat(res.statusCode()).as(res.body()).isEqualTo(200);
        }
      }

      @Override
      public boolean keepsPositions() {
        return false;
      }
    };
  }
}
