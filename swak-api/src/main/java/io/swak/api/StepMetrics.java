package io.swak.api;

/** Counters every step reports; the runtime exposes them in status and Prometheus metrics. */
public interface StepMetrics {

  void eventsIn(long n);

  void eventsOut(long n);

  void bytesOut(long n);

  void dropped(long n);

  void errors(long n);

  void retries(long n);

  /** A named counter specific to the plugin, e.g. {@code rotations}. */
  void count(String name, long n);

  /**
   * A value that goes up and down (bytes buffered, servers up), read when status or metrics are
   * asked for — from another thread, so {@code value} must be safe to call from any thread.
   */
  default void gauge(String name, java.util.function.LongSupplier value) { }
}
