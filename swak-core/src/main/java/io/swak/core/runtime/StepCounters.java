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

  /** Set by the runtime's delivery of an output (health): see {@link #delivery}. */
  private volatile java.util.function.LongSupplier stalledNanos;
  private volatile java.util.function.LongSupplier waitingEvents;
  private volatile String lastFailure;

  /**
   * Hooks of the runtime's delivery of an output, read for health: how long its oldest undelivered batch has
   * waited with nothing delivered meanwhile (0 when nothing waits), and how many events wait.
   */
  void delivery(java.util.function.LongSupplier stalledNanos, java.util.function.LongSupplier waitingEvents) {
    this.stalledNanos = stalledNanos;
    this.waitingEvents = waitingEvents;
  }

  /** True for an output's counters (delivery hooks set). */
  public boolean isOutput() {
    return stalledNanos != null;
  }

  /** How long undelivered data has waited without any delivery; 0 when nothing waits or not an output. */
  public long stalledNanos() {
    java.util.function.LongSupplier s = stalledNanos;
    return s == null ? 0 : s.getAsLong();
  }

  /** Events the output has not delivered yet (on their way or waiting for a retry). */
  public long waitingEvents() {
    java.util.function.LongSupplier s = waitingEvents;
    return s == null ? 0 : s.getAsLong();
  }

  /** Why the last delivery attempt failed, in words; null when none failed since the step started. */
  public String lastFailure() {
    return lastFailure;
  }

  void lastFailure(String reason) {
    this.lastFailure = reason;
  }

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
