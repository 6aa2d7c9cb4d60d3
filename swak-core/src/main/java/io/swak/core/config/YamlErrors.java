package io.swak.core.config;

import org.snakeyaml.engine.v2.exceptions.Mark;
import org.snakeyaml.engine.v2.exceptions.MarkedYamlEngineException;

/** Turns the YAML parser's messages into advice about the usual copy-paste mistakes. */
final class YamlErrors {

  private YamlErrors() { }

  static String explain(MarkedYamlEngineException e, String text) {
    String problem = e.getProblem() == null ? "" : e.getProblem();
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
