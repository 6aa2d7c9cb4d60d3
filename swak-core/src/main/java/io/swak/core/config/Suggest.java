package io.swak.core.config;

import java.util.ArrayList;
import java.util.Collection;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;

/** "Did you mean …?" for misspelt option and plugin names. */
public final class Suggest {

  private Suggest() { }

  /** The candidates close to {@code word}, closest first; empty when nothing is close. */
  static List<String> close(String word, Collection<String> candidates) {
    String w = word.toLowerCase(Locale.ROOT);
    record Scored(String name, int d) { }
    List<Scored> hits = new ArrayList<>();
    for (String c : candidates) {
      String lc = c.toLowerCase(Locale.ROOT);
      int d = distance(w, lc);
      int shorter = Math.min(w.length(), lc.length());
      int limit = shorter <= 3 ? 1 : Math.max(2, shorter / 3);
      if (d <= limit || (w.length() >= 3 && (lc.contains(w) || w.contains(lc)))) {
        hits.add(new Scored(c, d));
      }
    }
    hits.sort(Comparator.comparingInt(Scored::d).thenComparing(Scored::name));
    return hits.stream().map(Scored::name).distinct().limit(3).toList();
  }

  /** " — did you mean `a`?" or "", ready to append to a message. */
  public static String didYouMean(String word, Collection<String> candidates) {
    List<String> c = close(word, candidates);
    if (c.isEmpty()) {
      return "";
    }
    return " — did you mean " + String.join(" or ", c.stream().map(s -> "`" + s + "`").toList()) + "?";
  }

  /** Levenshtein distance, counting a swap of neighbours as one edit. */
  static int distance(String a, String b) {
    int[][] d = new int[a.length() + 1][b.length() + 1];
    for (int i = 0; i <= a.length(); i++) {
      d[i][0] = i;
    }
    for (int j = 0; j <= b.length(); j++) {
      d[0][j] = j;
    }
    for (int i = 1; i <= a.length(); i++) {
      for (int j = 1; j <= b.length(); j++) {
        int cost = a.charAt(i - 1) == b.charAt(j - 1) ? 0 : 1;
        d[i][j] = Math.min(Math.min(d[i - 1][j] + 1, d[i][j - 1] + 1), d[i - 1][j - 1] + cost);
        if (i > 1 && j > 1 && a.charAt(i - 1) == b.charAt(j - 2) && a.charAt(i - 2) == b.charAt(j - 1)) {
          d[i][j] = Math.min(d[i][j], d[i - 2][j - 2] + 1);
        }
      }
    }
    return d[a.length()][b.length()];
  }
}
