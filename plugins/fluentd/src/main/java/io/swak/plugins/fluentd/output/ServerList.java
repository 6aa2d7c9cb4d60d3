package io.swak.plugins.fluentd.output;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The servers of an out.Fluentd and which of them are up. Batches go to the regular servers by
 * smooth weighted round-robin, starting at a random one; standby servers (and a secondary list) only while no regular server is
 * up. A failed server is down until its reconnect wait passes or a heartbeat answers; each failure
 * grows the wait up to a maximum.
 */
final class ServerList {

  private static final Logger LOG = LoggerFactory.getLogger("swak.fluentd");

  /** One server and its state. Guarded by the list. */
  static final class Node {
    final String host;
    final int port;
    final int weight;
    final boolean standby;
    boolean down;
    long retryAtNanos;
    long waitNanos;
    int current;
    /**
     * A connection without shared_key stayed silent for its greeting wait: the server does not require the
     * handshake, so batches written to it without acks count as delivered at once. Reset when it fails.
     */
    volatile boolean greetingChecked;

    Node(String host, int port, int weight, boolean standby) {
      this.host = host;
      this.port = port;
      this.weight = weight;
      this.standby = standby;
    }

    @Override
    public String toString() {
      return host + ":" + port;
    }
  }

  private final List<Node> nodes;
  /** The nodes in a random rotation: equal weights then start at a random server, so agents spread out. */
  private final List<Node> order;
  private final long waitMin;
  private final long waitMax;
  private final double rate;

  ServerList(List<Node> nodes, Duration waitMin, Duration waitMax, double rate) {
    if (nodes.isEmpty()) {
      throw new IllegalArgumentException("no servers");
    }
    this.nodes = List.copyOf(nodes);
    List<Node> rotated = new ArrayList<>(nodes);
    java.util.Collections.rotate(rotated, java.util.concurrent.ThreadLocalRandom.current().nextInt(nodes.size()));
    this.order = List.copyOf(rotated);
    this.waitMin = waitMin.toNanos();
    this.waitMax = Math.max(waitMin.toNanos(), waitMax.toNanos());
    this.rate = rate;
  }

  static ServerList of(FluentdPlugin.Options o) throws IOException {
    List<Node> nodes = new ArrayList<>();
    if (o.host() != null && !o.host().isBlank()) {
      nodes.add(new Node(o.host().trim(), o.port(), 1, false));
    }
    for (FluentdPlugin.Server s : o.servers()) {
      nodes.add(new Node(s.host(), s.port(), s.weight(), s.standby()));
    }
    if (o.primaryServersFile() != null) {
      nodes.addAll(readFile(o.primaryServersFile(), false));
      if (o.secondaryServersFile() != null) {
        nodes.addAll(readFile(o.secondaryServersFile(), true));
      }
    }
    return new ServerList(nodes, o.reconnectWait(), o.reconnectWaitMax(), o.reconnectWaitIncrRate());
  }

  /** host[:port] per line; blank lines and # comments ignored. */
  static List<Node> readFile(Path file, boolean standby) throws IOException {
    List<Node> out = new ArrayList<>();
    int lineNo = 0;
    for (String line : Files.readAllLines(file, StandardCharsets.UTF_8)) {
      lineNo++;
      String s = line.strip();
      int hash = s.indexOf('#');
      if (hash >= 0) {
        s = s.substring(0, hash).strip();
      }
      if (s.isEmpty()) {
        continue;
      }
      String host = s;
      int port = 24224;
      int colon = s.lastIndexOf(':');
      if (colon > 0 && s.indexOf(':') == colon) {
        host = s.substring(0, colon);
        try {
          port = Integer.parseInt(s.substring(colon + 1));
        } catch (NumberFormatException e) {
          throw new IOException(file + ":" + lineNo + ": '" + s + "' is not host[:port]");
        }
      }
      out.add(new Node(host, port, 1, standby));
    }
    if (out.isEmpty() && !standby) {
      throw new IOException(file + " lists no server (host[:port] per line)");
    }
    return out;
  }

  List<Node> nodes() {
    return nodes;
  }

  /**
   * The server for the next batch: a regular one that is up, else a standby that is up, else the
   * server whose reconnect wait ends first (tried anyway, so recovery needs no heartbeat).
   */
  synchronized Node choose(long nowNanos) {
    Node pick = weighted(false, nowNanos);
    if (pick == null) {
      pick = weighted(true, nowNanos);
    }
    if (pick == null) {
      for (Node n : nodes) {
        if (pick == null || n.retryAtNanos < pick.retryAtNanos) {
          pick = n;
        }
      }
    }
    return pick;
  }

  /** Up, or down but its reconnect wait is over (worth a try). */
  private static boolean available(Node n, long nowNanos) {
    return !n.down || nowNanos >= n.retryAtNanos;
  }

  private Node weighted(boolean standby, long nowNanos) {
    int total = 0;
    Node best = null;
    for (Node n : order) {
      if (!available(n, nowNanos) || n.standby != standby || n.weight == 0 && !standby) {
        continue;
      }
      int w = Math.max(1, n.weight);
      n.current += w;
      total += w;
      if (best == null || n.current > best.current) {
        best = n;
      }
    }
    if (best != null) {
      best.current -= total;
    }
    return best;
  }

  synchronized void failed(Node n, long nowNanos, String why) {
    n.waitNanos = n.waitNanos == 0 ? waitMin : Math.min(waitMax, (long) (n.waitNanos * rate));
    n.retryAtNanos = nowNanos + n.waitNanos;
    n.greetingChecked = false;
    if (!n.down) {
      LOG.warn("out.Fluentd: server {} is down: {} (next try in {} ms)", n, why, n.waitNanos / 1_000_000);
    }
    n.down = true;
  }

  synchronized void alive(Node n) {
    if (n.down) {
      LOG.info("out.Fluentd: server {} is up again", n);
    }
    n.down = false;
    n.waitNanos = 0;
    n.retryAtNanos = 0;
  }

  synchronized boolean isDown(Node n) {
    return n.down;
  }

  /** Servers not marked down, for the servers_up gauge. */
  synchronized long upCount() {
    return nodes.stream().filter(n -> !n.down).count();
  }
}
