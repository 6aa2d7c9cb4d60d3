package io.swak.plugins.metrics;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.swak.api.Event;
import io.swak.core.http.StatusReport;
import io.swak.core.http.StatusServer;
import io.swak.core.testing.AgentTestBase;
import io.swak.core.testing.TestSink;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.RandomAccessFile;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.Test;

/** in.HostMetrics reading this machine's /proc while the test makes real CPU, disk and loopback traffic. */
class HostMetricsTest extends AgentTestBase {

  private List<Map<String, Object>> of(String tag) {
    return TestSink.state(id).received.stream().filter(e -> e.tag().equals(tag)).map(Event::record).toList();
  }

  @SuppressWarnings("unchecked")
  private static List<Map<String, Object>> list(Map<String, Object> r, String key) {
    return (List<Map<String, Object>>) r.get(key);
  }

  private void startAll() throws Exception {
    start("""
        - task:
          - in.HostMetrics: {interval: 200ms}
          - out.TestSink: {name: %s}
        """.formatted(id));
  }

  @Test
  void everyCollectorReportsAtTheInterval() throws Exception {
    startAll();
    await().atMost(Duration.ofSeconds(20)).until(() -> of("host.disk").size() >= 2 && of("host.cpu").size() >= 2);
    for (String c : List.of("cpu", "memory", "load", "disk", "network", "filesystem")) {
      assertThat(of("host." + c)).as(c).isNotEmpty();
    }

    Map<String, Object> cpu = of("host.cpu").get(0);
    assertThat(cpu.keySet().iterator().next()).isEqualTo("host");
    assertThat(cpu.get("host")).isEqualTo(Files.readString(Path.of("/proc/sys/kernel/hostname")).trim());
    double sum = (Double) cpu.get("cpu_ratio") + (Double) cpu.get("idle_ratio") + (Double) cpu.get("iowait_ratio");
    assertThat(sum).isCloseTo(1.0, org.assertj.core.data.Offset.offset(0.001));
    long cores = Files.readAllLines(Path.of("/proc/stat")).stream().filter(l -> l.matches("cpu\\d+ .*")).count();
    assertThat(cpu.get("cores")).isEqualTo(cores);
    assertThat(list(cpu, "per_cpu")).hasSize((int) cores).allSatisfy(c ->
        assertThat((Double) c.get("cpu_ratio")).isBetween(0.0, 1.0));

    Map<String, Object> mem = of("host.memory").get(0);
    long memTotal = Files.readAllLines(Path.of("/proc/meminfo")).stream().filter(l -> l.startsWith("MemTotal:"))
        .map(l -> Long.parseLong(l.replaceAll("\\D+", ""))).findFirst().orElseThrow();
    assertThat(mem.get("total_bytes")).isEqualTo(memTotal * 1024);
    assertThat((Long) mem.get("used_bytes") + (Long) mem.get("available_bytes")).isEqualTo(memTotal * 1024);

    Map<String, Object> load = of("host.load").get(0);
    assertThat((Double) load.get("load1")).isGreaterThanOrEqualTo(0.0);
    assertThat((Long) load.get("tasks_total")).isGreaterThanOrEqualTo((Long) load.get("tasks_running"));

    Map<String, Object> fs = of("host.filesystem").get(0);
    List<Map<String, Object>> mounts = list(fs, "filesystems");
    var rootStore = Files.getFileStore(Path.of("/"));
    assertThat(mounts).anySatisfy(m -> {
      assertThat(m.get("mount_point")).isEqualTo("/");
      assertThat(m.get("total_bytes")).isEqualTo(rootStore.getTotalSpace());
    });
    assertThat(mounts).noneMatch(m -> List.of("proc", "sysfs", "cgroup", "cgroup2", "tmpfs", "devpts")
        .contains(m.get("type")));
    assertThat(list(of("host.disk").get(0), "devices")).noneMatch(d -> ((String) d.get("device")).startsWith("loop"));
  }

  @Test
  void loopbackTrafficAndAWrittenFileShowInTheDifferences() throws Exception {
    startAll();
    await().atMost(Duration.ofSeconds(20)).until(() -> !of("host.network").isEmpty());
    int size = 8 << 20;
    try (ServerSocket server = new ServerSocket(0, 1, InetAddress.getLoopbackAddress());
         Socket client = new Socket(InetAddress.getLoopbackAddress(), server.getLocalPort());
         Socket accepted = server.accept()) {
      CompletableFuture<Long> read = CompletableFuture.supplyAsync(() -> {
        try (InputStream in = accepted.getInputStream()) {
          return in.transferTo(OutputStream.nullOutputStream());
        } catch (Exception e) {
          throw new IllegalStateException(e);
        }
      });
      try (OutputStream out = client.getOutputStream()) {
        out.write(new byte[size]);
      }
      assertThat(read.get()).isEqualTo(size);
    }
    // 16 MiB synced to a file: the device under the temp dir wrote at least half of it in some interval
    try (RandomAccessFile f = new RandomAccessFile(dir.resolve("written").toFile(), "rw")) {
      f.write(new byte[16 << 20]);
      f.getFD().sync();
    }
    await().atMost(Duration.ofSeconds(20)).until(() -> of("host.network").stream()
        .flatMap(r -> list(r, "interfaces").stream())
        .anyMatch(i -> "lo".equals(i.get("interface")) && (Long) i.get("rx_bytes") >= size));
    await().atMost(Duration.ofSeconds(20)).until(() -> of("host.disk").stream()
        .anyMatch(r -> list(r, "devices").stream().mapToLong(d -> (Long) d.get("written_bytes")).sum() >= 8 << 20));
  }

  @Test
  void aBusyChildShowsInTheCpuShare() throws Exception {
    startAll();
    try (Children children = new Children()) {
      children.start("burn", "host-metrics");
      int cores = Runtime.getRuntime().availableProcessors();
      // one spinning thread is at least a core's share of the machine, minus what other work takes from it
      await().atMost(Duration.ofSeconds(20)).until(() -> of("host.cpu").stream()
          .anyMatch(r -> (Double) r.get("cpu_ratio") >= 0.8 / cores
              && list(r, "per_cpu").stream().anyMatch(c -> (Double) c.get("user_ratio") > 0.6)));
    }
  }

  @Test
  void theMainFiguresReachTheAgentsMetricsPage() throws Exception {
    start("""
        - task:
          - in.HostMetrics: {interval: 100ms, collectors: [memory, load, cpu, network]}
          - out.TestSink: {name: %s}
        """.formatted(id));
    await().atMost(Duration.ofSeconds(20)).until(() -> !of("host.cpu").isEmpty());
    try (StatusServer http = StatusServer.start("127.0.0.1", 0, new StatusReport(agent, Instant.now()),
        Clock.systemUTC())) {
      HttpResponse<String> res = HttpClient.newHttpClient().send(HttpRequest.newBuilder(
          URI.create("http://127.0.0.1:" + http.port() + "/metrics")).build(), HttpResponse.BodyHandlers.ofString());
      String text = res.body();
      long total = (Long) of("host.memory").get(0).get("total_bytes");
      assertThat(text).contains("swak_host_memory_total_bytes{task=\"task 1\",step=\"1\",plugin=\"in.HostMetrics\"} "
          + total);
      assertThat(text).containsPattern("swak_host_cpu_used_permille\\{[^}]*\\} \\d+")
          .containsPattern("swak_host_load1_milli\\{[^}]*\\} \\d+")
          .containsPattern("swak_host_network_received_bytes\\{[^}]*\\} [1-9]\\d*");
      assertThat(of("host.disk")).as("collectors not chosen are not read").isEmpty();
    }
  }
}
