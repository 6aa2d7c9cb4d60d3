package io.swak.plugins.http;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.swak.api.Event;
import io.swak.core.testing.AgentTestBase;
import io.swak.core.testing.Certificates;
import io.swak.core.testing.Ports;
import io.swak.core.testing.TestSink;
import java.io.ByteArrayOutputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.zip.GZIPOutputStream;
import org.junit.jupiter.api.Test;

/** in.Http with curl and java.net.http: formats, tags, gzip, authentication, answers after acknowledgement. */
class HttpInputTest extends AgentTestBase {

  private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(10)).build();

  private TestSink.State sink() {
    return TestSink.state(id);
  }

  private int startHttp(String options) throws Exception {
    int port = Ports.free();
    start("""
        - task:
          - in.Http: {port: %d%s}
          - out.TestSink: {name: %s}
        """.formatted(port, options, id));
    await().until(() -> agent.tasks().get(0).state().equals("running"));
    return port;
  }

  private Map<String, Long> inputCounters() {
    return agent.tasks().get(0).counters().get(0).snapshot();
  }

  /** The answer's body and HTTP status as curl shows them, on two lines. */
  static String curl(String... args) throws Exception {
    List<String> cmd = new ArrayList<>(List.of("curl", "-sS", "-o", "-", "-w", "\n%{http_code}"));
    cmd.addAll(List.of(args));
    Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
    String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    assertThat(p.waitFor(60, TimeUnit.SECONDS)).isTrue();
    int nl = out.lastIndexOf('\n');
    return out.substring(0, nl).strip() + "\n" + out.substring(nl + 1).strip(); // "body\nSTATUS"
  }

  static byte[] gzip(byte[] b) throws Exception {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    try (GZIPOutputStream z = new GZIPOutputStream(out)) {
      z.write(b);
    }
    return out.toByteArray();
  }

  @Test
  void jsonObjectsArraysNdjsonAndLinesFromCurlAreTaggedByThePath() throws Exception {
    int port = startHttp("");
    String base = "http://127.0.0.1:" + port;
    assertThat(curl("-H", "Content-Type: application/json", "-d", "{\"a\":1,\"s\":\"caf\u00e9\",\"n\":{\"x\":[1,2.5,true,null]}}",
        base + "/app.one")).endsWith("200");
    assertThat(curl("-H", "Content-Type: application/json", "-d", "[{\"b\":1},{\"b\":2}]", base + "/app.two"))
        .endsWith("200");
    Path nd = dir.resolve("events.ndjson");
    Files.writeString(nd, "{\"c\":1}\n\n{\"c\":2}\r\n{\"c\":3}");
    assertThat(curl("-H", "Content-Type: application/x-ndjson", "--data-binary", "@" + nd, base + "/nd"))
        .endsWith("200");
    Path lines = dir.resolve("lines.txt");
    Files.writeString(lines, "first line\nsecond line\n");
    assertThat(curl("-H", "Content-Type: text/plain", "--data-binary", "@" + lines, base + "/plain")).endsWith("200");
    Path gz = dir.resolve("events.ndjson.gz");
    Files.write(gz, gzip("{\"z\":1}\n{\"z\":2}\n".getBytes(StandardCharsets.UTF_8)));
    assertThat(curl("-H", "Content-Type: application/x-ndjson", "-H", "Content-Encoding: gzip", "--data-binary",
        "@" + gz, base + "/zipped")).endsWith("200");

    List<Event> got = sink().received;
    assertThat(got).hasSize(1 + 2 + 3 + 2 + 2);
    assertThat(got.get(0).tag()).isEqualTo("app.one");
    assertThat(got.get(0).record()).isEqualTo(Map.of("a", 1L, "s", "caf\u00e9", "n", Map.of("x",
        java.util.Arrays.asList(1L, 2.5, true, null))));
    assertThat(got.stream().filter(e -> e.tag().equals("app.two")).map(e -> e.record().get("b"))).containsExactly(1L,
        2L);
    assertThat(got.stream().filter(e -> e.tag().equals("nd")).map(e -> e.record().get("c"))).containsExactly(1L, 2L,
        3L);
    assertThat(got.stream().filter(e -> e.tag().equals("plain")).map(e -> e.record().get("message")))
        .containsExactly("first line", "second line");
    assertThat(got.stream().filter(e -> e.tag().equals("zipped")).map(e -> e.record().get("z"))).containsExactly(1L,
        2L);
  }

  @Test
  void aBadBodyIsAnswered400WithTheReasonAndNothingOfItIsKept() throws Exception {
    int port = startHttp("");
    String base = "http://127.0.0.1:" + port;
    assertThat(curl("-H", "Content-Type: application/json", "-d", "{\"a\":1", base + "/t"))
        .startsWith("not JSON: Unexpected end-of-input").endsWith("400");
    assertThat(curl("-H", "Content-Type: application/json", "-d", "[{\"a\":1}, 7]", base + "/t"))
        .isEqualTo("element 1 of the array is not a JSON object\n400");
    assertThat(curl("-H", "Content-Type: application/x-ndjson", "-d", "{\"a\":1}\n{oops}", base + "/t"))
        .startsWith("line 2 is not JSON").endsWith("400");
    assertThat(curl("-H", "Content-Encoding: gzip", "-d", "this is not gzip", base + "/t")).endsWith("400");
    assertThat(curl("-d", "{}", base + "/")).isEqualTo("POST to /TAG (for example /app.web): the path is the tag\n400");
    assertThat(curl(base + "/t")).isEqualTo("send events with POST\n405");
    assertThat(curl("-H", "Content-Type: application/json", "-d", "{\"ok\":true}", base + "/t")).endsWith("200");
    assertThat(sink().received).hasSize(1);
    assertThat(inputCounters().get("bad_requests")).isEqualTo(6);
  }

  @Test
  void theAnswerComesOnlyOnceTheTaskAcceptedTheEvents() throws Exception {
    sink().failing = true;
    int port = startHttp(", tag: fixed");
    CompletableFuture<HttpResponse<String>> res = http.sendAsync(HttpRequest.newBuilder(
        URI.create("http://127.0.0.1:" + port + "/ignored")).header("Content-Type", "application/x-ndjson")
        .POST(HttpRequest.BodyPublishers.ofString("{\"n\":1}\n{\"n\":2}\n")).build(),
        HttpResponse.BodyHandlers.ofString());
    await().atMost(Duration.ofSeconds(20)).until(() -> sink().failures.get() >= 2);
    assertThat(res).as("no answer while the output fails").isNotDone();
    sink().failing = false;
    assertThat(res.get(30, TimeUnit.SECONDS).statusCode()).isEqualTo(200);
    assertThat(sink().received).extracting(Event::tag).containsExactly("fixed", "fixed");
  }

  @Test
  void whileTheTaskIsFullRequestsAreAnswered429WithRetryAfter() throws Exception {
    sink().failing = true;
    int port = startHttp(", queue_limit: 1KiB");
    List<CompletableFuture<HttpResponse<String>>> all = new ArrayList<>();
    HttpClient many = HttpClient.newBuilder().build();
    await().atMost(Duration.ofSeconds(30)).until(() -> {
      all.add(many.sendAsync(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/t"))
          .POST(HttpRequest.BodyPublishers.ofString("{\"pad\":\"" + "x".repeat(600) + "\"}")).build(),
          HttpResponse.BodyHandlers.ofString()));
      return all.stream().anyMatch(f -> f.isDone() && f.join().statusCode() == 429);
    });
    HttpResponse<String> full = all.stream().filter(f -> f.isDone() && f.join().statusCode() == 429).findFirst()
        .orElseThrow().join();
    assertThat(full.headers().firstValue("Retry-After")).hasValue("1");
    assertThat(full.body()).contains("full");
    sink().failing = false;
    // every request not refused is answered 200 once delivered, and only those were kept
    long ok = 0;
    for (CompletableFuture<HttpResponse<String>> f : all) {
      int s = f.get(30, TimeUnit.SECONDS).statusCode();
      assertThat(s).isIn(200, 429);
      ok += s == 200 ? 1 : 0;
    }
    long accepted = ok;
    await().atMost(Duration.ofSeconds(20)).until(() -> sink().received.size() == accepted);
    assertThat(inputCounters().get("throttled_requests")).isEqualTo(all.size() - accepted);
  }

  @Test
  void bearerAndBasicCredentialsAreRequiredWhenConfigured() throws Exception {
    int port = Ports.free();
    int basic = Ports.free();
    start("""
        - task:
          - in.Http: {port: %d, bearer_token: s3cret-token}
          - out.TestSink: {name: %s}
        - task:
          - in.Http: {port: %d, basic_user: ingest, basic_password: "p@ss word"}
          - out.TestSink: {name: %s}
        """.formatted(port, id, basic, id));
    await().until(() -> agent.tasks().stream().allMatch(t -> t.state().equals("running")));
    String url = "http://127.0.0.1:" + port + "/t";
    assertThat(curl("-d", "{}", url)).isEqualTo("missing or wrong credentials\n401");
    assertThat(curl("-H", "Authorization: Bearer wrong", "-d", "{}", url)).endsWith("401");
    assertThat(curl("-H", "Authorization: Bearer s3cret-token", "-d", "{\"in\":1}", url)).endsWith("200");
    String burl = "http://127.0.0.1:" + basic + "/t";
    assertThat(curl("-u", "ingest:wrong", "-d", "{}", burl)).endsWith("401");
    assertThat(curl("-u", "ingest:p@ss word", "-d", "{\"in\":2}", burl)).endsWith("200");
    assertThat(sink().received).extracting(e -> e.record().get("in")).containsExactlyInAnyOrder(1L, 2L);
  }

  @Test
  void httpsWithTheServersCertificate() throws Exception {
    Certificates certs = new Certificates(dir.resolve("tls"));
    certs.issue("server", "localhost", true, "localhost");
    int port = startHttp(", cert_file: \"" + certs.dir.resolve("server.crt") + "\", key_file: \""
        + certs.dir.resolve("server.key") + "\"");
    assertThat(curl("--cacert", certs.caFile().toString(), "-d", "{\"secure\":true}",
        "https://localhost:" + port + "/tls")).endsWith("200");
    assertThat(curl("-d", "{}", "http://127.0.0.1:" + port + "/plain")).doesNotEndWith("200");
    assertThat(sink().received).extracting(Event::tag).containsExactly("tls");
  }
}
