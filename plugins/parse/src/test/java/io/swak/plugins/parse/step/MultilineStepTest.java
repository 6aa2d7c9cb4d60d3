package io.swak.plugins.parse.step;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import io.swak.api.Batch;
import io.swak.api.BatchBuilder;
import io.swak.api.DataSize;
import io.swak.api.Event;
import io.swak.core.config.ConfigLoader;
import io.swak.core.testing.AgentTestBase;
import io.swak.core.testing.Pipelines;
import io.swak.core.testing.TestContext;
import io.swak.core.testing.TestSink;
import io.swak.support.MultilinePreset;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** The multiline step on batches (with its real timer thread), and behind a real in.FileTail in the runtime. */
class MultilineStepTest extends AgentTestBase {

  static final String TRACE = """
      2026-11-21 14:38:12.345 ERROR [main] request failed
      java.lang.IllegalStateException: no connection
      \tat io.example.Db.query(Db.java:42)
      Caused by: java.net.ConnectException: Connection refused
      \t... 2 more""";

  final TestContext context = new TestContext();
  final List<Batch> emitted = new CopyOnWriteArrayList<>();
  MultilineStep step;

  MultilineStep start(String streamKey, String key, Duration timeout, int maxLines, Pattern start) throws Exception {
    step = new MultilineStep(new MultilinePlugin.Options(key, streamKey, start, null,
        start == null ? MultilinePreset.JAVA : null, timeout, maxLines, DataSize.parse("1MiB"), 100));
    step.start(context);
    step.connect(emitted::add);
    return step;
  }

  @AfterEach
  void closeStep() throws Exception {
    if (step != null) {
      step.close();
    }
  }

  /** A batch of lines, each event {message: line, n: i, and the extra pairs}; its ack counts completions. */
  static Batch lines(String tag, AtomicInteger acked, List<String> lines, Object... extra) {
    BatchBuilder b = new BatchBuilder();
    int i = 0;
    for (String l : lines) {
      Map<String, Object> r = new java.util.LinkedHashMap<>();
      r.put("message", l);
      r.put("n", (long) i);
      for (int k = 0; k < extra.length; k += 2) {
        r.put((String) extra[k], extra[k + 1]);
      }
      b.add(1_000_000_000L * (100 + i++), r);
    }
    return b.build(tag, acked::incrementAndGet);
  }

  static List<Object> messages(List<Batch> batches) {
    return batches.stream().flatMap(b -> b.events().stream()).map(e -> e.record().get("message")).toList();
  }

  @Test
  void aTraceSplitOverBatchesIsJoinedIntoItsFirstEventAndTheBatchesAreAcknowledgedOnlyWhenItIsDelivered()
      throws Exception {
    start(null, "message", Duration.ofMinutes(5), 1000, null);
    List<String> all = TRACE.lines().toList();
    AtomicInteger ack1 = new AtomicInteger();
    AtomicInteger ack2 = new AtomicInteger();
    step.accept(lines("app", ack1, all.subList(0, 3), "host", "h1"), emitted::add);
    assertThat(emitted).isEmpty(); // everything is held
    assertThat(ack1).hasValue(0);
    step.accept(lines("app", ack2, List.of(all.get(3), all.get(4), "2026-11-21 14:38:13.000 INFO [main] next"),
        "host", "h2"), emitted::add);
    assertThat(emitted).hasSize(1);
    Event joined = emitted.get(0).events().get(0);
    assertThat(joined.record()).containsEntry("message", TRACE).containsEntry("host", "h1").containsEntry("n", 0L);
    assertThat(joined.timeNanos()).isEqualTo(100_000_000_000L); // the first line's time
    assertThat(ack1).hasValue(0);
    emitted.get(0).ack().done();
    emitted.get(0).ack().done(); // twice changes nothing
    assertThat(ack1).hasValue(1);
    assertThat(ack2).hasValue(0); // its last line is held: the INFO line begins the next event
    step.close(); // the open group goes on at close
    assertThat(messages(emitted)).containsExactly(TRACE, "2026-11-21 14:38:13.000 INFO [main] next");
    emitted.get(1).ack().done();
    assertThat(ack2).hasValue(1);
  }

  @Test
  void theOpenGroupGoesOnAfterTheFlushTimeoutWithoutAnotherBatch() throws Exception {
    start(null, "message", Duration.ofMillis(100), 1000, null);
    AtomicInteger acked = new AtomicInteger();
    step.accept(lines("app", acked, TRACE.lines().toList()), emitted::add);
    assertThat(emitted).isEmpty();
    await().atMost(Duration.ofSeconds(5)).until(() -> emitted.size() == 1);
    assertThat(messages(emitted)).containsExactly(TRACE);
    assertThat(context.count("multiline_timed_out")).isEqualTo(1);
    emitted.get(0).ack().done();
    assertThat(acked).hasValue(1);
  }

  @Test
  void streamsOfOneTagAreToldApartByStreamKeyAndByTag() throws Exception {
    start("container", "message", Duration.ofMinutes(5), 1000, Pattern.compile("^START"));
    AtomicInteger acked = new AtomicInteger();
    BatchBuilder b = new BatchBuilder();
    String[][] interleaved = {{"a", "START a1"}, {"b", "START b1"}, {"a", " a-cont"}, {"b", " b-cont"},
        {"a", "START a2"}, {"b", "START b2"}};
    for (String[] e : interleaved) {
      b.add(1L, Map.of("container", e[0], "message", e[1]));
    }
    step.accept(b.build("k8s", acked::incrementAndGet), emitted::add);
    step.accept(lines("other", acked, List.of(" not a continuation of k8s")), emitted::add);
    assertThat(messages(emitted)).containsExactly("START a1\n a-cont", "START b1\n b-cont",
        " not a continuation of k8s");
    assertThat(emitted.get(0).tag()).isEqualTo("k8s");
  }

