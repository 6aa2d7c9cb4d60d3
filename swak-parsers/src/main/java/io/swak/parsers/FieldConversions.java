package io.swak.parsers;

import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.Locale;
import java.util.Map;

/**
 * What happens to a text field before it reaches the sink: the time field (option {@code time_key}) is
 * read with {@code time_format} and reported through {@link FieldSink#time}; fields named in
 * {@code types} become integers, reals or booleans. A field's role is found once per key where the
 * parser knows its keys up front (regex groups, access log fields) and per field otherwise.
 *
 * <p>Conversion rules: an empty or {@code -} value of an int/float field is nil (the log's "no value");
 * any other value that does not convert is kept as the string it was, so nothing is lost.
 */
final class FieldConversions {

  static final int TEXT = 0;
  static final int INTEGER = 1;
  static final int REAL = 2;
  static final int BOOL = 3;
  static final int TIME = 4;

  private final byte[] timeKey;
  private final TimeParser time;
  private final boolean timeKeep;
  private final boolean epochSeconds;
  private final byte[][] typedKeys;
  private final int[] typedRoles;
  private final boolean plain;
  private final NumberText numbers = new NumberText();
  private boolean timeFailed;
  private boolean timeSeen;

  private FieldConversions(byte[] timeKey, TimeParser time, boolean timeKeep, boolean epochSeconds,
      byte[][] typedKeys, int[] typedRoles) {
    this.timeKey = timeKey;
    this.time = time;
    this.timeKeep = timeKeep;
    this.epochSeconds = epochSeconds;
    this.typedKeys = typedKeys;
    this.typedRoles = typedRoles;
    this.plain = timeKey == null && typedKeys.length == 0;
  }

  static FieldConversions none() {
    return new FieldConversions(null, null, false, false, new byte[0][], new int[0]);
  }

  /**
   * Reads time_key, time_format, time_zone, time_keep and types. A format's defaults (apache reads its
   * {@code time} field) apply unless the options say otherwise; {@code time_key: ""} turns time off.
   */
  static FieldConversions from(Options o, String defaultTimeKey, String defaultTimeFormat,
      boolean defaultKeep) {
    String key = o.string("time_key", defaultTimeKey);
    String format = o.string("time_format", defaultTimeFormat);
    String zone = o.string("time_zone", null);
    boolean keep = o.bool("time_keep", defaultKeep);
    TimeParser parser = null;
    if (key != null && !key.isEmpty()) {
      if (format == null) {
        format = "iso8601";
      }
      Setup<TimeParser> t = TimeFormats.compile(format, zone, o.clock());
      if (t instanceof Setup.Rejected<TimeParser> r) {
        o.reject(r.reason());
      } else {
        parser = ((Setup.Ready<TimeParser>) t).value();
      }
    } else {
      key = null;
    }
    Map<String, String> types = o.pairs("types");
    byte[][] keys = new byte[types.size()][];
    int[] roles = new int[types.size()];
    int n = 0;
    for (Map.Entry<String, String> e : types.entrySet()) {
      int role = typeRole(e.getValue());
      if (role < 0) {
        o.reject("types: unknown type " + e.getValue() + " for " + e.getKey()
            + " (int, float, bool or string)");
        continue;
      }
      keys[n] = e.getKey().getBytes(StandardCharsets.UTF_8);
      roles[n++] = role;
    }
    return new FieldConversions(key == null || parser == null ? null : key.getBytes(StandardCharsets.UTF_8),
        parser, keep, format != null && TimeFormats.isEpochSeconds(format),
        Arrays.copyOf(keys, n), Arrays.copyOf(roles, n));
  }

  private static int typeRole(String type) {
    return switch (type.trim().toLowerCase(Locale.ROOT)) {
      case "int", "integer", "long" -> INTEGER;
      case "float", "double", "real", "number" -> REAL;
      case "bool", "boolean" -> BOOL;
      case "string", "str", "text" -> TEXT;
      default -> -1;
    };
  }

  boolean hasTime() {
    return timeKey != null;
  }

  /** The parser of time_format; null without a time key. */
  TimeParser timeParser() {
    return timeKey == null ? null : time;
  }

  /** The role of a key known at setup. */
  int roleOf(String key) {
    byte[] k = key.getBytes(StandardCharsets.UTF_8);
    return roleOf(k, 0, k.length);
  }

