package io.swak.dist;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.swak.core.testing.Ports;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The live dashboard in a real headless Chromium (Debian's chromium, installed with apt-get when missing), driven
 * over the DevTools protocol (see {@link HeadlessChromium}): the page loads from the agent, draws each task as its
 * steps, and its counters move while events flow.
 */
class DashboardTest {

  @TempDir
  Path dir;

  private Launcher agent;

  @BeforeAll
  static void chromium() throws Exception {
    HeadlessChromium.install();
  }

  @AfterEach
  void stop() throws Exception {
    if (agent != null) {
      agent.close();
    }
  }

  private void startAgent(String agentHttp) throws Exception {
    int closed = Ports.free(); // nothing listens: out.Fluentd retries and warns
    Path log = dir.resolve("app.log");
    Files.writeString(log, "GET /index.html 200\n".repeat(500));
    Path cfg = dir.resolve("dash.yml");
    Files.writeString(cfg, """
        - agent:
            http: %s
        - task:
          - in.FakeData: {type: apache, count: 20}
          - sleep: {ms: 100}
          - out.Null
          name: web
        - task:
          - in.FakeData: {type: json, count: 5}
          - sleep: {ms: 500}
          - out.Fluentd: {host: 127.0.0.1, port: %d, reconnect_wait: 200ms, heartbeat_type: none}
          name: shipping
        - task:
          - in.FakeData: {type: apache, count: 10}
          - sleep: {ms: 200}
          - buffer: {type: file, path: "%s", flush_interval: 1s, chunk_bytes: 64KiB, total_limit: 8MiB}
          - failover:
              outputs:
                - out.Fluentd: {host: 127.0.0.1, port: %d, reconnect_wait: 200ms, heartbeat_type: none}
              last:
                out.File: {path: "%s"}
              recover_interval: 1h
          name: archive
        - task:
          - in.FileTail: {path: "%s", read_from_head: true}
          - out.Null
          name: files
        """.formatted(agentHttp, closed, dir.resolve("buffer"), closed, dir.resolve("archive.log"), log));
    agent = Launcher.start(dir, Map.of(), "run", cfg.toString());
    await().atMost(Duration.ofSeconds(60)).until(() -> agent.err().contains("HTTP status on") || !agent.process.isAlive());
    assertThat(agent.err()).contains("HTTP status on");
  }

  /** The data-value of the counter {@code name} in step {@code step} of task {@code task}; NaN when not measured. */
  private static double counter(String dom, String task, int step, String name) {
    return value(dom, stepAt(dom, task, step), name);
  }

  /** The counter {@code name} of the step nested in step {@code step} as {@code nested} (its name in /api/status). */
  private static double nestedCounter(String dom, String task, int step, String nested, String name) {
    int n = dom.indexOf("data-nested=\"" + nested + "\"", stepAt(dom, task, step));
    assertThat(n).as("%s nested in step %d of %s:\n%s", nested, step, task, dom).isPositive();
    return value(dom, n, name);
  }

  private static int stepAt(String dom, String task, int step) {
    int t = dom.indexOf("data-task=\"" + task + "\"");
    assertThat(t).as("task %s on the page:\n%s", task, dom).isNotNegative();
    int s = dom.indexOf("data-step=\"" + step + "\"", t);
    assertThat(s).as("step %d of %s", step, task).isPositive();
    return s;
  }

  private static double value(String dom, int from, String name) {
    Matcher m = Pattern.compile("data-counter=\"" + name + "\" data-value=\"([^\"]*)\"").matcher(dom);
    assertThat(m.find(from)).as("counter %s", name).isTrue();
    return m.group(1).isEmpty() || m.group(1).equals("null") ? Double.NaN : Double.parseDouble(m.group(1));
  }

  @Test
  void thePageShowsEachTaskAsItsStepsAndItsCountersMoveWhileEventsFlow() throws Exception {
    int port = Ports.free();
    startAgent("{port: " + port + "}");
    // without bind: on the loopback address only
    assertThat(agent.err()).contains("HTTP status on http://127.0.0.1:" + port + "/");
    String url = "http://127.0.0.1:" + port + "/";
    try (HeadlessChromium browser = new HeadlessChromium(dir.resolve("profile"), url)) {
      await().atMost(Duration.ofSeconds(30)).until(() -> browser.dom().contains("data-task=\"shipping\""));
      String first = browser.dom();
      assertThat(first).contains("in.FakeData", "sleep", "out.Null", "out.Fluentd", "data-task=\"web\"");
      double out1 = counter(first, "web", 3, "events_out");
      // the same page, without reloading: its polls update the counter, and it measures rates between them
      await().atMost(Duration.ofSeconds(30)).until(() -> counter(browser.dom(), "web", 3, "events_out") > out1);
      await().atMost(Duration.ofSeconds(30)).until(() -> counter(browser.dom(), "web", 3, "events_out_rate") > 0);
      // the output nobody listens to: no server up, retries, and the agent's warning about it in the list
      await().atMost(Duration.ofSeconds(30)).until(() -> counter(browser.dom(), "shipping", 3, "retries") > 0);
      String later = browser.dom();
      assertThat(counter(later, "shipping", 3, "servers_up")).isZero();
      assertThat(later).containsPattern("<ol id=\"warnings\">\\s*<li class=\"WARN\">");
      // failover's outputs drawn inside its step: the one nobody listens to fails, the last one takes the events
      await().atMost(Duration.ofSeconds(30)).until(() -> nestedCounter(browser.dom(), "archive", 4, "out.File #2",
          "events_out") > 0);
      String nested = browser.dom();
      double archived = nestedCounter(nested, "archive", 4, "out.File #2", "events_out");
      assertThat(nestedCounter(nested, "archive", 4, "out.Fluentd #1", "servers_up")).isZero();
      assertThat(counter(nested, "archive", 3, "buffer_bytes")).isNotNaN();
      await().atMost(Duration.ofSeconds(30)).until(() -> nestedCounter(browser.dom(), "archive", 4, "out.File #2",
          "events_out") > archived);
      // in.FileTail's gauges: the file it follows, and how far its checkpoint is behind what it read
      await().atMost(Duration.ofSeconds(30)).until(() -> counter(browser.dom(), "files", 2, "events_out") >= 500);
      String files = browser.dom();
      assertThat(counter(files, "files", 1, "files_followed")).isEqualTo(1);
      assertThat(counter(files, "files", 1, "checkpoint_lag_bytes")).isNotNaN();
      Path shot = Path.of(System.getProperty("swak.dist.dir", "target")).resolve("dashboard.png").toAbsolutePath();
      browser.screenshot(shot);
      assertThat(shot).isRegularFile();
      if (Boolean.getBoolean("swak.updateDocs")) {
        java.nio.file.Files.copy(shot, Launcher.ROOT.resolve("docs/dashboard.png"),
            java.nio.file.StandardCopyOption.REPLACE_EXISTING);
      }
    }

    // swak top: the same numbers in the terminal; the second refresh has rates, and they are not all zero
    String top = Swak.ofRepo(dir, Map.of()).run("top", "--url", "http://127.0.0.1:" + port, "-n", "2",
        "--interval", "1s").expect(0).out();
    assertThat(top).contains("TASK / STEP", "IN/s", "BUFFER", "1 in.FakeData", "3 out.Null", "3 out.Fluentd",
        "4 failover", "› out.Fluentd #1", "› out.File #2");
    String second = top.substring(top.lastIndexOf("TASK / STEP"));
    Matcher web = Pattern.compile("\\n  3 out\\.Null +([0-9.]+k?) +([0-9.]+k?) ").matcher(second);
    assertThat(web.find()).as(top).isTrue();
    assertThat(Double.parseDouble(web.group(2).replace("k", ""))).as("out.Null's OUT/s:\n%s", top).isPositive();
  }

  @Test
  void withATokenEveryRequestForDataNeedsIt() throws Exception {
    int port = Ports.free();
    startAgent("{port: " + port + ", token: s3cret-for-the-test}");
    HttpClient http = HttpClient.newHttpClient();
    HttpResponse<String> no = http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/api/status"))
        .build(), HttpResponse.BodyHandlers.ofString());
    assertThat(no.statusCode()).isEqualTo(401);
    assertThat(no.body()).contains("agent.http.token").doesNotContain("s3cret");
    HttpResponse<String> yes = http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/api/status"))
        .header("Authorization", "Bearer s3cret-for-the-test").build(), HttpResponse.BodyHandlers.ofString());
    assertThat(yes.statusCode()).isEqualTo(200);
    try (HeadlessChromium wrong = new HeadlessChromium(dir.resolve("p1"), "http://127.0.0.1:" + port + "/?token=no")) {
      await().atMost(Duration.ofSeconds(30)).until(() -> wrong.dom().contains("HTTP 401"));
      assertThat(wrong.dom()).doesNotContain("data-task=\"web\"");
    }
    try (HeadlessChromium right = new HeadlessChromium(dir.resolve("p2"),
        "http://127.0.0.1:" + port + "/?token=s3cret-for-the-test")) {
      await().atMost(Duration.ofSeconds(30)).until(() -> right.dom().contains("data-task=\"web\""));
    }
    assertThat(agent.err()).doesNotContain("s3cret");
  }
}
