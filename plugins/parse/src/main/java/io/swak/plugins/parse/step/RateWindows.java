package io.swak.plugins.parse.step;

import io.swak.api.StepContext;
import java.util.ArrayDeque;
import java.util.HashMap;
import java.util.Map;

/**
 * throttle's fixed windows: {@code rate} events per {@code period} for each key (by the agent's clock). Beyond
 * {@code maxKeys} keys, new keys share one window (counted as throttle_keys_overflow). Windows that ended and hold
 * nothing are forgotten when room is needed.
 */
final class RateWindows {

  /** One key's window, and (throttle's hold mode) the entries of that key waiting for a later window. */
  static final class Window {
    long start = Long.MIN_VALUE;
    long used;
    final ArrayDeque<Held> held = new ArrayDeque<>(0);
  }

  /** An entry held back, with the tag and the input batch it came from. */
  record Held(String tag, byte[] entry, HoldingStage.Source source) { }

  private final long rate;
  private final long periodNanos;
  private final EventKey key;
  private final int maxKeys;
  private final Map<Long, Window> windows = new HashMap<>();
  private final Window shared = new Window();

  RateWindows(long rate, long periodNanos, EventKey key, int maxKeys) {
    this.rate = rate;
    this.periodNanos = periodNanos;
    this.key = key;
    this.maxKeys = maxKeys;
  }

  /** The window of the event's key at {@code now}, begun again if the last one ended. */
  Window window(byte[] d, int rs, int re, long now, StepContext ctx) {
    Window w;
    if (key.none()) {
      w = shared;
    } else {
      long h = key.hash(d, rs, re);
      w = windows.get(h);
      if (w == null) {
        if (windows.size() >= maxKeys) {
          windows.values().removeIf(x -> now - x.start >= periodNanos && x.held.isEmpty()); // they hold nothing
        }
        if (windows.size() >= maxKeys) {
          ctx.metrics().count("throttle_keys_overflow", 1);
          w = shared;
        } else {
          w = new Window();
          windows.put(h, w);
        }
      }
    }
    renew(w, now);
    return w;
  }

  /** Begins the window again when its period is over. */
  void renew(Window w, long now) {
    if (w.start == Long.MIN_VALUE || now - w.start >= periodNanos) {
      w.start = now;
      w.used = 0;
    }
  }

  /** Takes one event's place in the window; false when the window is full. */
  boolean take(Window w) {
    if (w.used >= rate) {
      return false;
    }
    w.used++;
    return true;
  }
}
