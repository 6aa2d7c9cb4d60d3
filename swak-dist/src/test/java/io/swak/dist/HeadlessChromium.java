package io.swak.dist;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.WebSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Debian's chromium in headless mode, driven over the DevTools protocol with the JDK's own WebSocket client: the
 * page runs in real time (its polls are real), and the test reads its document and takes screenshots while it
 * runs. No driver library, nothing downloaded at test time.
 */
final class HeadlessChromium implements AutoCloseable {

  static final Path BINARY = Path.of("/usr/bin/chromium");
  static final List<String> FLAGS = List.of("--headless", "--no-sandbox", "--disable-gpu",
      "--disable-background-networking", "--disable-component-update", "--disable-sync", "--no-first-run",
      "--disable-dev-shm-usage", "--hide-scrollbars", "--window-size=1280,760");
  private static final ObjectMapper JSON = new ObjectMapper();

  private final Process process;
  private final WebSocket socket;
  private final AtomicInteger ids = new AtomicInteger();
  private final Map<Integer, CompletableFuture<JsonNode>> waiting = new ConcurrentHashMap<>();

  /** Installs chromium with apt-get when it is missing (the build containers run as root). */
  static void install() throws IOException, InterruptedException {
    if (!Files.isExecutable(BINARY)) {
      Process p = new ProcessBuilder("sh", "-c", "apt-get update -q && apt-get install -y -q chromium").inheritIO()
          .start();
      if (!p.waitFor(15, TimeUnit.MINUTES) || p.exitValue() != 0) {
        throw new IllegalStateException("apt-get install chromium failed");
      }
    }
  }

  HeadlessChromium(Path profile, String url) throws Exception {
    List<String> cmd = new ArrayList<>(List.of(BINARY.toString()));
    cmd.addAll(FLAGS);
    cmd.addAll(List.of("--user-data-dir=" + profile, "--remote-debugging-port=0", url));
    process = new ProcessBuilder(cmd).redirectErrorStream(true).redirectOutput(profile.resolveSibling(
        profile.getFileName() + ".log").toFile()).start();
    Path portFile = profile.resolve("DevToolsActivePort");
    try {
      org.awaitility.Awaitility.await().atMost(Duration.ofSeconds(60)).until(() -> !process.isAlive()
          || Files.exists(portFile) && Files.readAllLines(portFile).size() >= 2);
    } catch (RuntimeException e) {
      process.destroyForcibly();
      throw e;
    }
    if (!process.isAlive()) {
      throw new IllegalStateException("chromium ended before it opened its DevTools port: see " + profile + ".log");
    }
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
    int port = Integer.parseInt(Files.readAllLines(portFile).get(0).trim());
    HttpClient http = HttpClient.newHttpClient();
    String ws = null;
    while (ws == null) {
      JsonNode list = JSON.readTree(http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port
          + "/json/list")).build(), HttpResponse.BodyHandlers.ofString()).body());
      for (JsonNode t : list) {
        if ("page".equals(t.path("type").asText())) {
          ws = t.path("webSocketDebuggerUrl").asText();
        }
      }
      if (ws == null && System.nanoTime() > deadline) {
        throw new IllegalStateException("chromium has no page");
      }
    }
    socket = http.newWebSocketBuilder().buildAsync(URI.create(ws), new WebSocket.Listener() {
      private final StringBuilder text = new StringBuilder();

      @Override
      public CompletionStage<?> onText(WebSocket w, CharSequence data, boolean last) {
        text.append(data);
        if (last) {
          try {
            JsonNode m = JSON.readTree(text.toString());
            CompletableFuture<JsonNode> f = m.has("id") ? waiting.remove(m.get("id").asInt()) : null;
            if (f != null) {
              f.complete(m);
            }
          } catch (IOException e) {
            throw new IllegalStateException(e);
          }
          text.setLength(0);
        }
        w.request(1);
        return null;
      }
    }).get(30, TimeUnit.SECONDS);
  }

  private JsonNode call(String method, ObjectNode params) throws Exception {
    int id = ids.incrementAndGet();
    CompletableFuture<JsonNode> f = new CompletableFuture<>();
    waiting.put(id, f);
    ObjectNode msg = JSON.createObjectNode().put("id", id).put("method", method);
    msg.set("params", params);
    socket.sendText(JSON.writeValueAsString(msg), true).get(30, TimeUnit.SECONDS);
    JsonNode r = f.get(60, TimeUnit.SECONDS);
    if (r.has("error")) {
      throw new IllegalStateException(method + ": " + r.get("error"));
    }
    return r.get("result");
  }

  /** The page's document as it is now. */
  String dom() throws Exception {
    ObjectNode p = JSON.createObjectNode().put("expression", "document.documentElement.outerHTML")
        .put("returnByValue", true);
    return call("Runtime.evaluate", p).path("result").path("value").asText();
  }

  /** A PNG of the whole page as it is now, below the window's height too. */
  void screenshot(Path png) throws Exception {
    ObjectNode size = JSON.createObjectNode().put("expression", "[document.documentElement.scrollWidth, "
        + "document.documentElement.scrollHeight]").put("returnByValue", true);
    JsonNode wh = call("Runtime.evaluate", size).path("result").path("value");
    ObjectNode params = JSON.createObjectNode().put("format", "png").put("captureBeyondViewport", true);
    params.putObject("clip").put("x", 0).put("y", 0).put("width", wh.get(0).asInt()).put("height", wh.get(1).asInt())
        .put("scale", 1);
    String data = call("Page.captureScreenshot", params).path("data").asText();
    Files.write(png, Base64.getDecoder().decode(data));
  }

  @Override
  public void close() throws Exception {
    if (socket != null) {
      socket.abort();
    }
    process.destroy();
    if (!process.waitFor(20, TimeUnit.SECONDS)) {
      process.destroyForcibly();
    }
  }
}
