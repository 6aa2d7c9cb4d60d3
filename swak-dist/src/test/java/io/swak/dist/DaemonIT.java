package io.swak.dist;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.LongStream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.io.TempDir;

/**
 * One agent started in the background through bin/swak, driven through its life: start (over a stale pid
 * file, from a terminal session that then ends), a refused second start, status, a reload that restarts
 * only the changed task, a broken config on SIGHUP, HTTP status and metrics, USR1/USR2, stop.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class DaemonIT {

  private static final ObjectMapper JSON = new ObjectMapper();
  // 20 s at 400 events/s: still running at the reload even when the tests before it ran slowly on a loaded machine
  private static final int STEADY_TOTAL = 8_000;

  @TempDir
  static Path dir;

  private Swak swak;
  private Path config;
  private Path data;
  private Path pidFile;
  private Path log;
  private Process session;
  private long supervisorPid;

  @BeforeAll
  void setUp() throws IOException {
    data = dir.resolve("data");
    pidFile = data.resolve("swak.pid");
    log = dir.resolve("logs/swak.log");
    config = dir.resolve("swak.yml");
    swak = Swak.ofRepo(dir, Map.of("SWAK_DATA_DIR", data.toString()));
    writeConfig(config, List.of(steady(), changing(1), removed()));
  }

  @AfterAll
  void tearDown() throws IOException {
    // never leave an agent behind, whatever failed; but only our agents: a pid from a file may have been
    // reused by another process since it was written
    for (long pid : List.of(supervisorPid, workerPidOrZero())) {
      if (pid > 0) {
        ProcessHandle.of(pid).filter(p -> p.info().commandLine().map(c -> c.contains(config.toString())
            && c.contains("io.swak.core.cli.Main")).orElse(false)).ifPresent(ProcessHandle::destroyForcibly);
      }
    }
    if (session != null) {
      session.destroyForcibly();
    }
  }

  private String agent() {
    return "- agent:\n    data_dir: " + data + "\n    log_file: " + log + "\n    http: {bind: 127.0.0.1, port: 0}\n";
  }

  private String steady() {
    return "- task:\n  - in.FakeData: {type: people, count: 10, total: " + STEADY_TOTAL + ", seed: 7, rate: 400}\n"
        + "  - out.File: {path: " + dir.resolve("steady.log") + ", format: record}\n  name: steady\n";
  }

  /** Version 1 holds everything in a 5-minute buffer: only a graceful stop delivers it before then. */
  private String changing(int version) {
    return "- task:\n  - in.FakeData: {type: people, count: 10, total: 2000, seed: 1, rate: 400}\n"
        + "  - out.TimedBuffer: {" + (version == 1 ? "minutes: 5" : "seconds: 1") + "}\n"
        + "  - out.File: {path: " + dir.resolve("changing-" + version + ".log") + ", format: record}\n"
        + "  name: changing\n";
  }

  private String removed() {
    return "- task:\n  - in.FakeData: {type: json, rate: 50}\n  - out.Null\n  name: removed\n";
  }

  private String added() {
    return "- task:\n  - in.FakeData: {type: people, total: 100, count: 10}\n"
        + "  - out.File: {path: " + dir.resolve("added.log") + ", format: record}\n  name: added\n";
  }

  private void writeConfig(Path file, List<String> tasks) throws IOException {
    Files.writeString(file, agent() + String.join("", tasks));
  }

  private JsonNode statusFile() throws IOException {
    return JSON.readTree(data.resolve("swak.status.json").toFile());
  }

  private long workerPidOrZero() {
    try {
      return statusFile().path("pid").asLong();
    } catch (IOException e) {
      return 0;
    }
  }

  private static List<Long> ids(Path file) throws IOException {
    List<Long> ids = new ArrayList<>();
    for (String line : Swak.lines(file)) {
      ids.add(JSON.readTree(line).get("id").asLong()); // every line is a whole record: a torn line fails here
    }
    return ids;
  }

  @Test
  @Order(1)
  void startsInTheBackgroundOverAStalePidFile() throws Exception {
    Process gone = new ProcessBuilder("true").start();
    gone.waitFor();
    Files.createDirectories(data);
    Files.writeString(pidFile, gone.pid() + "\n");

    // started from its own terminal-like session (setsid), which later ends: see the next test
    Path out = dir.resolve("start.out");
    session = new ProcessBuilder("setsid", "bash", "-c", "\"$0\" start \"$1\"; echo \"exit=$?\"; exec sleep 600",
        swak.launcher().toString(), config.toString()).directory(dir.toFile()).redirectErrorStream(true)
        .redirectOutput(out.toFile()).start();
    await().atMost(Duration.ofSeconds(60)).until(() -> Files.readString(out).contains("exit="));
    String printed = Files.readString(out);
    assertThat(printed).contains("removing stale pid file", "swak started: pid", "exit=0");
    supervisorPid = Long.parseLong(Files.readString(pidFile).trim());
    assertThat(supervisorPid).isNotEqualTo(gone.pid());
    assertThat(ProcessHandle.of(supervisorPid)).hasValueSatisfying(p -> assertThat(p.isAlive()).isTrue());

    Swak.Result again = swak.run("start", config.toString()).expect(1);
    assertThat(again.out()).contains("already running (pid " + supervisorPid);
  }

  @Test
  @Order(2)
  void survivesTheEndOfItsTerminalSession() throws Exception {
    long sessionId = session.pid();
    long worker = workerPidOrZero();
    assertThat(sid(supervisorPid)).as("the agent runs in a session of its own").isNotEqualTo(sessionId);
    // what a terminal or ssh logout does to the session's processes (fluent-agent-lite #16)
    Swak.killGroup("HUP", sessionId);
    Swak.killGroup("TERM", sessionId);
    assertThat(session.waitFor(10, java.util.concurrent.TimeUnit.SECONDS)).isTrue();
    session = null;
    assertThat(Swak.running(supervisorPid)).isTrue();
    assertThat(Swak.running(worker)).isTrue();
    assertThat(workerPidOrZero()).isEqualTo(worker);
  }

  private static long sid(long pid) throws IOException {
    String stat = Files.readString(Path.of("/proc/" + pid + "/stat"));
    String[] f = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
    return Long.parseLong(f[3]); // state ppid pgrp session
  }

  @Test
  @Order(3)
  void statusShowsPidUptimeAndTasks() throws Exception {
    Swak.Result r = swak.run("status", config.toString()).expect(0);
    assertThat(r.out()).contains("swak is running: pid " + supervisorPid, "up ", "worker: pid " + workerPidOrZero(),
        "task 1 (steady): running", "task 2 (changing): running", "task 3 (removed): running");
  }

  @Test
  @Order(4)
  void reloadRestartsOnlyTheChangedTasks() throws Exception {
    assertThat(Swak.lines(dir.resolve("steady.log")).size()).as("the steady task must still be running at reload "
        + "for this test to mean anything").isLessThan(STEADY_TOTAL);
    assertThat(Swak.lines(dir.resolve("changing-1.log"))).as("still in the buffer").isEmpty();
    writeConfig(config, List.of(steady(), changing(2), added()));
    Swak.Result r = swak.run("reload", config.toString()).expect(0);
    assertThat(r.out()).contains("reloaded: 1 unchanged, 1 restarted, 1 removed, 1 added");

    await().atMost(Duration.ofSeconds(60)).until(() -> Swak.lines(dir.resolve("steady.log")).size() >= STEADY_TOTAL
        && Swak.lines(dir.resolve("changing-2.log")).size() >= 2000
        && Swak.lines(dir.resolve("added.log")).size() >= 100);
    // the unchanged task was never restarted: each of its events exactly once, none lost
    assertThat(ids(dir.resolve("steady.log"))).containsExactlyElementsOf(
        LongStream.rangeClosed(1, STEADY_TOTAL).boxed().toList());
    // the changed task's old instance stopped gracefully, its buffer delivered: whole records, in order, from 1
    List<Long> before = ids(dir.resolve("changing-1.log"));
    assertThat(before).isNotEmpty().isEqualTo(LongStream.rangeClosed(1, before.size()).boxed().toList());
    assertThat(ids(dir.resolve("changing-2.log"))).hasSize(2000);
    JsonNode st = statusFile();
    List<String> tasks = new ArrayList<>();
    st.get("tasks").forEach(t -> tasks.add(t.get("name").asText()));
    assertThat(tasks).containsExactlyInAnyOrder("steady", "changing", "added");
  }

  @Test
  @Order(5)
  void aBrokenConfigOnSighupIsRejectedAndTheOldOneKeepsRunning() throws Exception {
    String good = Files.readString(config);
    Files.writeString(config, agent() + "- task:\n  - in.NoSuchPlugin: {}\n  - out.Null\n");
    String before = statusFile().path("last_reload").asText();
    Swak.kill("HUP", supervisorPid);
    await().atMost(Duration.ofSeconds(20)).until(() -> !statusFile().path("last_reload").asText().equals(before));
    assertThat(statusFile().path("last_reload").asText()).contains("rejected");
    assertThat(Files.readString(log)).contains("reload rejected", "in.NoSuchPlugin");
    JsonNode st = statusFile();
    assertThat(st.get("tasks")).hasSize(3);
    st.get("tasks").forEach(t -> assertThat(t.get("state").asText()).isEqualTo("running"));

    // the command checks first and does not signal at all
    Swak.Result r = swak.run("reload", config.toString()).expect(1);
    assertThat(r.out()).contains("NoSuchPlugin", "not reloading");
    Files.writeString(config, good);
  }

  @Test
  @Order(6)
  void httpServesHealthStatusAndPrometheusMetrics() throws Exception {
    String base = "http://" + statusFile().get("http").asText();
    HttpClient http = HttpClient.newHttpClient();
    HttpResponse<String> health = http.send(HttpRequest.newBuilder(URI.create(base + "/health")).build(),
        HttpResponse.BodyHandlers.ofString());
    assertThat(health.statusCode()).isEqualTo(200);

    JsonNode api = JSON.readTree(http.send(HttpRequest.newBuilder(URI.create(base + "/api/status")).build(),
        HttpResponse.BodyHandlers.ofString()).body());
    JsonNode steady = api.get("tasks").get(0);
    assertThat(steady.get("task").asText()).isEqualTo("task 1 (steady)");
    assertThat(steady.get("steps").get(1).get("plugin").asText()).isEqualTo("out.File");
    assertThat(steady.get("steps").get(1).get("events_out").asLong()).isEqualTo(STEADY_TOTAL);

    HttpResponse<String> m = http.send(HttpRequest.newBuilder(URI.create(base + "/metrics")).build(),
        HttpResponse.BodyHandlers.ofString());
    assertThat(m.headers().firstValue("Content-Type")).hasValue("text/plain; version=0.0.4; charset=utf-8");
    Map<String, PrometheusTextParser.Family> families = PrometheusTextParser.parse(m.body());
    assertThat(families).containsKeys("swak_events_in_total", "swak_events_out_total", "swak_bytes_out_total",
        "swak_errors_total", "swak_retries_total", "swak_task_up", "swak_info");
    assertThat(families.get("swak_events_out_total").type()).isEqualTo("counter");
    assertThat(families.get("swak_events_out_total").samples()).contains(new PrometheusTextParser.Sample(
        "swak_events_out_total", Map.of("task", "task 1 (steady)", "step", "2", "plugin", "out.File"), STEADY_TOTAL));
    assertThat(families.get("swak_task_up").samples()).hasSize(3)
        .allSatisfy(s -> assertThat(s.value()).isEqualTo(1.0));
  }

  @Test
  @Order(7)
  void usr2ReopensTheLogFileAndUsr1LogsTheStatus() throws Exception {
    Path rotated = log.resolveSibling("swak.log.old");
    Files.move(log, rotated); // what logrotate does before it signals
    Swak.kill("USR2", supervisorPid);
    await().atMost(Duration.ofSeconds(10)).until(() -> Files.exists(log));
    Swak.kill("USR1", supervisorPid);
    await().atMost(Duration.ofSeconds(10)).until(() -> Files.readString(log).contains("task 1 (steady): running"));
    assertThat(Files.readString(log)).contains("SIGUSR1: status");
    assertThat(Files.readString(rotated)).doesNotContain("SIGUSR1");
  }

  @Test
  @Order(8)
  void stopEndsTheAgentAndStatusSaysSo() throws Exception {
    long worker = workerPidOrZero();
    Swak.Result r = swak.run("stop", config.toString()).expect(0);
    assertThat(r.out()).contains("swak stopped (pid " + supervisorPid);
    assertThat(Swak.running(supervisorPid)).isFalse();
    assertThat(Swak.running(worker)).isFalse();
    assertThat(pidFile).doesNotExist();
    assertThat(swak.run("status", config.toString()).expect(3).out()).contains("not running");
    assertThat(swak.run("stop", config.toString()).expect(0).out()).contains("not running");
    assertThat(Files.readString(log)).contains("supervisor: SIGTERM", "stopped with exit code 0");
  }
}
