package io.swak.api;

import java.time.Instant;
import java.util.Map;

/**
 * One event, decoded: Fluentd's model of tag, time and record. Steps that only pass events on never
 * build these; they work on the encoded {@link Batch}.
 *
 * @param tag routing tag, e.g. {@code app.access}
 * @param timeNanos nanoseconds since the epoch
 * @param record field name to String, Long, Double, Boolean, null, byte[], List or Map
 */
public record Event(String tag, long timeNanos, Map<String, Object> record) {

  /** {@code t} as nanoseconds since the epoch, the time events carry. */
  public static long epochNanos(Instant t) {
    return t.getEpochSecond() * 1_000_000_000L + t.getNano();
  }
}
