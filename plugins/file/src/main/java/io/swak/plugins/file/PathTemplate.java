package io.swak.plugins.file;

import java.time.LocalDateTime;

/** Expands {@code ${tag}} and the strftime fields %Y %m %d %H %M %S in an output path. */
final class PathTemplate {

  private PathTemplate() { }

  static String expand(String template, String tag, LocalDateTime now) {
    if (template.indexOf('$') < 0 && template.indexOf('%') < 0) {
      return template;
    }
    StringBuilder sb = new StringBuilder(template.length() + 16);
    for (int i = 0; i < template.length(); i++) {
      char c = template.charAt(i);
      if (c == '$' && template.startsWith("${tag}", i)) {
        sb.append(safe(tag));
        i += 5;
      } else if (c == '%' && i + 1 < template.length()) {
        char f = template.charAt(++i);
        switch (f) {
          case 'Y' -> sb.append(now.getYear());
          case 'm' -> two(sb, now.getMonthValue());
          case 'd' -> two(sb, now.getDayOfMonth());
          case 'H' -> two(sb, now.getHour());
          case 'M' -> two(sb, now.getMinute());
          case 'S' -> two(sb, now.getSecond());
          case '%' -> sb.append('%');
          default -> sb.append('%').append(f);
        }
      } else {
        sb.append(c);
      }
    }
    return sb.toString();
  }

  /** A tag as one path segment: a tag from the network must not climb out of the configured directory. */
  static String safe(String tag) {
    String s = tag.replace('/', '_').replace('\\', '_').replace("..", "__");
    return s.isEmpty() ? "_" : s;
  }

  private static void two(StringBuilder sb, int v) {
    if (v < 10) {
      sb.append('0');
    }
    sb.append(v);
  }
}
