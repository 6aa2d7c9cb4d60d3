package io.swak.core.runtime;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.swak.core.testing.Pipelines;
import io.swak.core.testing.Ports;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * logpipe's input-file → output-file across hosts: an agent tails two directories with path_key and host_key and
 * relays (out.Tcp with gzip → in.Tcp, out.Fluentd → in.Forward) to a collector on 127.0.0.1, whose out.File writes
 * /collected/${record.host}/${record.file.path}: the collector's tree holds the source files line for line, also across a rotation.
 */
class FileMirrorTest {

  @TempDir
  Path dir;

  private final List<Agent> agents = new ArrayList<>();

  @AfterEach
  void stop() throws Exception {
    for (Agent a : agents) {
      a.stop();
    }
  }

  private Agent start(String name, String yaml) throws Exception {
    Agent a = Pipelines.start(dir.resolve(name), yaml);
    agents.add(a);
    return a;
  }

  private static void append(Path f, String prefix, int from, int n) throws IOException {
    StringBuilder b = new StringBuilder();
    for (int i = from; i < from + n; i++) {
      b.append(prefix).append(" line ").append(i).append(" ünïcode\n");
    }
    Files.createDirectories(f.getParent());
    Files.writeString(f, b, StandardCharsets.UTF_8, java.nio.file.StandardOpenOption.CREATE,
        java.nio.file.StandardOpenOption.APPEND);
  }

  /** Every regular file under {@code root} by its path relative to it, with its text. */
  private static Map<String, String> tree(Path root) throws IOException {
    Map<String, String> out = new TreeMap<>();
    if (!Files.isDirectory(root)) {
      return out;
    }
    try (Stream<Path> s = Files.walk(root)) {
      for (Path p : s.filter(Files::isRegularFile).toList()) {
        out.put(root.relativize(p).toString(), Files.readString(p, StandardCharsets.UTF_8));
      }
    }
    return out;
  }

  /** The collector's input and the agent's output of each relay, as %d is the port. */
  static Stream<Arguments> relays() {
    return Stream.of(
        Arguments.of("out.Tcp → in.Tcp", "in.Tcp: {port: %d, format: forward}",
            "out.Tcp: {host: 127.0.0.1, port: %d, format: forward, require_ack: true, compress: gzip, reconnect_wait: 20ms}"),
        Arguments.of("out.Fluentd → in.Forward", "in.Forward: {port: %d}",
            "out.Fluentd: {host: 127.0.0.1, port: %d, heartbeat_type: none, retry_wait: 20ms, retry_max_wait: 200ms}"));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("relays")
  void theCollectorsTreeEqualsTheSourceTreeAcrossARelayAndARotation(String name, String in, String out)
      throws Exception {
    Path src = dir.resolve("src");
    Path a = src.resolve("a");
    Path b = src.resolve("b");
    append(a.resolve("app.log"), "a/app", 1, 500);
    append(a.resolve("web.log"), "a/web", 1, 300);
    append(b.resolve("app.log"), "b/app", 1, 200); // the same name in the other directory
    append(b.resolve("deep/worker.log"), "b/deep/worker", 1, 100);
    int port = Ports.free();
    Path collected = dir.resolve("collected");
    start("collector", """
        - task:
          - %s
          - out.File: {path: "%s/${record.host}/${record.file.path}", format: raw}
        """.formatted(in.formatted(port), collected));
    start("agent", """
        - task:
          - in.FileTail: {path: ["%s/*.log", "%s/*.log", "%s/**/*.log"], read_from_head: true, path_key: file,
                          host_key: host}
          - %s
        """.formatted(a, b, b, out.formatted(port)));

    String host = Files.readString(Path.of("/proc/sys/kernel/hostname")).trim();
    Path mirror = collected.resolve(host).resolve(src.toString().substring(1));
    Map<String, String> expected = tree(src);
    assertThat(expected).hasSize(4);
    await().atMost(Duration.ofSeconds(30)).until(() -> tree(mirror).equals(expected));

    // rotation: lines written just before the rename are read from the renamed file, under the name they were
    // written to; the new file goes on under the same name
    append(a.resolve("app.log"), "a/app", 501, 100);
    Files.move(a.resolve("app.log"), a.resolve("app.log.1"));
    append(a.resolve("app.log"), "a/app", 601, 50);
    append(b.resolve("app.log"), "b/app", 201, 10);
    Map<String, String> now = tree(src);
    await().atMost(Duration.ofSeconds(30)).until(() -> tree(mirror).get("a/app.log").length()
        == now.get("a/app.log.1").length() + now.get("a/app.log").length());
    Map<String, String> got = tree(mirror);
    assertThat(got.get("a/app.log")).isEqualTo(now.get("a/app.log.1") + now.get("a/app.log"));
    assertThat(got.keySet()).containsExactlyInAnyOrder("a/app.log", "a/web.log", "b/app.log", "b/deep/worker.log");
    for (String f : List.of("a/web.log", "b/app.log", "b/deep/worker.log")) {
      await().atMost(Duration.ofSeconds(30)).until(() -> now.get(f).equals(tree(mirror).get(f)));
    }
  }
}
