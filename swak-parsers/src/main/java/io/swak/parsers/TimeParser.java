package io.swak.parsers;

/**
 * Reads a timestamp from bytes. Implementations keep small caches (the last timestamp's second), so an
 * instance serves one thread, like the parser that holds it. {@link TimeFormats} builds them.
 */
public interface TimeParser {

  /** Returned when the bytes are not a time in this format; no valid time maps to it. */
  long FAILED = Long.MIN_VALUE;

  /** Nanoseconds since the epoch of {@code b[off, off+len)}, or {@link #FAILED}. */
  long parse(byte[] b, int off, int len);
}
