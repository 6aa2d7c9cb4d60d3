package io.swak.plugins.elasticsearch;

import java.nio.charset.StandardCharsets;

/**
 * {@code generate_id}: a document id made from the event itself — 128 bits of MurmurHash3 (x64) over its record's
 * msgpack bytes, seeded with its tag, time and its occurrence among identical events of the batch — written as 22
 * characters of URL-safe base64. The same event sent again gets the same id, so the node keeps one copy.
 * Never change this computation: ids already indexed would no longer match.
 */
final class EventId {

  private static final long C1 = 0x87c37b91114253d5L;
  private static final long C2 = 0x4cf5ad432745937fL;
  private static final byte[] BASE64URL =
      "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_".getBytes(StandardCharsets.US_ASCII);

  private long tagHash;
  private String tag;
  /** The two halves of the last id. */
  long h1;
  long h2;

  /** Computes the id of an event into {@link #h1}, {@link #h2}. */
  void compute(String eventTag, long timeNanos, int occurrence, byte[] d, int off, int len) {
    if (!eventTag.equals(tag)) {
      byte[] t = eventTag.getBytes(StandardCharsets.UTF_8);
      hash(t, 0, t.length, 0x9368e53c2f6af274L, 0x586dcd208f7cd3fdL);
      tagHash = h1 ^ h2;
      tag = eventTag;
    }
    hash(d, off, len, fmix(tagHash ^ timeNanos), fmix(timeNanos * C1 + occurrence + 1));
  }

  /** The last id as 22 base64url characters at {@code out[p..]}; returns the position after them. */
  int write(byte[] out, int p) {
    long a = h1;
    long b = h2;
    // 128 bits = 21 groups of 6 bits and 2 bits left
    for (int i = 0; i < 10; i++) {
      out[p++] = BASE64URL[(int) (a >>> 58)];
      a <<= 6;
    }
    // 4 bits of a left, then b
    out[p++] = BASE64URL[(int) ((a >>> 58) | (b >>> 62)) & 0x3f];
    b <<= 2;
    for (int i = 0; i < 10; i++) {
      out[p++] = BASE64URL[(int) (b >>> 58)];
      b <<= 6;
    }
    out[p++] = BASE64URL[(int) (b >>> 58)];
    return p;
  }

  /** The last id as text (tests, logs). */
  String text() {
    byte[] b = new byte[22];
    write(b, 0);
    return new String(b, StandardCharsets.US_ASCII);
  }

  private void hash(byte[] d, int off, int len, long seed1, long seed2) {
    long a = seed1;
    long b = seed2;
    int blocks = len >>> 4;
    int p = off;
    for (int i = 0; i < blocks; i++, p += 16) {
      long k1 = le64(d, p);
      long k2 = le64(d, p + 8);
      k1 *= C1;
      k1 = Long.rotateLeft(k1, 31);
      k1 *= C2;
      a ^= k1;
      a = Long.rotateLeft(a, 27);
      a += b;
      a = a * 5 + 0x52dce729;
      k2 *= C2;
      k2 = Long.rotateLeft(k2, 33);
      k2 *= C1;
      b ^= k2;
      b = Long.rotateLeft(b, 31);
      b += a;
      b = b * 5 + 0x38495ab5;
    }
    long k1 = 0;
    long k2 = 0;
    int tail = len & 15;
    switch (tail) {
      case 15: k2 ^= (long) (d[p + 14] & 0xff) << 48; // fall through
      case 14: k2 ^= (long) (d[p + 13] & 0xff) << 40; // fall through
      case 13: k2 ^= (long) (d[p + 12] & 0xff) << 32; // fall through
      case 12: k2 ^= (long) (d[p + 11] & 0xff) << 24; // fall through
      case 11: k2 ^= (long) (d[p + 10] & 0xff) << 16; // fall through
      case 10: k2 ^= (long) (d[p + 9] & 0xff) << 8; // fall through
      case 9:
        k2 ^= d[p + 8] & 0xff;
        k2 *= C2;
        k2 = Long.rotateLeft(k2, 33);
        k2 *= C1;
        b ^= k2;
        // fall through
      case 8: k1 ^= (long) (d[p + 7] & 0xff) << 56; // fall through
      case 7: k1 ^= (long) (d[p + 6] & 0xff) << 48; // fall through
      case 6: k1 ^= (long) (d[p + 5] & 0xff) << 40; // fall through
      case 5: k1 ^= (long) (d[p + 4] & 0xff) << 32; // fall through
      case 4: k1 ^= (long) (d[p + 3] & 0xff) << 24; // fall through
      case 3: k1 ^= (long) (d[p + 2] & 0xff) << 16; // fall through
      case 2: k1 ^= (long) (d[p + 1] & 0xff) << 8; // fall through
      case 1:
        k1 ^= d[p] & 0xff;
        k1 *= C1;
        k1 = Long.rotateLeft(k1, 31);
        k1 *= C2;
        a ^= k1;
        break;
      default:
        break;
    }
    a ^= len;
    b ^= len;
    a += b;
    b += a;
    a = fmix(a);
    b = fmix(b);
    a += b;
    b += a;
    h1 = a;
    h2 = b;
  }

  private static long le64(byte[] d, int p) {
    return (d[p] & 0xffL) | (d[p + 1] & 0xffL) << 8 | (d[p + 2] & 0xffL) << 16 | (d[p + 3] & 0xffL) << 24
        | (d[p + 4] & 0xffL) << 32 | (d[p + 5] & 0xffL) << 40 | (d[p + 6] & 0xffL) << 48 | (d[p + 7] & 0xffL) << 56;
  }

  private static long fmix(long k) {
    k ^= k >>> 33;
    k *= 0xff51afd7ed558ccdL;
    k ^= k >>> 33;
    k *= 0xc4ceb9fe1a85ec53L;
    k ^= k >>> 33;
    return k;
  }
}
