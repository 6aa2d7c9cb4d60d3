package io.swak.api;

/**
 * Thrown by {@link Output#write} when retrying cannot help: the destination rejected the batch
 * itself (malformed for it, too large, forbidden). The runtime does not retry it; it writes the
 * batch to the task's dead-letter file, counts it and logs it.
 */
public class PermanentFailure extends Exception {

  private static final long serialVersionUID = 1L;

  public PermanentFailure(String message) {
    super(message);
  }

  public PermanentFailure(String message, Throwable cause) {
    super(message, cause);
  }
}
