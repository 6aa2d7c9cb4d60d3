package io.swak.plugins.metrics;

import io.swak.api.StepMetrics;
import java.io.IOException;
import java.util.Map;

/** One collector of in.HostMetrics: a record per reading. */
interface Collector {

  /** Its name in {@code collectors} and the last part of its events' tag. */
  String name();

  /**
   * Takes a reading. Collectors that report differences keep the last sample and return null the first time (the
   * input takes that first sample at start).
   */
  Map<String, Object> read() throws IOException;

  /** Registers the gauges /metrics shows, read from the last reading. */
  default void gauges(StepMetrics metrics) { }

  /** A ratio rounded to 4 decimals: more digits only say how noisy the sample was. */
  static double ratio(double part, double whole) {
    return whole <= 0 ? 0.0 : Math.round(part / whole * 10_000) / 10_000.0;
  }
}
