package io.swak.api;

/**
 * Msgpack that cannot be read as asked: truncated, a type byte that is never used (0xc1), a value of another
 * type than the one asked for, a length that does not fit in the data, or nesting deeper than
 * {@link MsgpackReader#MAX_DEPTH}. Unchecked, like msgpack-core's exceptions were; {@link #offset()} is the
 * index in the byte array of the value (or the end) where reading failed.
 */
public class MsgpackException extends RuntimeException {

  private static final long serialVersionUID = 1L;

  private final int offset;

  /** {@code what} went wrong at index {@code offset} of the data; the message ends with the offset. */
  public MsgpackException(String what, int offset) {
    super(what + " at offset " + offset);
    this.offset = offset;
  }

  /** The index in the byte array where reading failed (absolute, not relative to a reader's start). */
  public int offset() {
    return offset;
  }
}
