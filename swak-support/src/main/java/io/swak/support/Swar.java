package io.swak.support;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.nio.ByteOrder;

/**
 * Eight bytes at a time in a {@code long} ("SIMD within a register"), for the scans on the per-line paths:
 * in.FileTail's newline search and the JSON escaping of strings. Words are read little-endian, so byte
 * {@code i} of a word is array index {@code offset + i}.
 *
 * <p>The marks: {@code (w - 0x01..) & ~w & 0x80..} sets the high bit of every zero byte of {@code w}
 * (and {@code (w - n..) & ~w & 0x80..} of every byte below {@code n}, for {@code n <= 0x80}). Only the
 * lowest mark is exact (a borrow can mark a byte above a marked one, never below), which is all a scan
 * for the first match needs.
 */
public final class Swar {

  private static final VarHandle LONGS = MethodHandles.byteArrayViewVarHandle(long[].class, ByteOrder.LITTLE_ENDIAN);
  private static final long ONES = 0x0101010101010101L;
  private static final long HIGHS = 0x8080808080808080L;

  private Swar() { }

  /** The eight bytes at {@code i}. */
  public static long word(byte[] b, int i) {
    return (long) LONGS.get(b, i);
  }

  /** Writes the eight bytes of {@code w} at {@code i}. */
  public static void put(byte[] b, int i, long w) {
    LONGS.set(b, i, w);
  }

  /** {@code b} in every byte. */
  public static long every(int b) {
    return (b & 0xFFL) * ONES;
  }

  /** Marks the zero bytes of {@code w}; XOR with {@link #every} first to mark the bytes equal to one value. */
  public static long zeroBytes(long w) {
    return (w - ONES) & ~w & HIGHS;
  }

  /** Marks the bytes of {@code w} below {@code n} ({@code n <= 0x80}; bytes of 0x80 and above never). */
  public static long below(long w, int n) {
    return (w - every(n)) & ~w & HIGHS;
  }

  /** Index (0 to 7) of the lowest marked byte; {@code marks} must not be 0. */
  public static int first(long marks) {
    return Long.numberOfTrailingZeros(marks) >>> 3;
  }
}
