package io.swak.api;

import java.util.Locale;

/**
 * A size in bytes, written in configs as {@code 512}, {@code 64KiB}, {@code 1MiB}, {@code 2GiB}
 * (also {@code KB}/{@code MB}/{@code GB}/{@code k}/{@code m}/{@code g}, taken as powers of 1024 like Fluent Bit).
 */
public record DataSize(long bytes) {

  public static DataSize ofBytes(long b) {
    return new DataSize(b);
  }

  public static DataSize ofKiB(long k) {
    return new DataSize(k * 1024);
  }

  public static DataSize ofMiB(long m) {
    return new DataSize(m * 1024 * 1024);
  }

  /** Parses a size; throws IllegalArgumentException with what is allowed. */
  public static DataSize parse(String text) {
    String s = text.trim();
    int i = 0;
    while (i < s.length() && (Character.isDigit(s.charAt(i)) || s.charAt(i) == '.')) {
      i++;
    }
    if (i == 0) {
      throw new IllegalArgumentException("'" + text + "' is not a size: write e.g. 512, 64KiB, 1MiB, 2GiB");
    }
    double n = Double.parseDouble(s.substring(0, i));
    String unit = s.substring(i).trim().toLowerCase(Locale.ROOT);
    long mult;
    switch (unit) {
      case "", "b" -> mult = 1;
      case "k", "kb", "kib" -> mult = 1L << 10;
      case "m", "mb", "mib" -> mult = 1L << 20;
      case "g", "gb", "gib" -> mult = 1L << 30;
      case "t", "tb", "tib" -> mult = 1L << 40;
      default -> throw new IllegalArgumentException(
          "unknown size unit '" + s.substring(i).trim() + "' in '" + text + "': use B, KiB, MiB, GiB or TiB");
    }
    return new DataSize((long) (n * mult));
  }

  @Override
  public String toString() {
    long b = bytes;
    if (b != 0 && b % (1L << 30) == 0) {
      return b / (1L << 30) + "GiB";
    }
    if (b != 0 && b % (1L << 20) == 0) {
      return b / (1L << 20) + "MiB";
    }
    if (b != 0 && b % 1024 == 0) {
      return b / 1024 + "KiB";
    }
    return b + "B";
  }
}
