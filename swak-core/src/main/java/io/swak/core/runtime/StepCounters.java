package io.swak.core.runtime;

import io.swak.api.StepMetrics;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.LongAdder;

/** The counters of one step, read by status and metrics. */
public final class StepCounters implements StepMetrics {

  final LongAdder eventsIn = new LongAdder();
  final LongAdder eventsOut = new LongAdder();
  final LongAdder bytesOut = new LongAdder();
  final LongAdder dropped = new LongAdder();
  final LongAdder errors = new LongAdder();
  final LongAdder retries = new LongAdder();
  private final Map<String, LongAdder> custom = new ConcurrentHashMap<>();
  private final Map<String, java.util.function.LongSupplier> gauges = new ConcurrentHashMap<>();
  /** Counters of steps nested in this one (failover's outputs), by label, in the order they were made. */
  private final Map<String, StepCounters> children = java.util.Collections.synchronizedMap(new java.util.LinkedHashMap<>());

  /** The counters of a nested step, made on first use. */
  public StepCounters child(String label) {
    return children.computeIfAbsent(label, k -> new StepCounters());
  }

  /** Nested steps' counters by label. */
  public Map<String, StepCounters> children() {
    synchronized (children) {
      return new java.util.LinkedHashMap<>(children);
    }
  }

  @Override
  public void eventsIn(long n) {
    eventsIn.add(n);
  }

  @Override
  public void eventsOut(long n) {
    eventsOut.add(n);
  }

  @Override
  public void bytesOut(long n) {
    bytesOut.add(n);
  }

  @Override
  public void dropped(long n) {
    dropped.add(n);
  }

  @Override
  public void errors(long n) {
    errors.add(n);
  }

  @Override
  public void retries(long n) {
    retries.add(n);
  }

  @Override
  public void count(String name, long n) {
    custom.computeIfAbsent(name, k -> new LongAdder()).add(n);
  }

  @Override
  public void gauge(String name, java.util.function.LongSupplier value) {
    gauges.put(name, value);
  }

  /** Every gauge's current value by name. */
  public Map<String, Long> gauges() {
    Map<String, Long> m = new TreeMap<>();
    gauges.forEach((k, v) -> {
      try {
        m.put(k, v.getAsLong());
      } catch (RuntimeException e) {
        // a gauge that cannot be read now is left out of this reading
      }
    });
    return m;
  }

  /** Every counter by name, for status output. */
  public Map<String, Long> snapshot() {
    Map<String, Long> m = new TreeMap<>();
    m.put("events_in", eventsIn.sum());
    m.put("events_out", eventsOut.sum());
    m.put("bytes_out", bytesOut.sum());
    m.put("dropped", dropped.sum());
    m.put("errors", errors.sum());
    m.put("retries", retries.sum());
    custom.forEach((k, v) -> m.put(k, v.sum()));
    return m;
  }
}
