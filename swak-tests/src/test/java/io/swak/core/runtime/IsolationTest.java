package io.swak.core.runtime;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.swak.core.testing.Pipelines;
import java.io.InputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.locks.LockSupport;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** One slow destination must not slow anything but its own task. */
class IsolationTest {

  @TempDir
  Path dir;

  @Test
  void aReceiverThatReadsOneKibPerSecondDoesNotStallAnotherTask() throws Exception {
    try (ServerSocket server = new ServerSocket(0, 5, InetAddress.getLoopbackAddress())) {
      Thread slow = new Thread(() -> {
        try (Socket s = server.accept(); InputStream in = s.getInputStream()) {
          byte[] b = new byte[1024];
          while (in.read(b) > 0) {
            LockSupport.parkNanos(1_000_000_000L); // the receiver's pace: 1 KiB a second
          }
        } catch (Exception e) {
          // the test ends by closing the server
        }
      });
      slow.setDaemon(true);
      slow.start();
      Agent agent = Pipelines.start(dir, """
          - task:
            - in.FakeData: {type: apache, count: 2000}
            - out.Fluentd: {host: 127.0.0.1, port: %d, heartbeat_type: none, send_timeout: 60s}
          - task:
            - in.FakeData: {type: json, count: 100, total: 20000}
            - out.File: {path: "${DIR}/fast.log", format: record}
          """.formatted(server.getLocalPort()));
      try {
        Path fast = dir.resolve("fast.log");
        await().atMost(Duration.ofSeconds(30)).until(() -> Files.exists(fast) && Files.readAllLines(fast).size() == 20000);
        // the slow task was still stuck in its output while the fast one delivered everything: unblocked,
        // in.FakeData makes millions in that time; blocked, only what the socket buffers took (the kernel
        // grows the send buffer up to tcp_wmem's 4 MiB, ~24,000 of these events)
        assertThat(agent.tasks().get(0).counters().get(1).snapshot().get("events_out")).isLessThan(200_000);
        assertThat(agent.tasks().get(0).state()).isEqualTo("running");
      } finally {
        agent.stop();
      }
    }
  }
}
