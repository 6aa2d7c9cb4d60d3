package io.swak.core.config;

import org.snakeyaml.engine.v2.exceptions.Mark;
import org.snakeyaml.engine.v2.exceptions.MarkedYamlEngineException;

/** Turns the YAML parser's messages into advice about the usual copy-paste mistakes. */
final class YamlErrors {

  private YamlErrors() { }

  /**
   * Where to point: at the problem, except for a bracket or quote never closed, which the parser notices only
   * lines later (at the next entry or the end of the file): then at the bracket or quote.
   */
  static Mark where(MarkedYamlEngineException e) {
    if (unclosed(e) != null && e.getContextMark().isPresent()) {
      return e.getContextMark().get();
    }
    return e.getProblemMark().orElse(e.getContextMark().orElse(null));
  }

  /** The opening bracket or quote the parser was inside when it gave up, or null. */
  private static String unclosed(MarkedYamlEngineException e) {
    String context = e.getContext() == null ? "" : e.getContext();
    String problem = e.getProblem() == null ? "" : e.getProblem();
    if (context.contains("flow mapping") && problem.contains("expected ',' or '}'")) {
      return "{";
    }
    if (context.contains("flow sequence") && problem.contains("expected ',' or ']'")) {
      return "[";
    }
    if (context.contains("quoted scalar") && problem.contains("end of stream")) {
      return "\"";
    }
    return null;
  }

  static String explain(MarkedYamlEngineException e, String text) {
    String problem = e.getProblem() == null ? "" : e.getProblem();
    String open = unclosed(e);
    if (open != null) {
      String close = open.equals("{") ? "}" : open.equals("[") ? "]" : open;
      return "this `" + open + "` is not closed: add the `" + close + "` at the end of its value (on the same line, "
          + "or on a later line indented deeper than the step)";
    }
    char at = charAt(text, e.getProblemMark().orElse(null));
    if (at == ',' && problem.contains("but found ','")) {
      return "unexpected `,` after a value: YAML block lists and maps need no commas — remove the comma";
    }
    if (problem.contains("'\\t'") || problem.contains("\\t(TAB)") || at == '\t') {
      return "a tab character: YAML indents with spaces only — replace the tab with spaces";
    }
    if (problem.contains("mapping values are not allowed here")) {
      return "a `:` where a value was expected: quote the value if it contains `: `, "
          + "or check the indentation of this line";
    }
    if (problem.contains("expected <block end>")) {
      return "this line's indentation does not match the lines above it: " + problem
          + ". Indent a step's options deeper than the step's name";
    }
    String context = e.getContext() == null ? "" : e.getContext() + ": ";
    return "not valid YAML: " + context + problem;
  }

  private static char charAt(String text, Mark m) {
    if (m == null) {
      return 0;
    }
    int line = 0;
    int i = 0;
    while (line < m.getLine() && i < text.length()) {
      if (text.charAt(i++) == '\n') {
        line++;
      }
    }
    int idx = i + m.getColumn();
    return idx < text.length() ? text.charAt(idx) : 0;
  }
}
