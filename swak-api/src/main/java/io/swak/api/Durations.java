package io.swak.api;

import java.time.Duration;
import java.util.Locale;

/** Parses durations as written in configs: {@code 500ms}, {@code 5s}, {@code 1.5m}, {@code 2h}, {@code 1d}; a bare number is seconds. */
public final class Durations {

  private Durations() { }

  public static Duration parse(String text) {
    String s = text.trim().toLowerCase(Locale.ROOT);
    int i = 0;
    while (i < s.length() && (Character.isDigit(s.charAt(i)) || s.charAt(i) == '.')) {
      i++;
    }
    if (i == 0) {
      throw new IllegalArgumentException("'" + text + "' is not a duration: write e.g. 500ms, 5s, 5m, 1h");
    }
    double n;
    try {
      n = Double.parseDouble(s.substring(0, i));
    } catch (NumberFormatException e) {
      throw new IllegalArgumentException("'" + text + "' is not a duration: write e.g. 500ms, 5s, 5m, 1h");
    }
    String unit = s.substring(i).trim();
    double nanosPer = switch (unit) {
      case "ns" -> 1;
      case "us" -> 1e3;
      case "ms" -> 1e6;
      case "", "s", "sec", "secs", "second", "seconds" -> 1e9;
      case "m", "min", "mins", "minute", "minutes" -> 60e9;
      case "h", "hour", "hours" -> 3600e9;
      case "d", "day", "days" -> 86400e9;
      default -> throw new IllegalArgumentException(
          "unknown duration unit '" + unit + "' in '" + text + "': use ms, s, m, h or d");
    };
    return Duration.ofNanos(Math.round(n * nanosPer));
  }

  /** The shortest exact spelling, for documentation: {@code 500ms}, {@code 5s}, {@code 5m}. */
  public static String format(Duration d) {
    long ms = d.toMillis();
    if (ms % 3_600_000 == 0 && ms > 0) {
      return ms / 3_600_000 + "h";
    }
    if (ms % 60_000 == 0 && ms > 0) {
      return ms / 60_000 + "m";
    }
    if (ms % 1000 == 0) {
      return ms / 1000 + "s";
    }
    return ms + "ms";
  }
}
