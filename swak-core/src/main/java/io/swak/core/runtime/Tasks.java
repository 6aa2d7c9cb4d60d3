package io.swak.core.runtime;

/** Small helpers shared by the runtime. */
final class Tasks {

  private Tasks() { }

  /** A one-line description of a failure for a log line: the message, or the type when there is none. */
  static String message(Throwable e) {
    String m = e.getMessage();
    String type = e.getClass().getSimpleName();
    if (m == null || m.isBlank()) {
      return type;
    }
    return e instanceof java.io.IOException || e instanceof IllegalArgumentException
        || e instanceof IllegalStateException ? m : type + ": " + m;
  }
}
