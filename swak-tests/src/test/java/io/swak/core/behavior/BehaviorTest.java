package io.swak.core.behavior;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.fail;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import io.swak.api.BatchBuilder;
import io.swak.api.Durations;
import io.swak.core.config.AgentConfig;
import io.swak.core.config.ConfigLoader;
import io.swak.core.config.PluginRegistry;
import io.swak.core.runtime.Agent;
import io.swak.core.runtime.StepCounters;
import io.swak.core.runtime.Task;
import java.io.IOException;
import java.io.InputStream;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.channels.FileChannel;
import java.nio.charset.Charset;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import java.util.zip.GZIPInputStream;
import org.awaitility.core.ConditionTimeoutException;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.TestFactory;
import org.junit.jupiter.api.io.TempDir;

/**
 * Runs every {@code src/test/resources/behavior/*.yaml} case, in the spirit of Vector's behaviour
 * tests: a real config, real files, real sockets on 127.0.0.1, the real agent with the real plugins,
 * and the output files compared with what the case expects. One user-visible behaviour is one file.
 * A case is:
 *
 * <pre>
 * name: what it shows, as a sentence
 * known_failure: "why"        # optional: documents a bug in Swak. Reported as skipped with this reason
 *                             # while the case fails; once it passes the test fails: remove the mark
 * timeout: 20s                # optional: how long each wait and expectation may take (default 20s)
 * files: {input.log: "line\n"}   # written (UTF-8) under ${DIR} before the agents start
 * receiver: |                 # optional: a second agent (its own data dir), started first; a
 *   - task: …                 #   destination that steps can stop and start again
 * config: |                   # the agent. ${DIR} is the case's temporary directory; ${PORT_1} …
 *   - task: …                 #   ${PORT_9} (anywhere in the case) are free 127.0.0.1 ports
 * steps:                      # optional, run in order once every task of both agents runs
 *   - append: {file: a.log, text: "x\n", encoding: x-windows-949}   # encoding optional (UTF-8)
 *   - append: {file: a.log, seq: [1, 100]}   # the lines {"seq":1} … {"seq":100}
 *   - append: {file: a.log, text: "x", repeat: 1000}   # the text 1000 times (a long line); with
 *                             #   encoding: iso-8859-1, "\u00ff" is the byte 0xFF (invalid UTF-8)
 *   - rename: {from: a.log, to: a.log.1}     # rotation by rename
 *   - truncate: a.log                        # to 0 bytes, as copytruncate does
 *   - delete: a.log
 *   - wait: {file: out.log, count: 10}       # until it has at least 10 lines (gzip: true if so)
 *   - wait: {counter: events_in, task: 1, step: 2, value: 10}   # until the counter is at least 10
 *   - send: {port: ${PORT_1}, json: '["tag", 1700000000, {"a": 1}, {"chunk": "c1"}]', ack: c1}
 *                             # JSON messages written to an in.Forward; with ack (one id or a list):
 *                             # waits for the {"ack": id} replies
 *   - send: {port: ${PORT_1}, text: "a line\n"}   # any text, e.g. lines for an in.Tcp
 *   - stop / start / restart  # the agent, with the same data dir: checkpoints and buffers survive
 *   - stop_receiver / start_receiver
 *   - expect: [ … ]           # expectations (as below) checked at this point
 * expect:                     # waited for (up to timeout) while the agents run, in order
 *   - file: out.log           # under ${DIR}
 *     gzip: false             # optional
 *     lines: ["exact line", {a: 1}]   # exact content, in order (JSON lines compare as JSON)
 *     count: 5                # number of lines
 *     same_as: copy.log       # the same lines as another file, in order
 *     unique: true            # no line twice (write raw or record lines: a JSON line has its time)
 *     ordered_by: seq         # this field of each JSON line's record never goes down
 *     each_has: [name, email] # fields every JSON line's record (or line) must have
 *     each_matches: 'regex'   # found in every line
 *   - counter: dead_lettered  # a step's counter or gauge (status' names) is exactly value; one never
 *                             #   counted reads 0, so expect 0 of a file rather than of a counter
 *     task: 1                 # 1-based, in the agent (agent: receiver for the other one)
 *     step: 2                 # 1-based; child: "out.File #1" for an output nested in failover
 *     value: 3
 *   - {file: out.log, count: 3, at_once: true}   # checked once, now, without waiting
 *   - {restarts: 0, task: 1}  # how many times a failure restarted the task (agent: as for counters)
 * </pre>
 *
 * <p>A file's lines are those ended by a newline (a line still being written does not count yet).
 * After the expectations held, the agents are stopped and every file expectation is checked once
 * more: what a stop flushes counts too, so a line delivered again at the end is caught. Waits use
 * Awaitility, never a sleep. System properties: {@code behavior.only} runs the cases whose file name
 * contains it, {@code behavior.dir} reads the cases from another directory, {@code behavior.timeout}
 * overrides every case's timeout (e.g. 3s, to see broken copies of the cases fail quickly).
 */
