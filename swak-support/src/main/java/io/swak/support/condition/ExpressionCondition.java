package io.swak.support.condition;

import io.swak.api.MsgpackException;
import java.util.List;
import java.util.Set;
import org.apache.commons.jexl3.JexlBuilder;
import org.apache.commons.jexl3.JexlContext;
import org.apache.commons.jexl3.JexlEngine;
import org.apache.commons.jexl3.JexlException;
import org.apache.commons.jexl3.JexlExpression;
import org.apache.commons.jexl3.JexlFeatures;
import org.apache.commons.jexl3.JexlInfo;
import org.apache.commons.jexl3.JexlScript;
import org.apache.commons.jexl3.introspection.JexlPermissions;

/**
 * A {@code when:} expression, compiled by Commons JEXL: strict (a null operand, an undefined variable or a
 * property of something that has none is an error, which makes the condition false), no side effects, loops,
 * object creation or scripts of several statements, and the library's restricted permissions (no reflection,
 * processes or files). Variables: {@code record} (a {@link RecordView}), {@code tag}, {@code time} (seconds since
 * the epoch, with the fraction).
 */
final class ExpressionCondition extends Condition {

  /** The engine, made when the first expression is compiled: a configuration without any never loads JEXL. */
  private static final class Engine {
    static final JexlEngine JEXL = new JexlBuilder()
        .strict(true)
        .safe(false)
        .silent(false)
        .cache(512)
        // the restricted set (no reflection, processes, files, class loading) plus the record view, which it
        // would otherwise refuse as a class it does not know
        .permissions(JexlPermissions.RESTRICTED.compose("io.swak.support.condition.*"))
        .features(new JexlFeatures()
            .script(false).loops(false).sideEffect(false).sideEffectGlobal(false).newInstance(false)
            .lambda(false).pragma(false).annotation(false).localVar(false).register(false)
            .importPragma(false).namespacePragma(false))
        .create();
  }

  private final String text;
  private final JexlExpression expression;
  private final Set<List<String>> variables;
  private final boolean usesRecord;
  private final boolean usesTime;
  private volatile String lastError;

  ExpressionCondition(String text) {
    if (text == null || text.isBlank()) {
      throw new IllegalArgumentException("the condition is empty: write e.g. record.status >= 500");
    }
    this.text = text.strip();
    JexlScript script;
    try {
      // the script form tells which variables it reads; the expression form is what runs, at less than half the
      // cost per evaluation (JMH: no script frame to set up)
      script = Engine.JEXL.createScript(new JexlInfo("when", 1, 1), this.text);
      this.expression = Engine.JEXL.createExpression(new JexlInfo("when", 1, 1), this.text);
    } catch (JexlException e) {
      throw new IllegalArgumentException(describe(e), e);
    }
    this.variables = script.getVariables();
    boolean record = false;
    boolean time = false;
    for (List<String> var : variables) {
      String root = var.get(0);
      switch (root) {
        case "record" -> record = true;
        case "time" -> time = true;
        case "tag" -> { }
        default -> throw new IllegalArgumentException("unknown variable `" + root + "`: a condition reads record (e.g. "
            + "record.status, record[\"a.b\"]), tag and time");
      }
    }
    this.usesRecord = record;
    this.usesTime = time;
  }

  /** The library's message without its class and method prefix, with where in the expression. */
  static String describe(JexlException e) {
    String m = e.getMessage();
    // "org.apache.commons.jexl3.JexlEngine.createScript:when@1:18 parsing error in '>='": keep what follows the location
    int at = m.indexOf('@');
    int space = at < 0 ? -1 : m.indexOf(' ', at);
    String detail = space < 0 ? m : m.substring(space + 1);
    JexlInfo info = e.getInfo();
    String where = info == null ? "" : " (column " + info.getColumn() + " of the expression)";
    return "not a valid condition: " + detail + where;
  }

  /** The variables of one evaluation. */
  private static final class Vars implements JexlContext {
    String tag;
    double time;
    Object record;

    @Override
    public Object get(String name) {
      return switch (name) {
        case "record" -> record;
        case "tag" -> tag;
        case "time" -> time;
        default -> null;
      };
    }

    @Override
    public void set(String name, Object value) {
      throw new UnsupportedOperationException("a condition cannot set variables");
    }

    @Override
    public boolean has(String name) {
      return name.equals("record") || name.equals("tag") || name.equals("time");
    }
  }

  @Override
  public String text() {
    return text;
  }

  @Override
  public Integer byTag(String tag) {
    if (usesRecord || usesTime) {
      return null;
    }
    return eval(new Vars(), tag, 0, null, 0, 0);
  }

  @Override
  public int test(String tag, long timeNanos, byte[] d, int recordStart, int recordEnd) {
    return eval(new Vars(), tag, timeNanos, d, recordStart, recordEnd);
  }

  private int eval(Vars v, String tag, long timeNanos, byte[] d, int rs, int re) {
    v.tag = tag;
    v.time = timeNanos / 1e9;
    v.record = d == null ? null : new RecordView(d, rs, re);
    try {
      Object r = expression.evaluate(v);
      if (r instanceof Boolean b) {
        return b ? TRUE : FALSE;
      }
      lastError = "`" + text + "` gave " + (r == null ? "null" : r.getClass().getSimpleName() + " " + r)
          + ", not true or false";
      return ERROR;
    } catch (JexlException e) {
      lastError = "`" + text + "`: " + describe(e).substring("not a valid condition: ".length());
      return ERROR;
    } catch (MsgpackException | ArithmeticException | ClassCastException | IndexOutOfBoundsException e) {
      lastError = "`" + text + "`: " + e.getMessage();
      return ERROR;
    }
  }

  @Override
  public String lastError() {
    return lastError;
  }

  /** Variable roots the expression reads, for tests. */
  Set<String> roots() {
    Set<String> s = new java.util.TreeSet<>();
    variables.forEach(l -> s.add(l.get(0)));
    return s;
  }
}
