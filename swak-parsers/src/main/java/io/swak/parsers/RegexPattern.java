package io.swak.parsers;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Pattern;
import java.util.regex.PatternSyntaxException;

/**
 * A regex with named groups, rewritten to run on {@link ByteChars} (one char per byte of the UTF-8 line).
 *
 * <p>The rule, and why it holds: the line's UTF-8 bytes are the regex's chars, so a match's char offsets
 * are byte offsets and no line is decoded. ASCII in a pattern means the same on bytes as on text, and
 * bytes of multi-byte characters are all 0x80 and above, so they never match an ASCII literal or class
 * ({@code [^ ]+}, {@code [^"]*}, {@code \S+} and {@code .*} take whole characters). A non-ASCII literal
 * ({@code é}) is rewritten to its UTF-8 bytes as a group, {@code (?:\xC3\xA9)}. What cannot be made to
 * work is refused at setup: a non-ASCII character inside a {@code [...]} class (it would be a class of
 * its single bytes; use {@code (?:é|è)}), {@code \}{@code u} escapes above 0x7F (write the character), and
 * the {@code u}/{@code U} flags (Unicode case folding and classes would fold or match lone bytes).
 * What stays byte-wise: {@code .} and {@code .{3}} count bytes, {@code \w} and {@code (?i)} are ASCII
 * only (as in Java by default), {@code \p{L}} tests single bytes (avoid it), and {@code \xhh} matches
 * the byte hh, which lets a pattern match raw non-UTF-8 bytes.
 *
 * <p>Group names may use {@code _ . -} and digits as Fluent Bit's do ({@code (?<remote_addr>...)}): they
 * are renamed to Java's letters-and-digits for the compiled pattern and reported under their own name.
 */
final class RegexPattern {

  final Pattern pattern;
  /** the names as the user wrote them, in pattern order */
  final List<String> names;
  /** the names in the compiled pattern */
  final List<String> javaNames;
  /**
   * each name's group number, counted while rewriting (Java 17 has no API for it), so a match is read
   * with start(int) rather than a map lookup per group; null where counting is unsafe ({@code (?x)}
   * comments may hold parentheses): then the names are looked up
   */
  final int[] groupNumbers;

  private RegexPattern(Pattern pattern, List<String> names, List<String> javaNames, int[] groupNumbers) {
    this.pattern = pattern;
    this.names = names;
    this.javaNames = javaNames;
    this.groupNumbers = groupNumbers;
  }

  static Setup<RegexPattern> compile(String source) {
    return compile(source, true);
  }

