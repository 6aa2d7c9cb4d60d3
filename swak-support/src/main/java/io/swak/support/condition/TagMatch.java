package io.swak.support.condition;

import java.util.ArrayList;
import java.util.List;
import java.util.regex.Pattern;

/**
 * {@code match:} patterns on the tag, Fluentd's rules: the tag is parts separated by dots; {@code *} matches one
 * part ({@code web.*}: {@code web.access}, not {@code web} nor {@code web.a.b}), {@code **} zero or more parts
 * ({@code web.**}: {@code web}, {@code web.access}, {@code web.a.b}); {@code *} inside a part matches any characters
 * of that part ({@code web.acc*}). Several patterns: any of them. The last tag's answer is kept, as batches of one
 * tag follow each other.
 */
final class TagMatch extends Condition {

  private final List<String> patterns;
  private final Pattern regex;
  private final String text;
  private volatile Last last;

  private record Last(String tag, boolean matches) { }

  TagMatch(List<String> patterns) {
    if (patterns == null || patterns.isEmpty()) {
      throw new IllegalArgumentException("no tag pattern: write e.g. match: \"web.*\" or match: [\"web.*\", \"app.**\"]");
    }
    this.patterns = List.copyOf(patterns);
    List<String> alternatives = new ArrayList<>();
    for (String p : this.patterns) {
      alternatives.add(toRegex(p));
    }
    this.regex = Pattern.compile(String.join("|", alternatives));
    this.text = "match " + String.join(", ", this.patterns);
  }

  /** One pattern as a regex; throws IllegalArgumentException saying what is wrong with it. */
  static String toRegex(String pattern) {
    if (pattern == null || pattern.isBlank()) {
      throw new IllegalArgumentException("an empty tag pattern matches nothing: write e.g. \"web.*\" or \"**\"");
    }
    String[] parts = pattern.split("\\.", -1);
    StringBuilder b = new StringBuilder("(?:");
    // each part is written with the dot that separates it from the previous one, so ** can stand for no parts
    for (int i = 0; i < parts.length; i++) {
      String part = parts[i];
      if (part.isEmpty()) {
        throw new IllegalArgumentException("tag pattern `" + pattern + "` has an empty part (two dots in a row, or a"
            + " dot at an end)");
      }
      boolean first = i == 0;
      if (part.equals("**")) {
        if (parts.length == 1) {
          b.append(".*");
        } else if (first) {
          b.append("(?:[^.]+(?:\\.[^.]+)*\\.)?"); // **.x: any parts then the dot before x, or nothing
        } else {
          b.append("(?:\\.[^.]+)*");
        }
        continue;
      }
      if (part.contains("**")) {
        throw new IllegalArgumentException("tag pattern `" + pattern + "`: ** stands for whole parts of the tag; write "
            + "it between dots (web.**), not inside a part (`" + part + "`)");
      }
      boolean afterLeadingStars = i == 1 && parts[0].equals("**");
      if (!first && !afterLeadingStars) {
        b.append("\\.");
      }
      StringBuilder lit = new StringBuilder();
      for (char c : part.toCharArray()) {
        if (c == '*') {
          if (!lit.isEmpty()) {
            b.append(Pattern.quote(lit.toString()));
            lit.setLength(0);
          }
          b.append("[^.]*");
        } else {
          lit.append(c);
        }
      }
      if (!lit.isEmpty()) {
        b.append(Pattern.quote(lit.toString()));
      }
      if (part.equals("*")) {
        b.setLength(b.length() - "[^.]*".length());
        b.append("[^.]+");
      }
    }
    return b.append(')').toString();
  }

  boolean matches(String tag) {
    Last l = last;
    if (l != null && l.tag.equals(tag)) {
      return l.matches;
    }
    boolean m = regex.matcher(tag).matches();
    last = new Last(tag, m);
    return m;
  }

  @Override
  public String text() {
    return text;
  }

  @Override
  public Integer byTag(String tag) {
    return matches(tag) ? TRUE : FALSE;
  }

  @Override
  public int test(String tag, long timeNanos, byte[] d, int recordStart, int recordEnd) {
    return matches(tag) ? TRUE : FALSE;
  }

  @Override
  public String lastError() {
    return null;
  }
}
