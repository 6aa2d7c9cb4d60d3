package io.swak.parsers.bench;

import io.swak.parsers.FieldSink;

/**
 * The cheapest sink that still reads what it is given, so the benchmarks measure the parsers: it adds up
 * lengths and values (returned to JMH so nothing is optimized away).
 */
final class CountingSink implements FieldSink {

  long sum;

  @Override
  public void string(byte[] key, int keyOff, int keyLen, byte[] v, int off, int len) {
    sum += keyLen + len + (len > 0 ? v[off] : 0);
  }

  @Override
  public void integer(byte[] key, int keyOff, int keyLen, long v) {
    sum += keyLen + v;
  }

  @Override
  public void real(byte[] key, int keyOff, int keyLen, double v) {
    sum += keyLen + (long) v;
  }

  @Override
  public void bool(byte[] key, int keyOff, int keyLen, boolean v) {
    sum += keyLen + (v ? 1 : 0);
  }

  @Override
  public void nil(byte[] key, int keyOff, int keyLen) {
    sum += keyLen;
  }

  @Override
  public void msgpack(byte[] key, int keyOff, int keyLen, byte[] v, int off, int len) {
    sum += keyLen + len;
  }

  @Override
  public void time(long epochNanos) {
    sum += epochNanos;
  }
}
