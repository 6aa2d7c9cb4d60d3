package io.swak.parsers;

/**
 * What building something from configuration gave: the thing, or the reason it could not be built (an
 * unknown format, a bad pattern). Errors are values here too, so a caller lists every bad step at once.
 */
public sealed interface Setup<T> {

  record Ready<T>(T value) implements Setup<T> {}

  record Rejected<T>(String reason) implements Setup<T> {}

  /** The value; only for callers that checked, and for tests. */
  default T orElseThrow() {
    if (this instanceof Ready<T> r) {
      return r.value();
    }
    throw new IllegalArgumentException(((Rejected<T>) this).reason());
  }
}
