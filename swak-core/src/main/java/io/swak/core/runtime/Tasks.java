package io.swak.core.runtime;

/** Small helpers shared by the runtime. */
final class Tasks {

  private Tasks() { }

  /** A one-line description of a failure for a log line: {@link FailureText#of}. */
  static String message(Throwable e) {
    return FailureText.of(e);
  }
}
