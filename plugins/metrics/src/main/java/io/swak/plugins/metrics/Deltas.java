package io.swak.plugins.metrics;

import java.util.HashMap;
import java.util.Map;

/**
 * Counters by name (a disk, an interface) between two readings. A name seen for the first time, or whose counters
 * went back (the device was replaced, a 32-bit counter wrapped), has no difference this time.
 */
final class Deltas {

  private Map<String, long[]> last = new HashMap<>();
  private Map<String, long[]> next = new HashMap<>();
  private boolean first = true;

  /** Starts a reading. */
  void begin() {
    next = new HashMap<>();
  }

  /** The differences since the last reading, or null when there are none for this name yet. */
  long[] diff(String name, long[] now) {
    next.put(name, now);
    long[] before = last.get(name);
    if (before == null || before.length != now.length) {
      return null;
    }
    long[] d = new long[now.length];
    for (int i = 0; i < d.length; i++) {
      d[i] = now[i] - before[i];
      if (d[i] < 0) {
        return null;
      }
    }
    return d;
  }

  /** Ends a reading; true when it was the first (so it only took the sample to compare the next with). */
  boolean end() {
    last = next;
    boolean was = first;
    first = false;
    return was;
  }
}
