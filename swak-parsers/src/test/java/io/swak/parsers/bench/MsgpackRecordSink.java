package io.swak.parsers.bench;

import io.swak.parsers.FieldSink;
import io.swak.parsers.MsgpackWriter;

/**
 * What the parse step will do with the fields: write the new record as one msgpack map (a map32 header
 * reserved, its count patched at the end), to measure a parser with its real consumer.
 */
final class MsgpackRecordSink implements FieldSink {

  final MsgpackWriter out = new MsgpackWriter(4096);
  private int mark;
  private int count;
  long time;

  void begin() {
    out.reset();
    mark = out.openContainer();
    count = 0;
  }

  int end() {
    out.closeMap(mark, count);
    return out.length();
  }

  private void key(byte[] key, int keyOff, int keyLen) {
    out.string(key, keyOff, keyLen);
    count++;
  }

  @Override
  public void string(byte[] key, int keyOff, int keyLen, byte[] v, int off, int len) {
    key(key, keyOff, keyLen);
    out.string(v, off, len);
  }

  @Override
  public void integer(byte[] key, int keyOff, int keyLen, long v) {
    key(key, keyOff, keyLen);
    out.integer(v);
  }

  @Override
  public void real(byte[] key, int keyOff, int keyLen, double v) {
    key(key, keyOff, keyLen);
    out.real(v);
  }

  @Override
  public void bool(byte[] key, int keyOff, int keyLen, boolean v) {
    key(key, keyOff, keyLen);
    out.bool(v);
  }

  @Override
  public void nil(byte[] key, int keyOff, int keyLen) {
    key(key, keyOff, keyLen);
    out.nil();
  }

  @Override
  public void msgpack(byte[] key, int keyOff, int keyLen, byte[] v, int off, int len) {
    key(key, keyOff, keyLen);
    out.raw(v, off, len);
  }

  @Override
  public void time(long epochNanos) {
    time = epochNanos;
  }
}
