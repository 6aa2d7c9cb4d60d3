package io.swak.plugins.otlp;

import io.swak.api.MsgpackHeaders;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;

/** A growable byte array written with msgpack values: the entries of a batch, built without maps per record. */
final class MsgpackOut {

  byte[] buf;
  int len;

  MsgpackOut(int capacity) {
    buf = new byte[capacity];
  }

  void ensure(int more) {
    if (len + more > buf.length) {
      buf = Arrays.copyOf(buf, Math.max(buf.length * 2, len + more));
    }
  }

  void entryHead(long timeNanos) {
    ensure(11);
    len = MsgpackHeaders.entryHead(buf, len, timeNanos);
  }

  void map(int n) {
    ensure(5);
    len = MsgpackHeaders.map(buf, len, n);
  }

  void array(int n) {
    ensure(5);
    len = MsgpackHeaders.array(buf, len, n);
  }

  void integer(long v) {
    ensure(9);
    len = MsgpackHeaders.integer(buf, len, v);
  }

  /** An unsigned 64-bit value (a fixed64 of the protobuf), as msgpack-core packs it. */
  void unsigned(long v) {
    ensure(9);
    len = v >= 0 ? MsgpackHeaders.integer(buf, len, v) : MsgpackHeaders.uint64(buf, len, v);
  }

  void float64(double v) {
    ensure(9);
    len = MsgpackHeaders.float64(buf, len, v);
  }

  void bool(boolean v) {
    ensure(1);
    len = MsgpackHeaders.bool(buf, len, v);
  }

  void nil() {
    ensure(1);
    len = MsgpackHeaders.nil(buf, len);
  }

  void bin(byte[] b, int off, int n) {
    ensure(5 + n);
    len = MsgpackHeaders.bin(buf, len, n);
    System.arraycopy(b, off, buf, len, n);
    len += n;
  }

  /** Bytes that are already msgpack (a key written once, a resource shared by many records). */
  void raw(byte[] b, int off, int n) {
    ensure(n);
    System.arraycopy(b, off, buf, len, n);
    len += n;
  }

  void raw(byte[] b) {
    raw(b, 0, b.length);
  }

  /** A string as UTF-8; ASCII, the common case, is copied without an intermediate array. */
  void str(String s) {
    int n = s.length();
    ensure(5 + n);
    int head = len;
    int p = MsgpackHeaders.str(buf, head, n);
    byte[] b = buf;
    for (int i = 0; i < n; i++) {
      char c = s.charAt(i);
      if (c >= 0x80) {
        strSlow(s, head);
        return;
      }
      b[p + i] = (byte) c;
    }
    len = p + n;
  }

  private void strSlow(String s, int head) {
    byte[] u = s.getBytes(StandardCharsets.UTF_8);
    len = head;
    ensure(5 + u.length);
    len = MsgpackHeaders.str(buf, len, u.length);
    System.arraycopy(u, 0, buf, len, u.length);
    len += u.length;
  }

  /** A msgpack str of a key known in advance. */
  static byte[] key(String k) {
    MsgpackOut o = new MsgpackOut(k.length() + 5);
    o.str(k);
    return Arrays.copyOf(o.buf, o.len);
  }

  byte[] copy(int from) {
    return Arrays.copyOfRange(buf, from, len);
  }
}
