package io.swak.plugins.elasticsearch;

import java.net.URI;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The nodes of {@code hosts}, taken round-robin. A node that cannot be reached is skipped for a while (1 s, doubling
 * up to 60 s while it stays unreachable) and then tried again; when every node is skipped they are all tried, the
 * one skipped longest first, so nothing waits on this list longer than the runtime's own backoff. A node that
 * refused the credentials is asked again only after {@link #AUTH_WAIT}.
 */
final class Nodes {

  static final long AUTH_WAIT_NANOS = 60_000_000_000L;

  /** One node. */
  static final class Node {
    final String label;
    final URI bulk;
    volatile long deadUntilNanos;
    volatile int failures;
    volatile long authRefusedUntilNanos;
    volatile String authRefusal;

    Node(String label, URI bulk) {
      this.label = label;
      this.bulk = bulk;
    }

    boolean up(long now) {
      return deadUntilNanos == 0 || now - deadUntilNanos >= 0;
    }

    @Override
    public String toString() {
      return label;
    }
  }

  private final List<Node> nodes = new ArrayList<>();
  private final AtomicInteger next = new AtomicInteger();

  Nodes(List<String> hosts, String query) {
    for (String h : hosts) {
      String base = h.strip();
      while (base.endsWith("/")) {
        base = base.substring(0, base.length() - 1);
      }
      nodes.add(new Node(base, URI.create(base + "/_bulk" + query)));
    }
  }

  List<Node> all() {
    return nodes;
  }

  /** The nodes to try for one request, in order: those up, round-robin, else all, the longest skipped first. */
  List<Node> order(long now) {
    int start = Math.floorMod(next.getAndIncrement(), nodes.size());
    List<Node> up = new ArrayList<>(nodes.size());
    for (int i = 0; i < nodes.size(); i++) {
      Node n = nodes.get((start + i) % nodes.size());
      if (n.up(now)) {
        up.add(n);
      }
    }
    if (!up.isEmpty()) {
      return up;
    }
    List<Node> all = new ArrayList<>(nodes);
    all.sort(Comparator.comparingLong(n -> n.deadUntilNanos - now));
    return all;
  }

  /** The node could not be reached; returns how long it is skipped. */
  long unreachable(Node n, long now) {
    int f = n.failures = Math.min(n.failures + 1, 30);
    long wait = Math.min(60_000_000_000L, 1_000_000_000L << Math.min(f - 1, 6));
    n.deadUntilNanos = now + wait;
    return wait;
  }

  /** The node answered: true when it had been skipped (it is back). */
  boolean reached(Node n) {
    boolean wasDown = n.failures > 0;
    n.failures = 0;
    n.deadUntilNanos = 0;
    return wasDown;
  }

  int upCount() {
    long now = System.nanoTime();
    return (int) nodes.stream().filter(n -> n.up(now)).count();
  }
}
