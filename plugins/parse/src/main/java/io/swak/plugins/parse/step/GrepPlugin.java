package io.swak.plugins.parse.step;

import io.swak.api.Option;
import io.swak.api.Plugin;
import io.swak.parsers.ByteRegex;
import io.swak.parsers.Setup;
import io.swak.support.FieldPath;
import java.util.Map;

/** {@code grep}: keeps or drops events by regexes on their fields, read from the entry bytes. */
public final class GrepPlugin extends Plugin<GrepPlugin.Options> {

  /** How the rules of one kind combine. */
  public enum LogicalOp { AND, OR }

  /** Options of grep. */
  public record Options(
      @Option("Keep only events whose fields match: a map of field path to regex, e.g. {level: '^(ERROR|WARN)$'}. "
          + "The regex is searched in the field's text (numbers as decimal); a missing field does not match.")
      Map<String, String> regex,
      @Option("Drop events whose fields match: a map of field path to regex, e.g. {path: '^/health'}.")
      Map<String, String> exclude,
      @Option(value = "How several rules of regex (and of exclude) combine: and = all of them, or = any.",
          defaultValue = "and")
      LogicalOp logicalOp) {

    public Options {
      if ((regex == null || regex.isEmpty()) && (exclude == null || exclude.isEmpty())) {
        throw new IllegalArgumentException("grep needs `regex` or `exclude`: e.g. regex: {level: '^ERROR$'}");
      }
      check("regex", regex);
      check("exclude", exclude);
    }

    private static void check(String option, Map<String, String> rules) {
      if (rules == null) {
        return;
      }
      for (Map.Entry<String, String> e : rules.entrySet()) {
        FieldPath.parse(e.getKey());
        if (ByteRegex.compile(e.getValue()) instanceof Setup.Rejected<ByteRegex> r) {
          throw new IllegalArgumentException("option `" + option + "`, field " + e.getKey() + ": " + r.reason());
        }
      }
    }
  }

  public GrepPlugin() {
    super("grep", "Keeps the events whose fields match regexes (regex) and drops those that match others (exclude).",
        Options.class, GrepStep::new, "filter.grep");
  }
}
