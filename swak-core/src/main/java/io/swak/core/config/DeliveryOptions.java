package io.swak.core.config;

import io.swak.api.Option;
import java.nio.file.Path;
import java.time.Duration;

/**
 * Options every output step ({@code out.*}) takes besides its own: how failed writes are retried
 * and where batches go when retrying stops.
 */
public record DeliveryOptions(
    @Option(value = "First wait before retrying a failed write; each retry doubles it (with ±20% jitter).",
        defaultValue = "1s")
    Duration retryWait,
    @Option(value = "Longest wait between retries.", defaultValue = "60s")
    Duration retryMaxWait,
    @Option(value = "Give up after this many retries and send the batch to the dead-letter file; 0 = never give up.",
        defaultValue = "0")
    int retryMaxTimes,
    @Option(value = "Retry until delivered, whatever retry_max_times says.", defaultValue = "false")
    boolean retryForever,
    @Option("JSON-lines file for batches given up on or rejected as permanently undeliverable. "
        + "Default: <data_dir>/dead-letter/<task>.jsonl.")
    Path deadLetterPath) {

  /** Keys of these options, which ConfigLoader takes off an output step before binding its own. */
  static final java.util.Set<String> KEYS = java.util.Set.of(
      "retry_wait", "retry_max_wait", "retry_max_times", "retry_forever", "dead_letter_path");

  public DeliveryOptions {
    if (retryMaxTimes < 0) {
      throw new IllegalArgumentException("option `retry_max_times` must be 0 (never give up) or more");
    }
  }

  public static DeliveryOptions defaults() {
    return new DeliveryOptions(Duration.ofSeconds(1), Duration.ofSeconds(60), 0, false, null);
  }

  /** True when a batch is retried until delivered. */
  public boolean forever() {
    return retryForever || retryMaxTimes == 0;
  }
}
