package io.swak.parsers;

/**
 * Receives the fields a {@link LineParser} finds in one line, in line order. Keys and values are byte
 * ranges (UTF-8 as the line had it: invalid sequences are passed through, the caller decides what to do)
 * that are valid only during the call: they point into the line or into the parser's scratch buffer,
 * which the next field may overwrite. A sink that keeps a value copies it.
 *
 * <p>Nothing is buffered: a line that turns out NO_MATCH or MALFORMED after some fields were reported
 * leaves those fields in the sink, and the caller throws away what it wrote for that line (a msgpack
 * writer rewinds to the line's start). A line may repeat a key (JSON allows it); the sink gets both.
 */
public interface FieldSink {

  void string(byte[] key, int keyOff, int keyLen, byte[] v, int off, int len);

  void integer(byte[] key, int keyOff, int keyLen, long v);

  void real(byte[] key, int keyOff, int keyLen, double v);

  void bool(byte[] key, int keyOff, int keyLen, boolean v);

  void nil(byte[] key, int keyOff, int keyLen);

  /** A nested value (JSON object/array, syslog structured data) already encoded as one msgpack value. */
  void msgpack(byte[] key, int keyOff, int keyLen, byte[] v, int off, int len);

  /**
   * The event time found in the line, ns since the epoch; only when the parser was given a time key, and
   * at most once a line. The time field itself is then reported only with {@code time_keep}.
   */
  default void time(long epochNanos) {}
}