  @Test
  void aGroupOverMaxLinesGoesOnAndItsNextLineBeginsTheNextEventCounted() throws Exception {
    start(null, "message", Duration.ofMinutes(5), 3, Pattern.compile("^S"));
    step.accept(lines("t", new AtomicInteger(), List.of("S x", " 1", " 2", " 3", " 4", "S y")), emitted::add);
    assertThat(messages(emitted)).containsExactly("S x\n 1\n 2", " 3\n 4");
    assertThat(context.count("multiline_split")).isEqualTo(1);
  }

  @Test
  void anEventWithoutTheTextPassesOnAfterItsStreamsOpenGroupAndIsCounted() throws Exception {
    start(null, "message", Duration.ofMinutes(5), 1000, Pattern.compile("^S"));
    BatchBuilder b = new BatchBuilder();
    b.add(1L, Map.of("message", "S one"));
    b.add(2L, Map.of("message", " cont"));
    b.add(3L, Map.of("message", 42L));
    b.add(4L, Map.of("other", "x"));
    b.add(5L, Map.of("message", "S two"));
    step.accept(b.build("t", () -> { }), emitted::add);
    assertThat(emitted).hasSize(1);
    assertThat(emitted.get(0).events()).extracting(Event::record).containsExactly(
        Map.of("message", "S one\n cont"), Map.of("message", 42L), Map.of("other", "x"));
    assertThat(context.count("not_text")).isEqualTo(2);
  }

  @Test
  void aNestedKeyIsJoinedInPlaceAndTheRestOfTheRecordIsKept() throws Exception {
    start(null, "log.text", Duration.ofMinutes(5), 1000, Pattern.compile("^S"));
    BatchBuilder b = new BatchBuilder();
    b.add(1L, Map.of("log", Map.of("text", "S one", "level", "error"), "pod", "p1"));
    b.add(2L, Map.of("log", Map.of("text", " cont", "level", "x"), "pod", "p1"));
    b.add(3L, Map.of("log", Map.of("text", "S two"), "pod", "p1"));
    step.accept(b.build("t", () -> { }), emitted::add);
    assertThat(emitted.get(0).events().get(0).record())
        .isEqualTo(Map.of("log", Map.of("text", "S one\n cont", "level", "error"), "pod", "p1"));
  }

  @Test
  void optionsAreCheckedWhenTheConfigurationLoads() {
    ConfigLoader loader = new ConfigLoader(Pipelines.registry(), Map.of());
    assertThatThrownBy(() -> loader.parse("m.yml", """
        - task:
          - in.TestSource: {name: x}
          - multiline: {preset: java, start: '^x'}
          - out.TestSink: {name: x}
        """)).hasMessageContaining("m.yml:3:").hasMessageContaining("not both");
    assertThatThrownBy(() -> loader.parse("m.yml", """
        - task:
          - in.TestSource: {name: x}
          - multiline: {preset: python, stream_key: 'a..b'}
          - out.TestSink: {name: x}
        """)).hasMessageContaining("two dots in a row");
    assertThatThrownBy(() -> loader.parse("m.yml", """
        - task:
          - in.TestSource: {name: x}
          - multiline: {start: '^(x'}
          - out.TestSink: {name: x}
        """)).hasMessageContaining("m.yml:3:").hasMessageContaining("Unclosed group");
  }

  @Test
  void behindInFileTailTwoFilesTracesAreJoinedPerFileTheLastByTheTimeoutAndNothingIsReadAgainAfterARestart()
      throws Exception {
    Path a = dir.resolve("a.log");
    Path b = dir.resolve("b.log");
    Files.writeString(a, TRACE + "\n");
    Files.writeString(b, "plain b line\n" + TRACE.replace("main", "b") + "\n");
    String yaml = """
        - task:
          - in.FileTail: {path: "${DIR}/*.log", read_from_head: true, tag: app, path_key: file}
          - multiline: {preset: java, stream_key: file, flush_timeout: 300ms}
          - out.TestSink: {name: %s}
        """.formatted(id);
    start(yaml);
    TestSink.State sink = TestSink.state(id);
    await().atMost(Duration.ofSeconds(20)).until(() -> sink.received.size() == 3);
    assertThat(sink.received).extracting(e -> e.record().get("message"))
        .containsExactlyInAnyOrder(TRACE, "plain b line", TRACE.replace("main", "b"));
    assertThat(sink.received).filteredOn(e -> e.record().get("message").equals(TRACE))
        .extracting(e -> e.record().get("file")).containsExactly(a.toString());
    agent.stop();
    agent = null;
    Files.writeString(a, "2026-11-21 14:40:00.000 INFO [main] after the restart\n", StandardOpenOption.APPEND);
    start(yaml);
    await().atMost(Duration.ofSeconds(20)).until(() -> sink.received.size() == 4);
    assertThat(sink.received.get(3).record()).containsEntry("message",
        "2026-11-21 14:40:00.000 INFO [main] after the restart");
  }
}
