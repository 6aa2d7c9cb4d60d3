package io.swak.plugins.exec;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import io.swak.api.Event;
import io.swak.core.config.ConfigLoader;
import io.swak.core.runtime.PositionStore;
import io.swak.core.testing.AgentTestBase;
import io.swak.core.testing.Pipelines;
import io.swak.core.testing.TestSink;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.stream.LongStream;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.condition.EnabledOnOs;
import org.junit.jupiter.api.condition.OS;

/**
 * in.Journald on real journal files (written by systemd-journal-remote, read by the machine's journalctl):
 * fields, binary values and times as the journal has them, the unit/priority/match filters, the first start,
 * and a journalctl that keeps exiting.
 */
@EnabledOnOs(OS.LINUX)
class JournaldTest extends AgentTestBase {

  private static final Duration PATIENCE = Duration.ofSeconds(20);

  private Journal journal;

  @BeforeEach
  void journal() throws Exception {
    Journal.journalctl();
    Journal.remote();
    journal = new Journal(Files.createDirectories(dir.resolve("journal")).resolve("test.journal"));
  }

  @Test
  void entriesArriveWithTheirFieldsTimesAndBinaryValuesAsTheJournalHasThem() throws Exception {
    byte[] binary = {'a', 1, 'b', '\n', (byte) 0xff};
    long before = System.currentTimeMillis();
    journal.append(List.of(
        Journal.entry("hello", "_SYSTEMD_UNIT", "web.service", "PRIORITY", "6", "_PID", "42", "SYSLOG_IDENTIFIER",
            "web"),
        Journal.entry("two\nlines", "TAGS", List.of("x", "y")),
        Map.of("MESSAGE", binary, "_SYSTEMD_UNIT", "raw.service")));
    start(sink("in.Journald: {file: \"" + journal.file + "\", read_from_head: true, tag: j}"));
    await().atMost(PATIENCE).until(() -> TestSink.state(id).received.size() >= 3);
    List<Event> got = TestSink.state(id).received;
    assertThat(got).extracting(Event::tag).containsOnly("j");
    Map<String, Object> first = got.get(0).record();
    assertThat(first).containsEntry("message", "hello").containsEntry("_SYSTEMD_UNIT", "web.service")
        .containsEntry("PRIORITY", "6").containsEntry("_PID", "42").containsEntry("SYSLOG_IDENTIFIER", "web")
        .containsKeys("__MONOTONIC_TIMESTAMP", "_BOOT_ID")
        .doesNotContainKeys("__CURSOR", "__REALTIME_TIMESTAMP", "MESSAGE");
    // the event time is the entry's __REALTIME_TIMESTAMP (µs), not the time it was read
    assertThat(got.get(0).timeNanos() / 1_000_000).isBetween(before, System.currentTimeMillis());
    assertThat(got.get(1).timeNanos() - got.get(0).timeNanos()).isEqualTo(1000); // 1 µs apart as written
    assertThat(got.get(1).record()).containsEntry("message", "two\nlines").containsEntry("TAGS", List.of("x", "y"));
    assertThat(got.get(2).record().get("message")).isEqualTo(binary);
  }

