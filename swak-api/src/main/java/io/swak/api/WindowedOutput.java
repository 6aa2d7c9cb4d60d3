package io.swak.api;

/**
 * An output that can have several batches on their way at once: out.Fluentd with acknowledgements,
 * where waiting for each batch's confirmation before sending the next would leave the link idle for a
 * round trip and the receiver's work on every batch.
 *
 * <p>The runtime {@link #send sends} a batch, passes it on to the following steps, and sends the next
 * while at most {@link #window()} batches are unconfirmed. A batch's acknowledgement completes only
 * when the output confirmed it (and the following steps are done with it). A batch whose confirmation
 * will not come ({@link Receipt#lost}) is written again, in order, with {@link #write}, under the
 * step's usual retries, backoff and dead-letter file — so the output itself still never retries.
 * {@link #write} keeps its meaning: one batch, delivered and confirmed when it returns.
 */
public interface WindowedOutput extends Output {

  /** Most batches unconfirmed at once, read after start; 1 or less: every batch goes through {@link #write}. */
  int window();

  /**
   * Sends a batch without waiting for its confirmation. Later the output calls, from any thread,
   * either {@link Receipt#confirmed} or {@link Receipt#lost} — exactly once, and neither when
   * {@code send} throws (then the batch is not on its way; batches sent before it may be lost too).
   */
  void send(Batch batch, Receipt receipt) throws Exception;

  /** How a sent batch ended. */
  interface Receipt {

    /** The receiver confirmed the batch. */
    void confirmed();

    /** The confirmation will not come (the connection broke, it timed out, the output closed). */
    void lost(String reason);
  }
}
