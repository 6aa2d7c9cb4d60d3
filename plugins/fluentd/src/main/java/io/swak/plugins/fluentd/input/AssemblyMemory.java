package io.swak.plugins.fluentd.input;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;

/**
 * The memory the connections of one in.Forward hold for messages being received (their receive buffers), at
 * most {@code assembly_limit} in all. A connection takes its buffer's size before reading into it; when that
 * cannot be had it stops reading its socket (TCP then holds the sender back) and waits here, first come first
 * served. A message larger than {@link ForwardConnection#SMALL} takes room for all of it, as its headers
 * announce, before its body is read, so a message admitted can always complete; an eighth of the limit is left
 * to smaller ones, so clients sending small messages are served while large ones wait.
 *
 * <p>Waiting has bounds: while anyone waits, a connection that holds an incomplete message and got less than
 * {@link ForwardConnection#PROGRESS} bytes of it in {@link #STALL_NANOS} (stalled, or a slowloris trickle) is
 * closed, and so is one that waited {@link #WAIT_NANOS} while holding part of a message (its client sends again if
 * it waits for acks); one that holds nothing yet waits its turn. Both are counted ({@code memory_refusals}) and
 * logged.
 */
final class AssemblyMemory {

  /** An incomplete message that gets (almost) no byte for this long, while others wait, is refused. */
  static final long STALL_NANOS = TimeUnit.SECONDS.toNanos(5);
  /** A connection that waits this long for memory is refused. */
  static final long WAIT_NANOS = TimeUnit.SECONDS.toNanos(10);
  /** An empty receive buffer kept between read bursts goes back after this long without a read. */
  static final long IDLE_NANOS = TimeUnit.SECONDS.toNanos(1);

  private final long limit;
  /** What messages larger than {@link ForwardConnection#SMALL} may take together. */
  private final long largeLimit;
  private final long stallNanos;
  private final long waitNanos;
  private long used;
  private final ArrayDeque<Waiter> waiting = new ArrayDeque<>();
  private final Set<ForwardConnection> connections = ConcurrentHashMap.newKeySet();

  private record Waiter(ForwardConnection connection, long bytes, boolean large, long sinceNanos) { }

  AssemblyMemory(long limit) {
    this(limit, STALL_NANOS, WAIT_NANOS);
  }

  AssemblyMemory(long limit, long stallNanos, long waitNanos) {
    this.limit = limit;
    this.largeLimit = limit - limit / 8;
    this.stallNanos = stallNanos;
    this.waitNanos = waitNanos;
  }

  /** The largest message that can ever be admitted under {@code limit}. */
  static long largestMessage(long limit) {
    return limit - limit / 8 - ForwardConnection.SMALL;
  }

  long limit() {
    return limit;
  }

  synchronized long used() {
    return used;
  }

  void register(ForwardConnection c) {
    connections.add(c);
  }

  /** The connection is gone: it waits no more (what it holds it gives back itself). */
  void unregister(ForwardConnection c) {
    connections.remove(c);
    synchronized (this) {
      waiting.removeIf(w -> w.connection == c);
    }
    grantWaiting();
  }

  /** Takes {@code bytes} now if they fit and nobody waits ahead for a large message; false otherwise. */
  synchronized boolean take(long bytes, boolean large) {
    if (!fits(bytes, large) || large && largeWaiting()) {
      return false;
    }
    used += bytes;
    return true;
  }

  /** Takes {@code bytes} whether or not they fit: bytes already read that must be kept (TLS, tests). */
  synchronized void force(long bytes) {
    used += bytes;
  }

  /** Queues the connection for {@code bytes}: {@link ForwardConnection#granted} is called once they are its. */
  void await(ForwardConnection c, long bytes, boolean large) {
    boolean first;
    synchronized (this) {
      first = waiting.isEmpty();
      waiting.addLast(new Waiter(c, bytes, large, System.nanoTime()));
    }
    if (first) {
      for (ForwardConnection other : connections) {
        if (other != c) {
          other.giveBackIfIdle(IDLE_NANOS, true); // empty buffers kept between bursts come back at once
        }
      }
    }
    grantWaiting(); // what was given back between the refused take and now
  }

  synchronized boolean anyoneWaiting() {
    return !waiting.isEmpty();
  }

  void give(long bytes) {
    if (bytes == 0) {
      return;
    }
    synchronized (this) {
      used -= bytes;
    }
    grantWaiting();
  }

  private boolean fits(long bytes, boolean large) {
    return used + bytes <= (large ? largeLimit : limit);
  }

  private boolean largeWaiting() {
    for (Waiter w : waiting) {
      if (w.large) {
        return true;
      }
    }
    return false;
  }

  /** Grants waiters in order; a large one that does not fit holds back the large ones behind it, not the small. */
  private void grantWaiting() {
    List<Waiter> granted = new ArrayList<>();
    synchronized (this) {
      boolean largeBlocked = false;
      for (Iterator<Waiter> it = waiting.iterator(); it.hasNext(); ) {
        Waiter w = it.next();
        if (w.large && largeBlocked) {
          continue;
        }
        if (fits(w.bytes, w.large)) {
          used += w.bytes;
          it.remove();
          granted.add(w);
        } else if (w.large) {
          largeBlocked = true;
        }
      }
    }
    granted.forEach(w -> w.connection.granted(w.bytes));
  }

  /**
   * The watchdog, every second or so: while anyone waits, refuses connections that stalled holding an incomplete
   * message, and those that waited too long.
   */
  void check() {
    boolean anyoneWaiting = anyoneWaiting();
    for (ForwardConnection c : connections) {
      c.giveBackIfIdle(IDLE_NANOS, anyoneWaiting);
    }
    long now = System.nanoTime();
    List<Waiter> waitedTooLong = new ArrayList<>();
    long usedNow;
    synchronized (this) {
      if (waiting.isEmpty()) {
        return;
      }
      for (Waiter w : waiting) {
        // one that holds nothing costs nothing while it waits: its bytes stay in the kernel
        if (now - w.sinceNanos > waitNanos && w.connection.holdsMemory()) {
          waitedTooLong.add(w);
        }
      }
      usedNow = used;
    }
    for (Waiter w : waitedTooLong) {
      String room = w.large ? mib(largeLimit) + " that messages over " + (ForwardConnection.SMALL >> 10)
          + " KiB may hold together (assembly_limit " + mib(limit) + ")" : "assembly_limit " + mib(limit);
      w.connection.refuse("no memory within " + TimeUnit.NANOSECONDS.toSeconds(waitNanos) + " s for its message of "
          + mib(w.connection.wantedBytes()) + ": " + mib(usedNow) + " of the " + room + " held by other connections");
    }
    for (ForwardConnection c : connections) {
      long stalled = c.stalledNanos(now);
      if (stalled > stallNanos) {
        c.refuse("its incomplete message got less than " + (ForwardConnection.PROGRESS >> 10) + " KiB in "
            + TimeUnit.NANOSECONDS.toSeconds(stalled) + " s while other connections wait for memory ("
            + mib(usedNow) + " of assembly_limit " + mib(limit) + " in use)");
      }
    }
  }

  private static String mib(long bytes) {
    return String.format("%.1f MiB", bytes / 1048576.0);
  }
}