class BehaviorTest {

  private static final ObjectMapper YAML = new ObjectMapper(new YAMLFactory());
  private static final ObjectMapper JSON = new ObjectMapper()
      .enable(com.fasterxml.jackson.databind.DeserializationFeature.FAIL_ON_TRAILING_TOKENS);
  private static final Pattern PORT = Pattern.compile("\\$\\{PORT_(\\d+)}");
  private static final Duration POLL = Duration.ofMillis(50);

  @TempDir
  Path temp;

  @TestFactory
  Stream<DynamicTest> cases() throws IOException {
    Path dir = Path.of(System.getProperty("behavior.dir", "src/test/resources/behavior"));
    String only = System.getProperty("behavior.only", "");
    List<Path> files;
    try (Stream<Path> s = Files.list(dir)) {
      files = s.filter(p -> p.toString().endsWith(".yaml") && p.getFileName().toString().contains(only))
          .sorted().toList();
    }
    assertThat(files).isNotEmpty();
    return files.stream().map(f -> DynamicTest.dynamicTest(f.getFileName().toString(), () -> run(f)));
  }

  private void run(Path caseFile) throws Throwable {
    String name = caseFile.getFileName().toString().replace(".yaml", "");
    Case c = new Case(caseFile, Files.createDirectories(temp.resolve(name)));
    if (c.knownFailure == null) {
      c.run();
      return;
    }
    try {
      c.run();
    } catch (AssertionError | ConditionTimeoutException e) {
      String why = String.valueOf(e.getMessage()).strip().lines().findFirst().orElse("");
      Assumptions.abort("known failure: " + c.knownFailure + " — " + why);
    }
    fail("%s is marked known_failure (%s) but passes now: remove the mark", name, c.knownFailure);
  }

  /** One case being run: its agents, its directory, its steps and expectations. */
  private static final class Case {
    final JsonNode spec;
    final Path dir;
    final String knownFailure;
    final Duration timeout;
    final Map<String, Running> agents = new LinkedHashMap<>();

    Case(Path file, Path dir) throws Exception {
      this.dir = dir;
      String text = Files.readString(file, StandardCharsets.UTF_8);
      Map<String, String> ports = new HashMap<>();
      Matcher m = PORT.matcher(text);
      while (m.find()) {
        ports.computeIfAbsent(m.group(), k -> String.valueOf(freePort(ports.values())));
      }
      for (Map.Entry<String, String> e : ports.entrySet()) {
        text = text.replace(e.getKey(), e.getValue());
      }
      this.spec = YAML.readTree(text);
      this.knownFailure = spec.hasNonNull("known_failure") ? spec.get("known_failure").asText() : null;
      this.timeout = Durations.parse(System.getProperty("behavior.timeout", spec.path("timeout").asText("20s")));
      Map<String, String> env = new HashMap<>(System.getenv());
      env.put("DIR", dir.toString());
      ConfigLoader loader = new ConfigLoader(PluginRegistry.builtIn(), env);
      if (spec.has("receiver")) {
        agents.put("receiver", new Running(loader.parse(file + " (receiver)", spec.get("receiver").asText()),
            dir.resolve("receiver-data")));
      }
      agents.put("main", new Running(loader.parse(file.toString(), spec.get("config").asText()), dir.resolve("data")));
    }

