package io.swak.plugins.otlp;

/**
 * How a request ended, in both protocols' terms: an HTTP status and the gRPC status code of the same meaning
 * (the OTLP specification pairs them), with a reason for the client.
 */
record Outcome(int http, int grpc, String message, boolean retryable) {

  // gRPC status codes (google.rpc.Code)
  static final int OK = 0;
  static final int CANCELLED = 1;
  static final int INVALID_ARGUMENT = 3;
  static final int DEADLINE_EXCEEDED = 4;
  static final int NOT_FOUND = 5;
  static final int RESOURCE_EXHAUSTED = 8;
  static final int UNIMPLEMENTED = 12;
  static final int INTERNAL = 13;
  static final int UNAVAILABLE = 14;

  static final Outcome SUCCESS = new Outcome(200, OK, null, false);

  static Outcome bad(String why) {
    return new Outcome(400, INVALID_ARGUMENT, why, false);
  }

  static Outcome tooLarge(String why) {
    return new Outcome(413, RESOURCE_EXHAUSTED, why, false);
  }

  /** The task cannot take more now: the client should wait and send again (backpressure). */
  static Outcome full(String why) {
    return new Outcome(429, RESOURCE_EXHAUSTED, why, true);
  }

  static Outcome unavailable(String why) {
    return new Outcome(503, UNAVAILABLE, why, true);
  }

  boolean ok() {
    return grpc == OK;
  }
}
