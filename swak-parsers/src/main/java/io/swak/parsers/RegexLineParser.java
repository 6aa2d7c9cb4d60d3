package io.swak.parsers;

import java.nio.charset.StandardCharsets;
import java.util.regex.Matcher;

/**
 * Format {@code regex}: the named groups of a Java regex ({@code (?<name>...)}), found with
 * {@code Matcher.find} on a byte view of the line (see {@link RegexPattern} for what patterns may hold).
 * Each group that took part becomes a string field (or int/float/bool by {@code types}); a group that did
 * not take part is absent. A regex that backtracks without end on a hostile line is stopped by a step
 * budget (chars read, proportional to the line) and the line is MALFORMED, so one line cannot stall a
 * pipeline.
 */
public final class RegexLineParser implements LineParser {

  static final ParseResult NO_MATCH = ParseResult.noMatch("the regex does not match");
  static final ParseResult GAVE_UP = ParseResult.malformed("the regex gave up: too much backtracking");

  /** chars a match may read per byte of the line (plus a floor): far above what sane patterns use */
  private static final long STEPS_PER_BYTE = 1000;
  private static final long STEPS_FLOOR = 1_000_000;
  private static final byte[] NOTHING = new byte[0];

  private final ByteChars chars = new ByteChars();
  private final Matcher matcher;
  private final String[] javaNames;
  private final int[] groupNumbers;
  private final byte[][] keys;
  private final int[] roles;
  private final FieldConversions conversions;

  RegexLineParser(RegexPattern pattern, FieldConversions conversions) {
    this.matcher = pattern.pattern.matcher("");
    this.conversions = conversions;
    int n = pattern.names.size();
    this.javaNames = pattern.javaNames.toArray(new String[0]);
    this.groupNumbers = pattern.groupNumbers;
    this.keys = new byte[n][];
    this.roles = new int[n];
    for (int i = 0; i < n; i++) {
      keys[i] = pattern.names.get(i).getBytes(StandardCharsets.UTF_8);
      roles[i] = conversions.roleOf(pattern.names.get(i));
    }
  }

  @Override
  public ParseResult parse(byte[] line, int off, int len, FieldSink sink) {
    try {
      matcher.reset(chars.reset(line, off, len, STEPS_FLOOR + STEPS_PER_BYTE * len));
      if (!matcher.find()) {
        return NO_MATCH;
      }
      conversions.startLine();
      for (int i = 0; i < keys.length; i++) {
        int start;
        int stop;
        if (groupNumbers != null) {
          start = matcher.start(groupNumbers[i]);
          stop = matcher.end(groupNumbers[i]);
        } else {
          start = matcher.start(javaNames[i]);
          stop = matcher.end(javaNames[i]);
        }
        if (start >= 0) {
          byte[] k = keys[i];
          conversions.deliver(sink, roles[i], k, 0, k.length, line, off + start, stop - start);
        }
      }
      return conversions.finish();
    } catch (ByteChars.BudgetExceeded e) {
      return GAVE_UP;
    } catch (StackOverflowError e) {
      // java.util.regex recurses per repetition of a group: (a|b)* on a 10 MB line overflows the stack.
      // Nothing is left half-done (the matcher is reset per line), so the line is MALFORMED.
      return GAVE_UP;
    } finally {
      chars.reset(NOTHING, 0, 0); // the matcher keeps its text: do not keep the line alive
    }
  }
}