    void run() throws Throwable {
      Iterator<Map.Entry<String, JsonNode>> inputs = spec.path("files").fields();
      while (inputs.hasNext()) {
        var e = inputs.next();
        Path p = dir.resolve(e.getKey());
        Files.createDirectories(p.getParent());
        Files.writeString(p, e.getValue().asText(), StandardCharsets.UTF_8);
      }
      boolean held = false;
      try {
        for (Running a : agents.values()) {
          a.start();
        }
        for (JsonNode step : spec.path("steps")) {
          step(step);
        }
        expect(spec.path("expect"));
        held = true;
      } finally {
        List<String> late = stopAll();
        if (held) { // else the failure that brought us here is the one to report
          assertThat(late).as("agents that did not stop within their shutdown_timeout").isEmpty();
        }
      }
      // stopped: what the stop flushed is in the files now, and nothing more comes
      for (JsonNode exp : spec.path("expect")) {
        if (exp.has("file")) {
          checkFile(exp, "after the agents stopped");
        }
      }
    }

    /** Stops the agent, then the receiver; returns those that did not stop in time. */
    private List<String> stopAll() throws InterruptedException {
      List<String> late = new ArrayList<>();
      for (String n : List.of("main", "receiver")) {
        Running a = agents.get(n);
        if (a != null && !a.stop()) {
          late.add(n);
        }
      }
      return late;
    }

    private void step(JsonNode step) throws Throwable {
      String action = step.isTextual() ? step.asText() : step.fieldNames().next();
      JsonNode arg = step.isTextual() ? JSON.nullNode() : step.get(action);
      switch (action) {
        case "append" -> append(arg);
        case "rename" -> Files.move(dir.resolve(arg.get("from").asText()), dir.resolve(arg.get("to").asText()),
            StandardCopyOption.ATOMIC_MOVE);
        case "truncate" -> {
          try (FileChannel ch = FileChannel.open(dir.resolve(arg.asText()), StandardOpenOption.WRITE)) {
            ch.truncate(0);
          }
        }
        case "delete" -> Files.delete(dir.resolve(arg.asText()));
        case "wait" -> waitStep(arg);
        case "send" -> send(arg);
        case "stop" -> assertThat(agent("main").stop()).as("the agent stopped within its shutdown_timeout").isTrue();
        case "start" -> agent("main").start();
        case "restart" -> {
          assertThat(agent("main").stop()).as("the agent stopped within its shutdown_timeout").isTrue();
          agent("main").start();
        }
        case "stop_receiver" -> assertThat(agent("receiver").stop()).as("the receiver stopped in time").isTrue();
        case "start_receiver" -> agent("receiver").start();
        case "expect" -> expect(arg);
        default -> throw new IllegalArgumentException("unknown step `" + action + "` in " + step);
      }
    }

    private Running agent(String name) {
      Running a = agents.get(name);
      if (a == null) {
        throw new IllegalArgumentException("this case has no " + name);
      }
      return a;
    }

    private void append(JsonNode arg) throws IOException {
      Path p = dir.resolve(arg.get("file").asText());
      String text;
      if (arg.has("seq")) {
        StringBuilder sb = new StringBuilder();
        for (long i = arg.get("seq").get(0).asLong(); i <= arg.get("seq").get(1).asLong(); i++) {
          sb.append("{\"seq\":").append(i).append("}\n");
        }
        text = sb.toString();
      } else {
        text = arg.get("text").asText().repeat(arg.path("repeat").asInt(1));
      }
      Charset cs = arg.has("encoding") ? Charset.forName(arg.get("encoding").asText()) : StandardCharsets.UTF_8;
      Files.createDirectories(p.toAbsolutePath().getParent());
      Files.write(p, text.getBytes(cs), StandardOpenOption.CREATE, StandardOpenOption.APPEND);
    }

    private void waitStep(JsonNode arg) {
      if (arg.has("file")) {
        Path p = dir.resolve(arg.get("file").asText());
        boolean gzip = arg.path("gzip").asBoolean(false);
        int n = arg.get("count").asInt();
        waitFor(() -> assertThat(read(p, gzip).size()).as("lines in %s", p.getFileName())
            .isGreaterThanOrEqualTo(n));
      } else {
        long n = arg.get("value").asLong();
        waitFor(() -> assertThat(counter(arg)).as("counter %s", arg).isGreaterThanOrEqualTo(n));
      }
    }

