package io.swak.api;

/**
 * A step that delivers batches somewhere. An output only encodes and sends: the runtime owns
 * everything around it — the thread that sends, how many batches are on their way at once (the
 * window), the order after a loss (what was lost is sent again, in order, before anything new),
 * retries with backoff, the dead-letter file and the output's metrics — and passes every batch on to
 * the following steps, so outputs in a row copy the stream. An output never retries by itself and
 * never drops data silently.
 *
 * <p>Two shapes. A synchronous output implements {@link #write}: it returns when the batch is
 * delivered and throws when it is not (a {@link PermanentFailure} when sending it again cannot
 * help). An output that can have several batches on their way (a network output waiting for the
 * server's acknowledgements) implements {@link #send} and {@link #window}, and settles each batch's
 * {@link Receipt} later, from any thread. A destination that answers per entry (a bulk API) settles it with
 * {@link Receipt#partly}: the runtime then sends only the entries to send again and dead-letters the refused ones.
 */
public interface Output extends Step {

  /**
   * Most batches unsettled at once, read once after {@link #start}. With 1 (the default) the runtime
   * calls {@link #send} on the task thread and waits for the receipt; with more it calls it, in
   * order, on a sender thread of its own while the task goes on with the next batches.
   */
  default int window() {
    return 1;
  }

  /**
   * Sends a batch without waiting for the outcome; the output then settles {@code receipt} exactly
   * once, now or later, from any thread. Throwing means the batch is not on its way (the receipt is
   * then not to be settled): {@link PermanentFailure} sends it to the dead-letter file, anything else
   * makes the runtime send it again after a backoff. Batches sent before it may be lost too; their
   * receipts say so. The default writes synchronously.
   */
  default void send(Batch batch, Receipt receipt) throws Exception {
    write(batch);
    receipt.delivered();
  }

  /**
   * Null when a delivered receipt means the destination has the batch. Otherwise why it may not (e.g.
   * "a batch counts as delivered once written to the socket: the server does not acknowledge it"): the
   * runtime warns at start that this output is at-most-once, so the user knows what a crash of the
   * receiver can lose. Read after {@link #start}.
   */
  default String atMostOnce() {
    return null;
  }

  /**
   * Delivers one batch: returns when it is delivered, throws when it is not. Only the runtime calls an
   * output, and only through {@link #send}; an output that implements {@code send} need not implement this.
   */
  default void write(Batch batch) throws Exception {
    throw new UnsupportedOperationException(getClass().getName() + " has no synchronous write: it is called "
        + "through send (and if it implements neither, it cannot deliver anything)");
  }

  /** How a sent batch ended; the first call counts, later ones are ignored. */
  interface Receipt {

    /** The destination has the batch (written, or acknowledged by the server). */
    void delivered();

    /**
     * The batch may not have arrived (the connection broke, an acknowledgement is overdue, the
     * server answered with an error worth retrying): the runtime sends it again, in order.
     */
    void failed(String reason);

    /**
     * As {@link #failed(String)}, when the destination said how long to wait before sending again (HTTP's
     * {@code Retry-After} on a 429 or 503): the runtime waits that long instead of its own backoff when it is longer,
     * but never more than the step's {@code retry_max_wait}. The default, for receipts that only know their backoff,
     * ignores the wait.
     */
    default void failed(String reason, java.time.Duration retryAfter) {
      failed(reason);
    }

    /** The destination refused the batch for good: the runtime writes it to the dead-letter file. */
    void rejected(String reason);

    /**
     * Only part of the batch arrived (a bulk API answers per item): {@code again} holds the entries to send
     * again, or is null; each of {@code refused} holds entries the destination refused for good, which go to
     * the dead-letter file with their reason; every other entry of the batch is delivered. The runtime sends
     * {@code again} in the batch's place in the order, after the retry backoff (its retries count against
     * {@code retry_max_times}), and completes the batch's acknowledgement once each entry is delivered or
     * dead-lettered. Counters say how many entries were sent again and dead-lettered, by {@link Part#cause}.
     *
     * <p>The parts are batches of entries copied from the one sent (e.g. with {@link BatchBuilder#addEntries});
     * their acks are not used. The default, for receipts that only know whole batches, fails the whole batch: it
     * is sent again in full.
     */
    default void partly(Part again, java.util.List<Part> refused) {
      int n = (again == null ? 0 : again.entries().count()) + refused.stream().mapToInt(r -> r.entries().count()).sum();
      failed(n + " events not delivered" + (again != null ? ": " + again.reason()
          : refused.isEmpty() ? "" : ": " + refused.get(0).reason()));
    }
  }

  /**
   * Entries of a sent batch with one outcome: to send again, or refused for good.
   *
   * @param entries the entries, in the order they had in the batch
   * @param cause a short, stable name of why, used as a counter name ({@code 429}, {@code 400
   *     mapper_parsing_exception}): letters, digits and spaces, no values that vary per event
   * @param reason why in words, for the log and each entry's line in the dead-letter file (the server's message)
   */
  record Part(Batch entries, String cause, String reason) {
    public Part {
      java.util.Objects.requireNonNull(entries, "entries");
      java.util.Objects.requireNonNull(cause, "cause");
      java.util.Objects.requireNonNull(reason, "reason");
    }
  }
}