  @Test
  void unitsPriorityAndMatchesChooseTheEntries() throws Exception {
    journal.append(List.of(
        Journal.entry("a-err", "_SYSTEMD_UNIT", "a.service", "PRIORITY", "3", "_COMM", "a"),
        Journal.entry("a-info", "_SYSTEMD_UNIT", "a.service", "PRIORITY", "6", "_COMM", "a"),
        Journal.entry("b-crit", "_SYSTEMD_UNIT", "b.service", "PRIORITY", "2", "_COMM", "b"),
        Journal.entry("c-err", "_SYSTEMD_UNIT", "c.service", "PRIORITY", "3", "_COMM", "c"),
        Journal.entry("kernel", "_TRANSPORT", "kernel", "PRIORITY", "4")));
    start("""
        - task:
          - in.Journald: {directory: "%s", read_from_head: true, units: [a.service, b.service], priority: err}
          - out.TestSink: {name: %s-units}
        - task:
          - in.Journald: {directory: "%s", read_from_head: true, matches: [_COMM=c, +, _TRANSPORT=kernel]}
          - out.TestSink: {name: %s-matches}
        - task:
          - in.Journald: {directory: "%s", read_from_head: true, fields: [MESSAGE, _COMM]}
          - out.TestSink: {name: %s-fields}
        """.formatted(journal.file.getParent(), id, journal.file.getParent(), id, journal.file.getParent(), id));
    await().atMost(PATIENCE).until(() -> TestSink.state(id + "-units").received.size() >= 2
        && TestSink.state(id + "-matches").received.size() >= 2);
    // a later entry would show a filter that lets too much through
    journal.append(List.of(Journal.entry("a-err-2", "_SYSTEMD_UNIT", "a.service", "PRIORITY", "3", "_COMM", "a")));
    await().atMost(PATIENCE).until(() -> TestSink.state(id + "-units").received.size() >= 3);
    assertThat(messages(id + "-units")).containsExactly("a-err", "b-crit", "a-err-2");
    assertThat(messages(id + "-matches")).containsExactly("c-err", "kernel");
    // --output-fields: the fields asked for, and the ones journalctl always writes (the time is the event's)
    await().atMost(PATIENCE).until(() -> TestSink.state(id + "-fields").received.size() >= 6);
    assertThat(TestSink.state(id + "-fields").received.get(0).record())
        .containsOnlyKeys("message", "_COMM", "__MONOTONIC_TIMESTAMP", "_BOOT_ID").containsEntry("_COMM", "a");
  }

  @Test
  void aFirstStartWithoutReadFromHeadSkipsTheOldEntriesButNotThoseWrittenWhileStopped() throws Exception {
    journal.appendEvents(1, 5);
    Path pos = dir.resolve("pos");
    String yaml = sink("in.Journald: {file: \"" + journal.file + "\", pos_dir: \"" + pos + "\"}");
    start(yaml);
    // "from now on" is from when the input started: it saved the cursor of the last entry then
    await().atMost(PATIENCE).until(() -> PositionStore.read(pos).containsKey("cursor"));
    journal.appendEvents(6, 2);
    await().atMost(PATIENCE).until(() -> TestSink.state(id).received.size() >= 2);
    agent.stop();
    journal.appendEvents(8, 3); // while the agent is down
    start(yaml);
    journal.appendEvents(11, 1);
    await().atMost(PATIENCE).until(() -> TestSink.state(id).received.size() >= 6);
    assertThat(messages(id)).containsExactlyElementsOf(LongStream.rangeClosed(6, 11).mapToObj(i -> "event " + i)
        .toList());
  }

  @Test
  void aJournalctlThatExitsIsStartedAgainAfterTheLastEntryRead() throws Exception {
    // a journalctl that prints what is there and exits, as one that lost its journal would: each start must
    // go on after the last entry read, or entries repeat or go missing
    Path calls = dir.resolve("calls.log");
    Path wrapper = dir.resolve("journalctl-once.sh");
    Files.writeString(wrapper, "#!/bin/bash\nargs=()\nfor a in \"$@\"; do [[ $a == --follow ]] || args+=(\"$a\"); "
        + "done\necho \"$*\" >> " + calls + "\nexec " + Journal.journalctl() + " \"${args[@]}\"\n");
    Files.setPosixFilePermissions(wrapper, PosixFilePermissions.fromString("rwxr-xr-x"));
    journal.appendEvents(1, 30);
    start(sink("in.Journald: {file: \"" + journal.file + "\", read_from_head: true, journalctl: \"" + wrapper
        + "\", restart_wait: 20ms, restart_max_wait: 50ms}"));
    await().atMost(PATIENCE).until(() -> TestSink.state(id).received.size() >= 30);
    journal.appendEvents(31, 20);
    await().atMost(PATIENCE).until(() -> TestSink.state(id).received.size() >= 50);
    assertThat(messages(id)).containsExactlyElementsOf(LongStream.rangeClosed(1, 50).mapToObj(i -> "event " + i)
        .toList());
    List<String> started = Files.readAllLines(calls, StandardCharsets.UTF_8);
    assertThat(started.size()).isGreaterThanOrEqualTo(2);
    assertThat(started.get(0)).doesNotContain("--after-cursor").contains("--lines=all");
    assertThat(started.get(started.size() - 1)).contains("--after-cursor=s=").contains("--lines=all");
    assertThat(agent.tasks().get(0).counters().get(0).snapshot().get("restarts")).isGreaterThanOrEqualTo(2L);
  }