    /** Writes JSON messages to an in.Forward; waits for the acks asked for. */
    private void send(JsonNode arg) throws IOException {
      Set<String> acks = new HashSet<>();
      if (arg.has("ack")) {
        if (arg.get("ack").isArray()) {
          arg.get("ack").forEach(a -> acks.add(a.asText()));
        } else {
          acks.add(arg.get("ack").asText());
        }
      }
      try (Socket s = new Socket()) {
        s.connect(new InetSocketAddress(InetAddress.getLoopbackAddress(), arg.get("port").asInt()), 5000);
        s.setSoTimeout((int) timeout.toMillis());
        s.getOutputStream().write(arg.get(arg.has("text") ? "text" : "json").asText().getBytes(StandardCharsets.UTF_8));
        s.getOutputStream().flush();
        InputStream in = s.getInputStream();
        Set<String> got = new HashSet<>();
        while (got.size() < acks.size()) {
          // {"ack": id}: a fixmap of one, the key "ack", the id as the str it was sent as
          byte[] head = in.readNBytes(6);
          assertThat(head).as("an ack reply from port %s", arg.get("port")).hasSize(6);
          assertThat(java.util.Arrays.copyOf(head, 5)).isEqualTo(new byte[] {(byte) 0x81, (byte) 0xa3, 'a', 'c', 'k'});
          int h = head[5] & 0xff;
          int len = (h & 0xe0) == 0xa0 ? h & 0x1f : h == 0xd9 ? in.read() : -1;
          assertThat(len).as("ack id header %s", Integer.toHexString(h)).isNotNegative();
          got.add(new String(in.readNBytes(len), StandardCharsets.UTF_8));
        }
        assertThat(got).as("acks received").isEqualTo(acks);
      }
    }

    private void expect(JsonNode list) throws Throwable {
      for (JsonNode exp : list) {
        org.awaitility.core.ThrowingRunnable check;
        if (exp.has("file")) {
          check = () -> checkFile(exp, "while running");
        } else if (exp.has("counter")) {
          long want = exp.get("value").asLong();
          check = () -> assertThat(counter(exp)).as("counter %s", exp).isEqualTo(want);
        } else if (exp.has("restarts")) {
          int want = exp.get("restarts").asInt();
          check = () -> assertThat(agent(exp.path("agent").asText("main")).agent.tasks()
              .get(exp.path("task").asInt(1) - 1).restarts()).as("restarts %s", exp).isEqualTo(want);
        } else {
          throw new IllegalArgumentException("an expectation needs `file`, `counter` or `restarts`: " + exp);
        }
        if (exp.path("at_once").asBoolean(false)) {
          check.run();
        } else {
          waitFor(check);
        }
      }
    }

    private void waitFor(org.awaitility.core.ThrowingRunnable check) {
      await().atMost(timeout).pollInterval(POLL).pollDelay(Duration.ZERO).untilAsserted(check);
    }

    private void checkFile(JsonNode exp, String when) throws IOException {
      Path out = dir.resolve(exp.get("file").asText());
      boolean gzip = exp.path("gzip").asBoolean(false);
      List<String> lines = read(out, gzip);
      String what = exp.get("file").asText() + " " + when;
      boolean sized = false;
      if (exp.has("lines")) {
        List<String> want = new ArrayList<>();
        exp.get("lines").forEach(l -> want.add(l.isTextual() ? l.asText() : l.toString()));
        assertThat(normalise(lines)).as(what).containsExactlyElementsOf(normalise(want));
        sized = true;
      }
      if (exp.has("count")) {
        assertThat(lines).as(what).hasSize(exp.get("count").asInt());
        sized = true;
      }
      if (exp.has("same_as")) {
        Path other = dir.resolve(exp.get("same_as").asText());
        assertThat(normalise(lines)).as("%s, the same as %s", what, other.getFileName())
            .isNotEmpty().containsExactlyElementsOf(normalise(read(other, false)));
        sized = true;
      }
      if (!sized) {
        assertThat(lines).as(what).isNotEmpty();
      }
      if (exp.path("unique").asBoolean(false)) {
        Map<String, Integer> seen = new TreeMap<>();
        normalise(lines).forEach(l -> seen.merge(l, 1, Integer::sum));
        seen.values().removeIf(n -> n == 1);
        assertThat(seen).as("%s: lines that came more than once (line → times)", what).isEmpty();
      }
      if (exp.has("ordered_by")) {
        String field = exp.get("ordered_by").asText();
        double before = Double.NEGATIVE_INFINITY;
        for (String line : lines) {
          JsonNode v = record(line).get(field);
          assertThat(v).as("%s: %s has %s", what, line, field).isNotNull();
          assertThat(v.asDouble()).as("%s: %s after %s %s", what, line, field, before).isGreaterThanOrEqualTo(before);
          before = v.asDouble();
        }
      }
      for (JsonNode field : exp.path("each_has")) {
        for (String line : lines) {
          assertThat(record(line).has(field.asText())).as("%s: %s has %s", what, line, field.asText()).isTrue();
        }
      }
      if (exp.has("each_matches")) {
        Pattern p = Pattern.compile(exp.get("each_matches").asText());
        for (String line : lines) {
          assertThat(p.matcher(line).find()).as("%s: %s matches %s", what, line, p).isTrue();
        }
      }
    }

