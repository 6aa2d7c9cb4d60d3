package io.swak.dist;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * A strict reader of the Prometheus text exposition format 0.0.4 (no parser library exists for Java): it
 * rejects what Prometheus would reject, and a little more that the conventions forbid (a sample before its
 * TYPE, a family split in two, a counter not named *_total, a duplicate series).
 */
final class PrometheusTextParser {

  record Sample(String name, Map<String, String> labels, double value) { }

  record Family(String name, String type, String help, List<Sample> samples) { }

  private static final Pattern NAME = Pattern.compile("[a-zA-Z_:][a-zA-Z0-9_:]*");
  private static final Pattern LABEL = Pattern.compile("[a-zA-Z_][a-zA-Z0-9_]*");
  private static final Pattern VALUE = Pattern.compile("[-+]?(\\d+\\.?\\d*|\\.\\d+)([eE][-+]?\\d+)?|[-+]Inf|NaN");
  private static final Set<String> TYPES = Set.of("counter", "gauge", "histogram", "summary", "untyped");

  static Map<String, Family> parse(String text) {
    if (!text.isEmpty() && !text.endsWith("\n")) {
      throw new IllegalArgumentException("the exposition must end with a line feed");
    }
    Map<String, Family> families = new LinkedHashMap<>();
    Map<String, String> help = new LinkedHashMap<>();
    Set<String> closed = new HashSet<>();
    Set<String> series = new HashSet<>();
    String current = null;
    int n = 0;
    for (String line : text.split("\n", -1)) {
      n++;
      if (line.isEmpty()) {
        continue;
      }
      String where = "line " + n + ": " + line;
      if (line.startsWith("# HELP ")) {
        String[] p = line.substring(7).split(" ", 2);
        name(p[0], where);
        help.put(p[0], p.length > 1 ? p[1] : "");
      } else if (line.startsWith("# TYPE ")) {
        String[] p = line.substring(7).split(" ");
        if (p.length != 2 || !TYPES.contains(p[1])) {
          throw new IllegalArgumentException("bad TYPE, " + where);
        }
        name(p[0], where);
        if (families.containsKey(p[0])) {
          throw new IllegalArgumentException("second TYPE for " + p[0] + ", " + where);
        }
        if (p[1].equals("counter") && !p[0].endsWith("_total")) {
          throw new IllegalArgumentException("counter not named *_total, " + where);
        }
        if (current != null) {
          closed.add(current);
        }
        current = p[0];
        families.put(p[0], new Family(p[0], p[1], help.get(p[0]), new ArrayList<>()));
      } else if (line.startsWith("#")) {
        continue; // comment
      } else {
        Sample s = sample(line, where);
        if (!s.name().equals(current)) {
          throw new IllegalArgumentException((closed.contains(s.name()) ? "family split in two" : "sample before its TYPE")
              + ", " + where);
        }
        if (!series.add(s.name() + s.labels())) {
          throw new IllegalArgumentException("duplicate series, " + where);
        }
        families.get(current).samples().add(s);
      }
    }
    return families;
  }

  private static void name(String name, String where) {
    if (!NAME.matcher(name).matches()) {
      throw new IllegalArgumentException("bad metric name, " + where);
    }
  }

  private static Sample sample(String line, String where) {
    int i = 0;
    while (i < line.length() && line.charAt(i) != '{' && line.charAt(i) != ' ') {
      i++;
    }
    String name = line.substring(0, i);
    name(name, where);
    Map<String, String> labels = new LinkedHashMap<>();
    if (i < line.length() && line.charAt(i) == '{') {
      i++;
      while (line.charAt(i) != '}') {
        int eq = line.indexOf('=', i);
        String label = line.substring(i, eq);
        if (!LABEL.matcher(label).matches() || labels.containsKey(label)) {
          throw new IllegalArgumentException("bad or repeated label name `" + label + "`, " + where);
        }
        if (line.charAt(eq + 1) != '"') {
          throw new IllegalArgumentException("label value not quoted, " + where);
        }
        StringBuilder v = new StringBuilder();
        int j = eq + 2;
        for (;; j++) {
          char c = line.charAt(j);
          if (c == '\\') {
            char e = line.charAt(++j);
            switch (e) {
              case '\\' -> v.append('\\');
              case '"' -> v.append('"');
              case 'n' -> v.append('\n');
              default -> throw new IllegalArgumentException("bad escape \\" + e + ", " + where);
            }
          } else if (c == '"') {
            break;
          } else {
            v.append(c);
          }
        }
        labels.put(label, v.toString());
        i = j + 1;
        if (line.charAt(i) == ',') {
          i++;
        } else if (line.charAt(i) != '}') {
          throw new IllegalArgumentException("expected , or } after a label, " + where);
        }
      }
      i++;
    }
    if (i >= line.length() || line.charAt(i) != ' ') {
      throw new IllegalArgumentException("expected a space before the value, " + where);
    }
    String[] rest = line.substring(i + 1).split(" ");
    if (rest.length > 2) {
      throw new IllegalArgumentException("trailing text, " + where);
    }
    if (!VALUE.matcher(rest[0]).matches()) {
      throw new IllegalArgumentException("bad value `" + rest[0] + "`, " + where);
    }
    double value = switch (rest[0]) {
      case "+Inf" -> Double.POSITIVE_INFINITY;
      case "-Inf" -> Double.NEGATIVE_INFINITY;
      case "NaN" -> Double.NaN;
      default -> Double.parseDouble(rest[0]);
    };
    if (rest.length == 2) {
      Long.parseLong(rest[1]); // timestamp in ms
    }
    return new Sample(name, labels, value);
  }
}
