package io.swak.parsers.bench;

/** The parser benchmarks' lines and patterns, for the step benchmarks of another package. */
public final class BenchAccess {

  public static final String FLUENT_BIT_NGINX = ParseBench.FLUENT_BIT_NGINX;

  private BenchAccess() {}

  public static byte[][] json() {
    return BenchLines.json();
  }

  public static byte[][] nginx() {
    return BenchLines.nginx();
  }

  public static byte[][] logfmt() {
    return BenchLines.logfmt();
  }
}