    /** A step's counter or gauge: {agent, task, step, child, counter}. */
    private long counter(JsonNode c) {
      Agent a = agent(c.path("agent").asText("main")).agent;
      Task t = a.tasks().get(c.path("task").asInt(1) - 1);
      StepCounters sc = t.counters().get(c.get("step").asInt() - 1);
      if (c.has("child")) {
        sc = sc.children().get(c.get("child").asText());
        assertThat(sc).as("nested step %s (there are %s)", c.get("child").asText(),
            t.counters().get(c.get("step").asInt() - 1).children().keySet()).isNotNull();
      }
      String name = c.get("counter").asText();
      Long v = sc.snapshot().get(name);
      if (v == null) {
        v = sc.gauges().get(name);
      }
      return v == null ? 0 : v;
    }
  }

  /** An agent of a case: started and stopped as a whole, each start a new Agent on the same data dir. */
  private static final class Running {
    final AgentConfig config;
    final Path data;
    Agent agent;
    boolean running;

    Running(AgentConfig config, Path data) {
      this.config = config;
      this.data = data;
    }

    void start() {
      assertThat(running).as("started twice").isFalse();
      agent = new Agent(config, data, Clock.systemUTC());
      agent.start();
      running = true;
      // inputs make their first scan, bind their ports, … before they count as running
      Agent a = agent;
      await().atMost(Duration.ofSeconds(10)).pollInterval(Duration.ofMillis(10))
          .until(() -> a.tasks().stream().allMatch(t -> t.state().equals("running")));
    }

    /** True when every task stopped within the shutdown timeout (or it was not running). */
    boolean stop() throws InterruptedException {
      if (!running) {
        return true;
      }
      running = false;
      return agent.stop();
    }
  }

  /** A port free on 127.0.0.1 for TCP and UDP (in.Forward answers heartbeats on both), not in {@code taken}. */
  private static int freePort(java.util.Collection<String> taken) {
    for (int i = 0; i < 50; i++) {
      try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress());
          DatagramSocket d = new DatagramSocket(new InetSocketAddress(InetAddress.getLoopbackAddress(),
              s.getLocalPort()))) {
        if (!taken.contains(String.valueOf(s.getLocalPort()))) {
          return s.getLocalPort();
        }
      } catch (IOException e) {
        // the UDP port is taken: another one
      }
    }
    throw new IllegalStateException("no free port on 127.0.0.1");
  }

  /** The record of a JSON line ({@code record} of a json-format line), or the line's JSON itself. */
  private static JsonNode record(String line) {
    try {
      JsonNode n = JSON.readTree(line);
      return n.has("record") ? n.get("record") : n;
    } catch (IOException e) {
      throw new AssertionError("not a JSON line: " + line, e);
    }
  }

  /** JSON lines compare as JSON (key order and spacing aside); other lines as text. */
  private static List<String> normalise(List<String> lines) {
    List<String> out = new ArrayList<>();
    for (String l : lines) {
      try {
        out.add(l.startsWith("{") || l.startsWith("[") ? JSON.readTree(l).toString() : l);
      } catch (IOException e) {
        out.add(l);
      }
    }
    return out;
  }

  private static List<String> read(Path p, boolean gzip) throws IOException {
    if (!Files.exists(p)) {
      return List.of();
    }
    byte[] bytes;
    if (gzip) {
      try (InputStream in = new GZIPInputStream(Files.newInputStream(p))) {
        bytes = in.readAllBytes();
      } catch (java.io.EOFException e) {
        return List.of(); // being written: the member is not finished yet
      }
    } else {
      bytes = Files.readAllBytes(p);
    }
    String s = new String(bytes, StandardCharsets.UTF_8);
    if (s.isEmpty()) {
      return List.of();
    }
    List<String> lines = new ArrayList<>(List.of(s.split("\n", -1)));
    lines.remove(lines.size() - 1); // after the last newline: empty, or a line being written
    return lines;
  }
}
