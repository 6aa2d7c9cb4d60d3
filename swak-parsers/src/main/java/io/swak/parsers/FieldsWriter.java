package io.swak.parsers;

import java.util.Arrays;

/**
 * A {@link FieldSink} that writes the fields of one line as msgpack key/value pairs into one buffer, noting where
 * each key is (so a caller can tell a parsed field from a field of the same name it already has) and the time the
 * line gave. {@link #begin} starts a line; after a failed parse the caller just begins the next.
 */
public final class FieldsWriter implements FieldSink {

  private final MsgpackWriter fields = new MsgpackWriter(1024);
  private int count;
  private long time;
  private int[] keyAt = new int[16];
  private int[] keyLen = new int[16];

  /** Starts a line whose event time is {@code eventTime} unless the line gives one. */
  public void begin(long eventTime) {
    fields.reset();
    count = 0;
    time = eventTime;
  }

  /** The pairs written, valid in {@code [0, length())}. */
  public byte[] bytes() {
    return fields.bytes();
  }

  public int length() {
    return fields.length();
  }

  /** How many pairs. */
  public int count() {
    return count;
  }

  /** The line's time, or the event time given to {@link #begin}. */
  public long time() {
    return time;
  }

  /** True when a pair's key is the bytes {@code d[off, off+len)}. */
  public boolean hasKey(byte[] d, int off, int len) {
    byte[] b = fields.bytes();
    for (int i = 0; i < count; i++) {
      if (keyLen[i] == len && Arrays.equals(b, keyAt[i], keyAt[i] + len, d, off, off + len)) {
        return true;
      }
    }
    return false;
  }

  private void key(byte[] k, int off, int len) {
    fields.stringHeader(len);
    if (count == keyAt.length) {
      keyAt = Arrays.copyOf(keyAt, count * 2);
      keyLen = Arrays.copyOf(keyLen, count * 2);
    }
    keyAt[count] = fields.length();
    keyLen[count] = len;
    count++;
    fields.raw(k, off, len);
  }

  @Override
  public void string(byte[] k, int ko, int kl, byte[] v, int off, int len) {
    key(k, ko, kl);
    fields.string(v, off, len);
  }

  @Override
  public void integer(byte[] k, int ko, int kl, long v) {
    key(k, ko, kl);
    fields.integer(v);
  }

  @Override
  public void real(byte[] k, int ko, int kl, double v) {
    key(k, ko, kl);
    fields.real(v);
  }

  @Override
  public void bool(byte[] k, int ko, int kl, boolean v) {
    key(k, ko, kl);
    fields.bool(v);
  }

  @Override
  public void nil(byte[] k, int ko, int kl) {
    key(k, ko, kl);
    fields.nil();
  }

  @Override
  public void msgpack(byte[] k, int ko, int kl, byte[] v, int off, int len) {
    key(k, ko, kl);
    fields.raw(v, off, len);
  }

  @Override
  public void time(long epochNanos) {
    time = epochNanos;
  }
}
