package io.swak.plugins.elasticsearch;

import java.time.LocalDateTime;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * The {@code index} option: literal text, {@code ${tag}}, record fields {@code ${record.field}} (a dotted path
 * into nested maps, or a key with dots in it) and strftime codes of the event's time in UTC ({@code %Y %m %d %H
 * %M %S %y %j %%}). What a tag or field puts in is made a valid index name: lowercase, and the characters
 * Elasticsearch forbids ({@code \ / * ? " < > | , # :} and spaces) as {@code _}.
 */
final class IndexTemplate {

  private static final String FORBIDDEN = "\\/*?\"<>|,#: ";
  private static final String CODES = "YmdHMSyj%";

  /** One piece of the template. */
  private record Part(char kind, String text, String[] path) { }

  private final String source;
  private final List<Part> parts;
  private final boolean usesRecord;
  private final boolean usesTag;
  /** The time unit the result depends on, in seconds (86400 for a daily index); 0 when it does not depend on time. */
  private final long granularity;

  private IndexTemplate(String source, List<Part> parts) {
    this.source = source;
    this.parts = parts;
    this.usesRecord = parts.stream().anyMatch(p -> p.kind == 'r');
    this.usesTag = parts.stream().anyMatch(p -> p.kind == 't');
    long g = 0;
    for (Part p : parts) {
      if (p.kind == '%') {
        long unit = switch (p.text.charAt(0)) {
          case 'H' -> 3600;
          case 'M' -> 60;
          case 'S' -> 1;
          case '%' -> 0;
          default -> 86400;
        };
        if (unit > 0) {
          g = g == 0 ? unit : Math.min(g, unit);
        }
      }
    }
    this.granularity = g;
  }

  /** Parses {@code text}; throws IllegalArgumentException naming what is wrong and what is allowed. */
  static IndexTemplate parse(String text, String option) {
    if (text == null || text.isBlank()) {
      throw new IllegalArgumentException("option `" + option + "` must not be empty");
    }
    List<Part> parts = new ArrayList<>();
    StringBuilder lit = new StringBuilder();
    for (int i = 0; i < text.length(); i++) {
      char c = text.charAt(i);
      if (c == '%') {
        if (i + 1 >= text.length() || CODES.indexOf(text.charAt(i + 1)) < 0) {
          throw new IllegalArgumentException("option `" + option + "`: unknown date code `%"
              + (i + 1 < text.length() ? text.charAt(i + 1) : "") + "` in '" + text + "' (use %Y %m %d %H %M %S %y %j, "
              + "or %% for a percent sign)");
        }
        char code = text.charAt(++i);
        if (code == '%') {
          lit.append('%');
          continue;
        }
        flush(lit, parts);
        parts.add(new Part('%', String.valueOf(code), null));
      } else if (c == '$' && i + 1 < text.length() && text.charAt(i + 1) == '{') {
        int close = text.indexOf('}', i);
        if (close < 0) {
          throw new IllegalArgumentException("option `" + option + "`: `${` is not closed in '" + text + "'");
        }
        String name = text.substring(i + 2, close).trim();
        flush(lit, parts);
        if (name.equals("tag")) {
          parts.add(new Part('t', null, null));
        } else if (name.startsWith("record.") && name.length() > 7) {
          String field = name.substring(7);
          parts.add(new Part('r', field, field.split("\\.")));
        } else {
          throw new IllegalArgumentException("option `" + option + "`: unknown placeholder `${" + name + "}` in '"
              + text + "' (use ${tag} or ${record.FIELD}; environment variables are ${NAME} in capitals)");
        }
        i = close;
      } else {
        if (Character.isUpperCase(c)) {
          throw new IllegalArgumentException("option `" + option + "`: index names must be lowercase, got '" + text
              + "'");
        }
        if (FORBIDDEN.indexOf(c) >= 0) {
          throw new IllegalArgumentException("option `" + option + "`: `" + c + "` is not allowed in an index name ('"
              + text + "'; not allowed: " + FORBIDDEN.strip() + " and spaces)");
        }
        lit.append(c);
      }
    }
    flush(lit, parts);
    if (!parts.isEmpty() && parts.get(0).kind == 'l' && "-_+".indexOf(parts.get(0).text.charAt(0)) >= 0) {
      throw new IllegalArgumentException("option `" + option + "`: an index name must not start with -, _ or +");
    }
    return new IndexTemplate(text, List.copyOf(parts));
  }

  private static void flush(StringBuilder lit, List<Part> parts) {
    if (lit.length() > 0) {
      parts.add(new Part('l', lit.toString(), null));
      lit.setLength(0);
    }
  }

  boolean usesRecord() {
    return usesRecord;
  }

  boolean usesTag() {
    return usesTag;
  }

  /** Seconds the name stays the same for (86400 for a daily index); 0 when time does not matter. */
  long granularity() {
    return granularity;
  }

  /** The record fields the template reads, as dotted paths. */
  List<String> fields() {
    return parts.stream().filter(p -> p.kind == 'r').map(Part::text).toList();
  }

  /** The name for an event; {@code field} gives a record field's text by dotted path, or null when it has none. */
  String render(String tag, long timeNanos, FieldText field) {
    StringBuilder b = new StringBuilder(32);
    LocalDateTime t = null;
    for (Part p : parts) {
      switch (p.kind) {
        case 'l' -> b.append(p.text);
        case 't' -> b.append(clean(tag));
        case 'r' -> {
          String v = field == null ? null : field.text(p.text, p.path);
          b.append(v == null ? "" : clean(v));
        }
        default -> {
          if (t == null) {
            t = LocalDateTime.ofEpochSecond(Math.floorDiv(timeNanos, 1_000_000_000L), 0, ZoneOffset.UTC);
          }
          date(b, p.text.charAt(0), t);
        }
      }
    }
    return b.toString();
  }

  private static void date(StringBuilder b, char code, LocalDateTime t) {
    switch (code) {
      case 'Y' -> b.append(t.getYear());
      case 'y' -> pad(b, t.getYear() % 100, 2);
      case 'm' -> pad(b, t.getMonthValue(), 2);
      case 'd' -> pad(b, t.getDayOfMonth(), 2);
      case 'H' -> pad(b, t.getHour(), 2);
      case 'M' -> pad(b, t.getMinute(), 2);
      case 'S' -> pad(b, t.getSecond(), 2);
      case 'j' -> pad(b, t.getDayOfYear(), 3);
      default -> throw new IllegalStateException("date code " + code);
    }
  }

  private static void pad(StringBuilder b, int v, int n) {
    String s = Integer.toString(v);
    for (int i = s.length(); i < n; i++) {
      b.append('0');
    }
    b.append(s);
  }

  /** A tag's or field's text as part of an index name. */
  static String clean(String v) {
    StringBuilder b = new StringBuilder(v.length());
    String lower = v.toLowerCase(Locale.ROOT);
    for (int i = 0; i < lower.length(); i++) {
      char c = lower.charAt(i);
      b.append(FORBIDDEN.indexOf(c) >= 0 || Character.isISOControl(c) ? '_' : c);
    }
    return b.toString();
  }

  @Override
  public String toString() {
    return source;
  }

  /** Looks up a record field's text for the template. */
  @FunctionalInterface
  interface FieldText {
    String text(String dotted, String[] path);
  }
}
