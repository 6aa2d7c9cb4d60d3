package io.swak.dist;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.net.ServerSocket;
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

  private static int freePort() throws Exception {
    try (ServerSocket s = new ServerSocket(0)) {
      return s.getLocalPort();
    }
  }

  private void startAgent(String agentHttp) throws Exception {
    int closed = freePort(); // nothing listens: out.Fluentd retries and warns
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
        """.formatted(agentHttp, closed));
    agent = Launcher.start(dir, Map.of(), "run", cfg.toString());
    await().atMost(Duration.ofSeconds(60)).until(() -> agent.err().contains("HTTP status on") || !agent.process.isAlive());
    assertThat(agent.err()).contains("HTTP status on");
  }

  /** The data-value of the counter {@code name} in step {@code step} of task {@code task}; NaN when not measured. */
  private static double counter(String dom, String task, int step, String name) {
    int t = dom.indexOf("data-task=\"" + task + "\"");
    assertThat(t).as("task %s on the page:\n%s", task, dom).isNotNegative();
    int s = dom.indexOf("data-step=\"" + step + "\"", t);
    assertThat(s).as("step %d of %s", step, task).isPositive();
    Matcher m = Pattern.compile("data-counter=\"" + name + "\" data-value=\"([^\"]*)\"").matcher(dom);
    assertThat(m.find(s)).as("counter %s of step %d", name, step).isTrue();
    return m.group(1).isEmpty() || m.group(1).equals("null") ? Double.NaN : Double.parseDouble(m.group(1));
  }

  @Test
  void thePageShowsEachTaskAsItsStepsAndItsCountersMoveWhileEventsFlow() throws Exception {
    int port = freePort();
    startAgent("{port: " + port + "}");
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
      Path shot = Path.of(System.getProperty("swak.dist.dir", "target")).resolve("dashboard.png").toAbsolutePath();
      browser.screenshot(shot);
      assertThat(shot).isRegularFile();
    }

    // swak top: the same numbers in the terminal; the second refresh has rates
    String top = Swak.ofRepo(dir, Map.of()).run("top", "--url", "http://127.0.0.1:" + port, "-n", "2",
        "--interval", "1s").expect(0).out();
    assertThat(top).contains("TASK / STEP", "IN/s", "BUFFER", "1 in.FakeData", "3 out.Null", "3 out.Fluentd");
  }

  @Test
  void withATokenEveryRequestForDataNeedsIt() throws Exception {
    int port = freePort();
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
