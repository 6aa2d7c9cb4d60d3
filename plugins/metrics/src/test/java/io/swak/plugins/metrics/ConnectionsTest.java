package io.swak.plugins.metrics;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.swak.api.Event;
import io.swak.core.testing.AgentTestBase;
import io.swak.core.testing.TestSink;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** in.Connections counting real sockets on 127.0.0.1 in this machine's /proc/net/tcp and tcp6. */
class ConnectionsTest extends AgentTestBase {

  private final List<AutoCloseable> sockets = new ArrayList<>();

  @AfterEach
  void closeSockets() throws Exception {
    for (AutoCloseable s : sockets) {
      s.close();
    }
  }

  private Optional<Map<String, Object>> latest(String side, int port) {
    List<Event> all = TestSink.state(id).received;
    for (int i = all.size() - 1; i >= 0; i--) {
      Map<String, Object> r = all.get(i).record();
      if (side == null ? !r.containsKey("port") : side.equals(r.get("side")) && Long.valueOf(port).equals(r.get("port"))) {
        return Optional.of(r);
      }
    }
    return Optional.empty();
  }

  private static long n(Optional<Map<String, Object>> r, String state) {
    return r.map(m -> (Long) m.get(state)).orElse(-1L);
  }

  @Test
  void connectionsToAServerAreCountedByStateOnBothSides() throws Exception {
    ServerSocket server = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
    sockets.add(server);
    int port = server.getLocalPort();
    List<Socket> clients = new ArrayList<>();
    for (int i = 0; i < 3; i++) {
      Socket c = new Socket(InetAddress.getLoopbackAddress(), port);
      clients.add(c);
      sockets.add(c);
      sockets.add(server.accept());
    }
    start("""
        - task:
          - in.Connections: {ports: [%d], remote_ports: [%d], interval: 100ms}
          - out.TestSink: {name: %s}
        """.formatted(port, port, id));

    await().atMost(Duration.ofSeconds(20)).until(() -> n(latest("local", port), "established") == 3);
    Map<String, Object> local = latest("local", port).orElseThrow();
    assertThat(local.get("listen")).isEqualTo(1L);
    assertThat(local.get("total")).isEqualTo(4L);
    Map<String, Object> remote = latest("remote", port).orElseThrow();
    assertThat(remote.get("established")).isEqualTo(3L);
    assertThat(remote.get("total")).isEqualTo(3L);
    Map<String, Object> all = latest(null, 0).orElseThrow();
    assertThat((Long) all.get("established")).isGreaterThanOrEqualTo(6);
    assertThat((Long) all.get("listen")).isGreaterThanOrEqualTo(1);
    assertThat(all).containsKeys(Connections.STATES);
    Map<String, Long> gauges = agent.tasks().get(0).counters().get(0).gauges();
    assertThat(gauges.get("connections_port_" + port + "_established")).isEqualTo(3L);

    // the clients hang up and the server does not: its side waits to close, theirs for its FIN
    for (Socket c : clients) {
      c.close();
    }
    await().atMost(Duration.ofSeconds(20)).until(() -> n(latest("local", port), "close_wait") == 3);
    assertThat(n(latest("local", port), "established")).isZero();
    await().atMost(Duration.ofSeconds(20)).until(() -> n(latest("remote", port), "fin_wait2") == 3);
  }

  @Test
  void aPortWithNothingOnItCountsZeroInEveryState() throws Exception {
    int unused;
    try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
      unused = s.getLocalPort();
    }
    start("""
        - task:
          - in.Connections: {ports: [%d], interval: 100ms, host_key: ""}
          - out.TestSink: {name: %s}
        """.formatted(unused, id));
    await().atMost(Duration.ofSeconds(20)).until(() -> latest("local", unused).isPresent());
    Map<String, Object> r = latest("local", unused).orElseThrow();
    for (String state : Connections.STATES) {
      assertThat(r.get(state)).as(state).isEqualTo(0L);
    }
    assertThat(r.get("total")).isEqualTo(0L);
    assertThat(r).as("host_key: \"\" leaves the host out").doesNotContainKey("host");
  }
}