  /** The role of a key found in the line. */
  int roleOf(byte[] k, int off, int len) {
    if (plain) {
      return TEXT;
    }
    if (timeKey != null && same(timeKey, k, off, len)) {
      return TIME;
    }
    for (int i = 0; i < typedKeys.length; i++) {
      if (same(typedKeys[i], k, off, len)) {
        return typedRoles[i];
      }
    }
    return TEXT;
  }

  private static boolean same(byte[] a, byte[] k, int off, int len) {
    return a.length == len && Arrays.equals(a, 0, len, k, off, off + len);
  }

  void startLine() {
    timeFailed = false;
    timeSeen = false;
  }

  ParseResult finish() {
    return timeFailed ? ParseResult.OK_TIME_UNPARSED : ParseResult.OK;
  }

  /** Reports a text field in its role. */
  void deliver(FieldSink sink, int role, byte[] k, int ko, int kl, byte[] v, int vo, int vl) {
    switch (role) {
      case TEXT -> sink.string(k, ko, kl, v, vo, vl);
      case TIME -> time(sink, time, k, ko, kl, v, vo, vl);
      case BOOL -> bool(sink, k, ko, kl, v, vo, vl);
      default -> number(sink, role, k, ko, kl, v, vo, vl);
    }
  }

  /** Reports the time field, read with {@code parser} (syslog picks one per message). */
  void time(FieldSink sink, TimeParser parser, byte[] k, int ko, int kl, byte[] v, int vo, int vl) {
    if (timeSeen) { // a repeated time key is an ordinary field: one time per event
      sink.string(k, ko, kl, v, vo, vl);
      return;
    }
    timeSeen = true;
    long t = parser.parse(v, vo, vl);
    if (t == TimeParser.FAILED) {
      timeFailed = true;
      sink.string(k, ko, kl, v, vo, vl);
      return;
    }
    sink.time(t);
    if (timeKeep) {
      sink.string(k, ko, kl, v, vo, vl);
    }
  }

  /** A JSON number in the time field: epoch seconds when the format says so, else just a number. */
  boolean timeNumber(FieldSink sink, byte[] k, int ko, int kl, long whole, double real, boolean isReal) {
    if (!epochSeconds || timeSeen) {
      return false;
    }
    timeSeen = true;
    double seconds = isReal ? real : whole;
    if (!(Math.abs(seconds) < 9.2e9)) {
      timeFailed = true;
      return false;
    }
    long s = (long) Math.floor(seconds);
    long nanos = isReal ? Math.round((seconds - s) * 1e9) : 0;
    sink.time(s * 1_000_000_000L + nanos);
    return !timeKeep;
  }

  private void bool(FieldSink sink, byte[] k, int ko, int kl, byte[] v, int vo, int vl) {
    if (vl == 4 && (v[vo] | 0x20) == 't' && (v[vo + 1] | 0x20) == 'r' && (v[vo + 2] | 0x20) == 'u'
        && (v[vo + 3] | 0x20) == 'e') {
      sink.bool(k, ko, kl, true);
    } else if (vl == 5 && (v[vo] | 0x20) == 'f' && (v[vo + 1] | 0x20) == 'a' && (v[vo + 2] | 0x20) == 'l'
        && (v[vo + 3] | 0x20) == 's' && (v[vo + 4] | 0x20) == 'e') {
      sink.bool(k, ko, kl, false);
    } else {
      sink.string(k, ko, kl, v, vo, vl);
    }
  }

  private void number(FieldSink sink, int role, byte[] k, int ko, int kl, byte[] v, int vo, int vl) {
    if (vl == 0 || vl == 1 && v[vo] == '-') {
      sink.nil(k, ko, kl);
      return;
    }
    int kind = numbers.read(v, vo, vl, true);
    if (kind == NumberText.INTEGER) {
      if (role == INTEGER) {
        sink.integer(k, ko, kl, numbers.integer);
      } else {
        sink.real(k, ko, kl, numbers.integer);
      }
    } else if (kind == NumberText.REAL && role == REAL) {
      sink.real(k, ko, kl, numbers.real);
    } else {
      sink.string(k, ko, kl, v, vo, vl);
    }
  }
}