  /** {@code fields}: the regex must name groups (a parser's), else it only tests whether a text matches (grep's). */
  static Setup<RegexPattern> compile(String source, boolean fields) {
    StringBuilder out = new StringBuilder(source.length() + 16);
    List<String> names = new ArrayList<>();
    List<String> javaNames = new ArrayList<>();
    List<Integer> numbers = new ArrayList<>();
    int groups = 0;
    boolean countable = true;
    int classDepth = 0;
    int i = 0;
    int n = source.length();
    while (i < n) {
      int c = source.codePointAt(i);
      int width = Character.charCount(c);
      if (c == '\\') {
        if (i + 1 >= n) {
          return rejected("the pattern ends with a lone backslash");
        }
        char e = source.charAt(i + 1);
        if (e == 'Q') {
          int stop = source.indexOf("\\E", i + 2);
          String quoted = source.substring(i + 2, stop < 0 ? n : stop);
          out.append(Pattern.quote(new String(quoted.getBytes(StandardCharsets.UTF_8),
              StandardCharsets.ISO_8859_1)));
          i = stop < 0 ? n : stop + 2;
          continue;
        }
        if (e == 'u' && i + 6 <= n && Integer.parseInt(hexOrZero(source.substring(i + 2, i + 6)), 16) > 0x7F) {
          return rejected("a \\u escape above 0x7F matches a single byte here: write the character itself");
        }
        if (e == 'k' && i + 2 < n && source.charAt(i + 2) == '<') {
          int close = source.indexOf('>', i + 3);
          int at = close < 0 ? -1 : names.indexOf(source.substring(i + 3, close));
          if (at < 0) {
            return rejected("\\k<...> names no group before it");
          }
          out.append("\\k<").append(javaNames.get(at)).append('>');
          i = close + 1;
          continue;
        }
        out.append('\\').append(e);
        i += 2;
        continue;
      }
      if (c > 0x7F) {
        if (classDepth > 0) {
          return rejected("a [...] class cannot hold the non-ASCII character " + new String(Character.toChars(c))
              + " (it is several bytes): use an alternation such as (?:é|è)");
        }
        String bytes = new String(new String(Character.toChars(c)).getBytes(StandardCharsets.UTF_8),
            StandardCharsets.ISO_8859_1);
        out.append("(?:");
        for (int k = 0; k < bytes.length(); k++) {
          out.append(String.format("\\x%02X", (int) bytes.charAt(k)));
        }
        out.append(')');
        i += width;
        continue;
      }
      if (c == '[') {
        classDepth++;
      } else if (c == ']' && classDepth > 0) {
        classDepth--;
      } else if (c == '(' && classDepth == 0 && source.startsWith("(?", i)) {
        int nameStart = source.startsWith("(?<", i) ? i + 3 : source.startsWith("(?P<", i) ? i + 4 : -1;
        if (nameStart > 0 && nameStart < n && source.charAt(nameStart) != '=' && source.charAt(nameStart) != '!') {
          int close = source.indexOf('>', nameStart);
          if (close < 0) {
            return rejected("a group name is not closed with >");
          }
          String name = source.substring(nameStart, close);
          if (!name.matches("[A-Za-z0-9_.\\-@]+")) {
            return rejected("group name " + name + " has characters other than letters, digits and _ . - @");
          }
          if (names.contains(name)) {
            return rejected("group name " + name + " is used twice");
          }
          String javaName = "g" + (names.size() + 1);
          numbers.add(++groups);
          names.add(name);
          javaNames.add(javaName);
          out.append("(?<").append(javaName).append('>');
          i = close + 1;
          continue;
        }
        int flagsEnd = i + 2;
        while (flagsEnd < n && "idmsuxU-".indexOf(source.charAt(flagsEnd)) >= 0) {
          flagsEnd++;
        }
        String flags = source.substring(i + 2, flagsEnd);
        if (flagsEnd < n && (source.charAt(flagsEnd) == ')' || source.charAt(flagsEnd) == ':')
            && (flags.indexOf('u') >= 0 || flags.indexOf('U') >= 0)) {
          return rejected("the u and U flags work on characters, and this regex sees bytes");
        }
        countable &= flags.indexOf('x') < 0;
      } else if (c == '(' && classDepth == 0) {
        groups++; // a plain capturing group
      }
      out.appendCodePoint(c);
      i += width;
    }
    if (names.isEmpty() && fields) {
      return rejected("the regex has no named group (?<name>...), so it would give no field");
    }
    try {
      Pattern compiled = Pattern.compile(out.toString());
      int[] groupNumbers = countable && compiled.matcher("").groupCount() == groups
          ? numbers.stream().mapToInt(Integer::intValue).toArray() : null;
      return new Setup.Ready<>(new RegexPattern(compiled, List.copyOf(names), List.copyOf(javaNames),
          groupNumbers));
    } catch (PatternSyntaxException e) {
      return rejected("the regex does not compile: " + e.getDescription() + " near index " + e.getIndex());
    }
  }

  private static String hexOrZero(String s) {
    return s.matches("[0-9A-Fa-f]{4}") ? s : "0";
  }

  private static Setup<RegexPattern> rejected(String reason) {
    return new Setup.Rejected<>(reason);
  }
}