  @Test
  void linesThatAreNotJournalEntriesAreKeptAndCountedAHugeEntryIsCutAndABadCursorIsNotFatal() throws Exception {
    // a journalctl that misbehaves: garbage, a line cut short, a huge entry, then a good one, then it waits
    Path wrapper = dir.resolve("journalctl-garbage.sh");
    Files.writeString(wrapper, "#!/bin/sh\n"
        + "echo 'not json at all'\n"
        + "echo '{\"MESSAGE\":\"cut sh'\n"
        + "printf '{\"MESSAGE\":\"%s\",\"__CURSOR\":\"big\"}\\n' \"$(head -c 5000 /dev/zero | tr '\\0' x)\"\n"
        + "echo '{\"MESSAGE\":\"ok\",\"__CURSOR\":\"c1\",\"__REALTIME_TIMESTAMP\":\"1700000000000001\"}'\n"
        + "exec sleep 300\n");
    Files.setPosixFilePermissions(wrapper, PosixFilePermissions.fromString("rwxr-xr-x"));
    Path pos = dir.resolve("pos");
    start(sink("in.Journald: {read_from_head: true, journalctl: \"" + wrapper + "\", max_entry_size: 1KiB, "
        + "pos_dir: \"" + pos + "\"}"));
    await().atMost(PATIENCE).until(() -> TestSink.state(id).received.size() >= 4);
    List<Object> got = messages(id);
    assertThat(got.get(0)).isEqualTo("not json at all");
    assertThat(got.get(1)).isEqualTo("{\"MESSAGE\":\"cut sh");
    assertThat((String) got.get(2)).hasSize(1024).startsWith("{\"MESSAGE\":\"xxx"); // cut, kept as it came
    assertThat(got.get(3)).isEqualTo("ok");
    assertThat(TestSink.state(id).received.get(3).timeNanos()).isEqualTo(1_700_000_000_000_001_000L);
    Map<String, Long> counters = agent.tasks().get(0).counters().get(0).snapshot();
    assertThat(counters.get("invalid_lines")).isEqualTo(3L);
    assertThat(counters.get("lines_truncated")).isEqualTo(1L);
    // the cursor saved is the good entry's: nothing else had one
    await().atMost(PATIENCE).until(() -> "c1".equals(PositionStore.read(pos).get("cursor")));

    // the real journalctl cannot seek to "c1": rather than fail every start, the journal is read from its start
    agent.stop();
    TestSink.state(id).received.clear();
    journal.appendEvents(1, 3);
    start(sink("in.Journald: {file: \"" + journal.file + "\", pos_dir: \"" + pos + "\", restart_wait: 20ms}"));
    await().atMost(PATIENCE).until(() -> TestSink.state(id).received.size() >= 3);
    assertThat(messages(id)).containsExactly("event 1", "event 2", "event 3");
    assertThat(agent.tasks().get(0).counters().get(0).snapshot().get("cursor_rejected")).isEqualTo(1L);
    await().atMost(PATIENCE).until(() -> PositionStore.read(pos).get("cursor").startsWith("s="));
  }

  @Test
  void badOptionsAreConfigErrors() {
    assertThatThrownBy(() -> parse("{priority: loud}")).hasMessageContaining("option `priority` must be a level");
    assertThatThrownBy(() -> parse("{matches: [unit=x]}")).hasMessageContaining("'unit=x' is not FIELD=value");
    assertThatThrownBy(() -> parse("{directory: /a, files: [/b]}")).hasMessageContaining("exclude each other");
  }

  private String sink(String step) {
    return """
        - task:
          - %s
          - out.TestSink: {name: %s}
        """.formatted(step, id);
  }

  private static List<Object> messages(String sink) {
    return TestSink.state(sink).received.stream().map(e -> e.record().get("message")).toList();
  }

  private static void parse(String options) throws Exception {
    new ConfigLoader(Pipelines.registry(), Map.of()).parse("t.yml",
        "- task:\n  - in.Journald: " + options + "\n  - out.Null\n");
  }
}
