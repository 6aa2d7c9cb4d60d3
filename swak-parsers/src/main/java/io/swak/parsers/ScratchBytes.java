package io.swak.parsers;

import java.util.Arrays;

/**
 * A reusable, growable byte buffer for values that need unescaping (JSON {@code \n}, CSV doubled quotes),
 * so no String is built per field. It grows to the largest value seen and stays there: a parser serves
 * one stream of lines, and a line of that size may well come again.
 */
final class ScratchBytes {

  byte[] buf = new byte[256];
  int len;

  void reset() {
    len = 0;
  }

  void ensure(int more) {
    if (len + more > buf.length) {
      buf = Arrays.copyOf(buf, Math.max(buf.length * 2, len + more));
    }
  }

  void put(byte b) {
    ensure(1);
    buf[len++] = b;
  }

  void put(byte[] src, int off, int n) {
    ensure(n);
    System.arraycopy(src, off, buf, len, n);
    len += n;
  }

  /** A code point as UTF-8 (from a {@code \}{@code u} escape). */
  void putCodePoint(int cp) {
    ensure(4);
    if (cp < 0x80) {
      buf[len++] = (byte) cp;
    } else if (cp < 0x800) {
      buf[len++] = (byte) (0xC0 | cp >> 6);
      buf[len++] = (byte) (0x80 | cp & 0x3F);
    } else if (cp < 0x10000) {
      buf[len++] = (byte) (0xE0 | cp >> 12);
      buf[len++] = (byte) (0x80 | cp >> 6 & 0x3F);
      buf[len++] = (byte) (0x80 | cp & 0x3F);
    } else {
      buf[len++] = (byte) (0xF0 | cp >> 18);
      buf[len++] = (byte) (0x80 | cp >> 12 & 0x3F);
      buf[len++] = (byte) (0x80 | cp >> 6 & 0x3F);
      buf[len++] = (byte) (0x80 | cp & 0x3F);
    }
  }
}
