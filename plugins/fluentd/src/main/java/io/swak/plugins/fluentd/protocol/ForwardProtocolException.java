package io.swak.plugins.fluentd.protocol;

/** Input that does not follow the Forward protocol; the connection that sent it is closed. */
public class ForwardProtocolException extends RuntimeException {
  private static final long serialVersionUID = 1L;

  public ForwardProtocolException(String message) {
    super(message, null, false, false);
  }

  ForwardProtocolException(String message, Throwable cause) {
    super(message, cause, false, false);
  }

  /** A frame, or its decompressed entries, over the configured limit. */
  public static final class TooLarge extends ForwardProtocolException {
    private static final long serialVersionUID = 1L;

    TooLarge(long limit) {
      super("message larger than the limit of " + limit + " bytes (chunk_size_limit / decompressed_size_limit)");
    }

    TooLarge(String what, long limit, String option) {
      super(what + " larger than the limit of " + limit + " bytes (" + option + ")");
    }
  }
}
