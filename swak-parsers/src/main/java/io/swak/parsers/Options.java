package io.swak.parsers;

import java.time.Clock;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * A parser's options as configuration gives them (strings, numbers, booleans, lists, maps), read with
 * defaults. The first problem (a wrong type, an unknown name: a typo would otherwise be ignored quietly)
 * is kept and turned into a Rejected setup by the factory.
 */
final class Options {

  private final Map<String, ?> values;
  private final Clock clock;
  private final Set<String> read = new HashSet<>();
  private String problem;

  Options(Map<String, ?> values, Clock clock) {
    this.values = values == null ? Map.of() : values;
    this.clock = clock;
  }

  /** The clock that dates timestamps logged without a year. */
  Clock clock() {
    return clock;
  }

  String problem() {
    return problem;
  }

  void reject(String reason) {
    if (problem == null) {
      problem = reason;
    }
  }

  boolean has(String name) {
    return values.containsKey(name);
  }

  String string(String name, String fallback) {
    read.add(name);
    Object v = values.get(name);
    if (v == null) {
      return fallback;
    }
    if (v instanceof String || v instanceof Number || v instanceof Boolean || v instanceof Character) {
      return v.toString();
    }
    reject("option " + name + " must be a string");
    return fallback;
  }

  boolean bool(String name, boolean fallback) {
    read.add(name);
    Object v = values.get(name);
    if (v == null) {
      return fallback;
    }
    if (v instanceof Boolean bv) {
      return bv;
    }
    String s = v.toString().trim();
    if (s.equalsIgnoreCase("true") || s.equalsIgnoreCase("on") || s.equalsIgnoreCase("yes")) {
      return true;
    }
    if (s.equalsIgnoreCase("false") || s.equalsIgnoreCase("off") || s.equalsIgnoreCase("no")) {
      return false;
    }
    reject("option " + name + " must be true or false");
    return fallback;
  }

  long number(String name, long fallback) {
    read.add(name);
    Object v = values.get(name);
    if (v == null) {
      return fallback;
    }
    if (v instanceof Number nv) {
      return nv.longValue();
    }
    try {
      return Long.parseLong(v.toString().trim());
    } catch (NumberFormatException e) {
      reject("option " + name + " must be a whole number");
      return fallback;
    }
  }

  /** A list, or a string of names separated by commas or spaces. */
  List<String> list(String name) {
    read.add(name);
    Object v = values.get(name);
    if (v == null) {
      return List.of();
    }
    List<String> out = new ArrayList<>();
    if (v instanceof List<?> l) {
      for (Object o : l) {
        out.add(String.valueOf(o).trim());
      }
      return out;
    }
    for (String s : v.toString().split("[,\\s]+")) {
      if (!s.isEmpty()) {
        out.add(s);
      }
    }
    return out;
  }

  /** A map, or a string of {@code name:value} pairs separated by commas or spaces (Fluent Bit's Types). */
  Map<String, String> pairs(String name) {
    read.add(name);
    Object v = values.get(name);
    Map<String, String> out = new LinkedHashMap<>();
    if (v == null) {
      return out;
    }
    if (v instanceof Map<?, ?> m) {
      m.forEach((k, val) -> out.put(String.valueOf(k), String.valueOf(val)));
      return out;
    }
    for (String pair : list(name)) {
      int colon = pair.indexOf(':');
      if (colon <= 0) {
        reject("option " + name + " wants name:type pairs, got " + pair);
        continue;
      }
      out.put(pair.substring(0, colon), pair.substring(colon + 1));
    }
    return out;
  }

  /** Rejects names that nothing read: call after the parser took its options. */
  void noOthers(String format) {
    for (String name : values.keySet()) {
      if (!read.contains(name) && !name.equals("format")) {
        reject("unknown option " + name + " for format " + format);
      }
    }
  }
}
