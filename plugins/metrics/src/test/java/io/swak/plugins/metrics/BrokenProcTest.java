package io.swak.plugins.metrics;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import io.swak.api.Event;
import io.swak.core.config.ConfigException;
import io.swak.core.testing.AgentTestBase;
import io.swak.core.testing.Pipelines;
import io.swak.core.testing.TestSink;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * A proc_root whose files are not what the kernel writes (a broken copy, garbage, a huge line): each broken part is
 * an error that names the file, counted, and the parts that can be read keep being reported.
 */
class BrokenProcTest extends AgentTestBase {

  private Path proc;

  private List<Event> of(String tag) {
    return TestSink.state(id).received.stream().filter(e -> e.tag().equals(tag)).toList();
  }

  private Map<String, Long> counters() {
    return agent.tasks().get(0).counters().get(0).snapshot();
  }

  /** A copy of the real files the collectors read, to break some of. */
  private void copyProc() throws Exception {
    proc = dir.resolve("proc");
    Files.createDirectories(proc.resolve("net"));
    Files.createDirectories(proc.resolve("self"));
    for (String f : List.of("stat", "meminfo", "loadavg", "diskstats", "net/dev", "net/tcp", "self/mounts")) {
      Files.write(proc.resolve(f), Files.readAllBytes(Path.of("/proc", f)));
    }
  }

  @Test
  void brokenFilesAreCountedPerCollectorAndTheOthersGoOn() throws Exception {
    copyProc();
    start("""
        - task:
          - in.HostMetrics: {interval: 100ms, proc_root: %s}
          - out.TestSink: {name: %s}
        """.formatted(proc, id));
    await().atMost(Duration.ofSeconds(20)).until(() -> of("host.memory").size() >= 2 && of("host.network").size() >= 1);

    Files.writeString(proc.resolve("meminfo"), "MemTotal: lots kB\n");
    Files.writeString(proc.resolve("loadavg"), "x".repeat(10 << 20)); // a 10 MiB line
    Files.write(proc.resolve("stat"), new byte[] {'c', 'p', 'u', ' ', (byte) 0xff, 0, '\n'});
    Files.delete(proc.resolve("diskstats"));
    await().atMost(Duration.ofSeconds(20)).until(() -> counters().getOrDefault("collector_errors.memory", 0L) >= 2
        && counters().getOrDefault("collector_errors.load", 0L) >= 2
        && counters().getOrDefault("collector_errors.cpu", 0L) >= 2
        && counters().getOrDefault("collector_errors.disk", 0L) >= 2);
    int network = of("host.network").size();
    int filesystems = of("host.filesystem").size();
    await().atMost(Duration.ofSeconds(20)).until(() -> of("host.network").size() > network + 3
        && of("host.filesystem").size() > filesystems + 3);
    assertThat(counters().get("errors")).isGreaterThanOrEqualTo(8);
    assertThat(agent.tasks().get(0).state()).isEqualTo("running");

    // repaired: reported again
    int memory = of("host.memory").size();
    Files.write(proc.resolve("meminfo"), Files.readAllBytes(Path.of("/proc/meminfo")));
    await().atMost(Duration.ofSeconds(20)).until(() -> of("host.memory").size() > memory);
  }

  @Test
  void garbageLinesOfTheSocketTableAreCountedAndTheRestCounted() throws Exception {
    copyProc();
    Files.writeString(proc.resolve("net/tcp"), """
          sl  local_address rem_address   st tx_queue rx_queue tr tm->when retrnsmt   uid  timeout inode
           0: 0100007F:1F90 00000000:0000 0A 00000000:00000000 00:00000000 00000000     0        0 1 1 0 100 0 0 10 0
           1: 0100007F:1F90 0100007F:C350 01 00000000:00000000 00:00000000 00000000     0        0 2 1 0 100 0 0 10 0
           2: garbage
           3: 0100007F:1F90 0100007F:C351 7F 00000000:00000000 00:00000000 00000000     0        0 3 1 0 100 0 0 10 0
           4: 0100007F:ZZZZ 0100007F:C352 01
        \u00ff\u0000
        """);
    start("""
        - task:
          - in.Connections: {ports: [8080], interval: 100ms, proc_root: %s}
          - out.TestSink: {name: %s}
        """.formatted(proc, id));
    await().atMost(Duration.ofSeconds(20)).until(() -> of("connections").stream().anyMatch(e -> e.record().containsKey("port")));
    Map<String, Object> port = of("connections").stream().map(Event::record).filter(r -> r.containsKey("port"))
        .findFirst().orElseThrow();
    assertThat(port.get("listen")).isEqualTo(1L);
    assertThat(port.get("established")).isEqualTo(1L);
    assertThat(port.get("total")).isEqualTo(2L);
    assertThat(counters().get("bad_lines")).isGreaterThanOrEqualTo(4);
  }

  @Test
  void aProcRootThatIsNoProcFileSystemIsAValidateError() {
    String yaml = """
        - task:
          - in.HostMetrics: {proc_root: %s}
          - out.TestSink: {name: x}
        """.formatted(dir.resolve("nothing"));
    assertThatThrownBy(() -> new io.swak.core.config.ConfigLoader(Pipelines.registry(), Map.of()).parse("t.yml", yaml))
        .isInstanceOf(ConfigException.class)
        .hasMessageContaining("in.HostMetrics cannot read " + dir.resolve("nothing").resolve("stat"))
        .hasMessageContaining("option `proc_root` must name a mounted proc file system");
  }
}
