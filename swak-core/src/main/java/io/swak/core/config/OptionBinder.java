package io.swak.core.config;

import io.swak.api.Durations;
import io.swak.api.DataSize;
import io.swak.support.Schedule;
import java.lang.reflect.Constructor;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.ParameterizedType;
import java.lang.reflect.RecordComponent;
import java.lang.reflect.Type;
import java.nio.charset.Charset;
import java.nio.file.Path;
import java.time.DateTimeException;
import java.time.Duration;
import java.time.ZoneId;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.regex.PatternSyntaxException;
import org.snakeyaml.engine.v2.nodes.MappingNode;
import org.snakeyaml.engine.v2.nodes.Node;
import org.snakeyaml.engine.v2.nodes.NodeTuple;
import org.snakeyaml.engine.v2.nodes.ScalarNode;
import org.snakeyaml.engine.v2.nodes.SequenceNode;
import org.snakeyaml.engine.v2.nodes.Tag;

/**
 * Binds YAML nodes to an options record declared with {@link io.swak.api.Option}: converts each value
 * to its component's type, applies defaults, substitutes {@code ${ENV}} and {@code ${ENV:-default}},
 * and reports every unknown key, missing option and bad value with its position, without stopping at
 * the first one.
 */
final class OptionBinder {

  /** Where problems go; {@code at} gives the position. */
  interface Problems {
    void add(Node at, String message);
  }

  /** Converts a node to a type the binder does not know itself (nested steps). */
  interface Converter {
    Object convert(Node node, Problems problems);
  }

  /**
   * Names that mean the Windows code page to users but an IBM one to Java: Java's "cp949" is IBM-949,
   * which lacks the 8,822 extra Hangul of Windows' 949 (UHC), and "cp932" is IBM-942.
   */
  private static final Map<String, String> WINDOWS_CODE_PAGES = Map.of(
      "cp949", "x-windows-949", "ms949", "x-windows-949", "uhc", "x-windows-949",
      "cp932", "windows-31j", "ms932", "windows-31j");

  private static final Pattern ENV = Pattern.compile("\\$\\{([A-Za-z_][A-Za-z0-9_]*)(?::-([^}]*))?}");

  /** Placeholders that steps fill in at run time; they are not environment variables. */
  private static final java.util.Set<String> RUNTIME_PLACEHOLDERS = java.util.Set.of("tag", "hostname", "time");

  private final Map<String, String> env;
  private final Map<Class<?>, Converter> converters;

  OptionBinder(Map<String, String> env, Map<Class<?>, Converter> converters) {
    this.env = env;
    this.converters = converters;
  }

  /** A conversion failure at one node. */
  private static final class Bad extends Exception {
    private static final long serialVersionUID = 1L;
    final transient Node at;

    Bad(Node at, String message) {
      super(message, null, false, false);
      this.at = at;
    }
  }

  /**
   * Binds {@code values} (key node → value node) to {@code type}. Returns null when anything was
   * wrong; every problem has been reported to {@code problems} by then.
   */
  <O extends Record> O bind(Class<O> type, List<NodeTuple> values, Node owner, Problems problems) {
    List<OptionSpec> specs = OptionSpec.of(type);
    Map<String, OptionSpec> byKey = new LinkedHashMap<>();
    // the options of an inline record are keys of this level too: each key of one says which record it goes to
    Map<String, OptionSpec> inlineHolder = new java.util.HashMap<>();
    Map<String, List<NodeTuple>> inlineGiven = new java.util.HashMap<>();
    for (OptionSpec s : specs) {
      List<OptionSpec> keys = s.inline() ? OptionSpec.flat(s.inlineType()) : List.of(s);
      for (OptionSpec k : keys) {
        byKey.put(k.key().toLowerCase(Locale.ROOT), k);
        for (String a : k.aliases()) {
          byKey.put(a.toLowerCase(Locale.ROOT), k);
        }
        if (s.inline()) {
          inlineHolder.put(k.key(), s);
        }
      }
    }
    // by name, not by OptionSpec: a record key hashes its annotation through a proxy, reflectively
    Map<String, Node> given = new java.util.HashMap<>();
    java.util.Set<String> suggested = new java.util.HashSet<>();
    boolean ok = true;
    // an option named "*" (a map) takes every key that is no other option: a route's branches by their names
    OptionSpec rest = byKey.get(REST);
    List<NodeTuple> restGiven = new ArrayList<>();
    for (NodeTuple t : values) {
      String key = keyText(t.getKeyNode());
      OptionSpec s = byKey.get(key.toLowerCase(Locale.ROOT));
      if (s == null && rest != null) {
        restGiven.add(t);
      } else if (s == null) {
        List<OptionSpec> flat = OptionSpec.flat(type);
        List<String> names = flat.stream().map(OptionSpec::key).toList();
        List<String> all = new ArrayList<>(names);
        flat.forEach(x -> all.addAll(x.aliases()));
        String hint = Suggest.didYouMean(key, all);
        suggested.addAll(Suggest.close(key, all));
        problems.add(t.getKeyNode(), "unknown option `" + key + "`" + hint
            + (names.isEmpty() ? " (this step takes no options)" : " (options: " + String.join(", ", names) + ")"));
        ok = false;
      } else if (given.containsKey(s.key())) {
        problems.add(t.getKeyNode(), "option `" + s.key() + "` is given twice");
        ok = false;
      } else {
        given.put(s.key(), t.getValueNode());
        OptionSpec holder = inlineHolder.get(s.key());
        if (holder != null) {
          inlineGiven.computeIfAbsent(holder.key(), k -> new ArrayList<>()).add(t);
        }
      }
    }
    Object[] args = new Object[specs.size()];
    for (int i = 0; i < specs.size(); i++) {
      OptionSpec s = specs.get(i);
      Node n = given.get(s.key());
      Type t = s.component().getGenericType();
      if (s.inline()) {
        args[i] = bind(s.inlineType(), inlineGiven.getOrDefault(s.key(), List.of()), owner, problems);
        ok &= args[i] != null;
        continue;
      }
      try {
        if (s == rest) {
          args[i] = restMap(t, restGiven, problems);
        } else if (n != null && !isNull(n)) {
          args[i] = convert(t, n, problems);
        } else if (s.required()) {
          if (suggested.contains(s.key())) {
            // already reported as the likely misspelling of this option: one message, not two
            ok = false;
            continue;
          }
          problems.add(n != null ? n : owner, "missing required option `" + s.key() + "`: " + s.doc());
          ok = false;
        } else if (s.hasDefault()) {
          args[i] = fromText(t, s.defaultText(), owner);
        } else {
          args[i] = emptyValue(t);
        }
      } catch (Bad b) {
        problems.add(b.at, "option `" + s.key() + "`: " + b.getMessage());
        ok = false;
      }
      if (args[i] == BAD) {
        ok = false;
        args[i] = emptyValue(t);
      }
    }
    if (!ok) {
      return null;
    }
    return construct(type, args, owner, problems);
  }

  private static final Object BAD = new Object();

  /** The key of an option that takes the keys no other option has. */
  static final String REST = "*";

  /** The keys no other option has, each value converted to the map's value type. */
  private Object restMap(Type t, List<NodeTuple> given, Problems problems) throws Bad {
    Type val = ((ParameterizedType) t).getActualTypeArguments()[1];
    Map<String, Object> out = new LinkedHashMap<>();
    boolean bad = false;
    for (NodeTuple e : given) {
      try {
        Object v = convert(val, e.getValueNode(), problems);
        bad |= v == BAD;
        out.put(keyText(e.getKeyNode()), v);
      } catch (Bad b) { // every entry's problems, not only the first one's
        problems.add(b.at, "`" + keyText(e.getKeyNode()) + "`: " + b.getMessage());
        bad = true;
      }
    }
    return bad ? BAD : java.util.Collections.unmodifiableMap(out);
  }

  private <O extends Record> O construct(Class<O> type, Object[] args, Node owner, Problems problems) {
    RecordComponent[] rc = type.getRecordComponents();
    Class<?>[] types = new Class<?>[rc.length];
    for (int i = 0; i < rc.length; i++) {
      types[i] = rc[i].getType();
    }
    try {
      Constructor<O> c = type.getDeclaredConstructor(types);
      c.setAccessible(true);
      return c.newInstance(args);
    } catch (InvocationTargetException e) {
      Throwable cause = e.getCause();
      if (cause instanceof IllegalArgumentException) {
        problems.add(owner, cause.getMessage());
        return null;
      }
      throw new IllegalStateException("cannot create options " + type.getName(), cause);
    } catch (ReflectiveOperationException e) {
      throw new IllegalStateException("cannot create options " + type.getName(), e);
    }
  }

  private Object convert(Type t, Node n, Problems problems) throws Bad {
    Class<?> raw = rawClass(t);
    Converter custom = converters.get(raw);
    if (custom != null) {
      Object v = custom.convert(n, problems);
      return v == null ? BAD : v;
    }
    if (List.class.isAssignableFrom(raw)) {
      Type elem = ((ParameterizedType) t).getActualTypeArguments()[0];
      List<Object> out = new ArrayList<>();
      if (n instanceof SequenceNode seq) {
        for (Node e : seq.getValue()) {
          Object v = convert(elem, e, problems);
          if (v == BAD) {
            return BAD;
          }
          out.add(v);
        }
      } else {
        // a single value where a list is expected: a list of one
        Object v = convert(elem, n, problems);
        if (v == BAD) {
          return BAD;
        }
        out.add(v);
      }
      return List.copyOf(out);
    }
    if (Map.class.isAssignableFrom(raw)) {
      Type val = ((ParameterizedType) t).getActualTypeArguments()[1];
      if (!(n instanceof MappingNode m)) {
        throw new Bad(n, "expected a map of keys to values, got " + describe(n));
      }
      Map<String, Object> out = new LinkedHashMap<>();
      for (NodeTuple e : m.getValue()) {
        Object v = convert(val, e.getValueNode(), problems);
        if (v == BAD) {
          return BAD;
        }
        out.put(keyText(e.getKeyNode()), v);
      }
      return out;
    }
    if (raw.isRecord() && raw != DataSize.class) { // DataSize is a record but written as one scalar
      if (!(n instanceof MappingNode m)) {
        throw new Bad(n, "expected a map of options, got " + describe(n));
      }
      @SuppressWarnings("unchecked")
      Object v = bind((Class<? extends Record>) raw, m.getValue(), n, problems);
      return v == null ? BAD : v;
    }
    if (raw == Object.class) {
      return plain(n);
    }
    if (!(n instanceof ScalarNode s)) {
      throw new Bad(n, "expected " + article(OptionSpec.typeName(t)) + ", got " + describe(n));
    }
    return fromText(t, substitute(s), n);
  }

  /** Converts any node to plain Java values (String, Long, Double, Boolean, null, List, Map). */
  private Object plain(Node n) throws Bad {
    if (n instanceof ScalarNode s) {
      String text = substitute(s);
      Tag tag = s.getTag();
      try {
        if (Tag.INT.equals(tag)) {
          return Long.parseLong(text.replace("_", ""));
        }
        if (Tag.FLOAT.equals(tag)) {
          return Double.parseDouble(text);
        }
      } catch (NumberFormatException e) {
        return text;
      }
      if (Tag.BOOL.equals(tag)) {
        return Boolean.parseBoolean(text);
      }
      if (Tag.NULL.equals(tag)) {
        return null;
      }
      return text;
    }
    if (n instanceof SequenceNode seq) {
      List<Object> out = new ArrayList<>();
      for (Node e : seq.getValue()) {
        out.add(plain(e));
      }
      return out;
    }
    Map<String, Object> out = new LinkedHashMap<>();
    for (NodeTuple e : ((MappingNode) n).getValue()) {
      out.put(keyText(e.getKeyNode()), plain(e.getValueNode()));
    }
    return out;
  }

  private Object fromText(Type t, String text, Node at) throws Bad {
    Class<?> c = rawClass(t);
    String s = text.trim();
    try {
      if (c == String.class) {
        return text;
      }
      if (c == int.class || c == Integer.class) {
        return Integer.parseInt(s.replace("_", ""));
      }
      if (c == long.class || c == Long.class) {
        return Long.parseLong(s.replace("_", ""));
      }
      if (c == double.class || c == Double.class) {
        return Double.parseDouble(s);
      }
      if (c == boolean.class || c == Boolean.class) {
        switch (s.toLowerCase(Locale.ROOT)) {
          case "true", "yes", "on" -> {
            return true;
          }
          case "false", "no", "off" -> {
            return false;
          }
          default -> throw new Bad(at, "'" + text + "' is not a boolean: use true or false");
        }
      }
      if (c == Duration.class) {
        return Durations.parse(s);
      }
      if (c == DataSize.class) {
        return DataSize.parse(s);
      }
      if (c == Path.class) {
        return Path.of(s);
      }
      if (c == Charset.class) {
        try {
          return Charset.forName(WINDOWS_CODE_PAGES.getOrDefault(s.toLowerCase(Locale.ROOT), s));
        } catch (IllegalArgumentException e) {
          throw new Bad(at, "unknown encoding '" + text
              + "': use a charset Java knows, e.g. utf-8, cp949, euc-kr, shift_jis, gbk, utf-16le");
        }
      }
      if (c == Schedule.class) {
        return Schedule.parse(s); // its IllegalArgumentException (cron-utils' message) is reported at the option
      }
      if (c == ZoneId.class) {
        try {
          return ZoneId.of(s);
        } catch (DateTimeException e) {
          throw new Bad(at, "unknown time zone '" + text + "': use a region such as Asia/Seoul or Europe/Paris, "
              + "UTC, or an offset such as +09:00");
        }
      }
      if (c == Pattern.class) {
        try {
          return Pattern.compile(text);
        } catch (PatternSyntaxException e) {
          throw new Bad(at, "invalid regular expression: " + e.getDescription() + " near index " + e.getIndex()
              + " of " + text);
        }
      }
      if (c.isEnum()) {
        String want = s.toLowerCase(Locale.ROOT).replace('-', '_');
        List<String> names = new ArrayList<>();
        for (Object e : c.getEnumConstants()) {
          String name = OptionSpec.enumName((Enum<?>) e);
          if (name.equals(want)) {
            return e;
          }
          names.add(name);
        }
        throw new Bad(at, "'" + text + "' is not one of: " + String.join(", ", names) + Suggest.didYouMean(s, names));
      }
      if (c == Object.class) {
        return text;
      }
    } catch (NumberFormatException e) {
      throw new Bad(at, "'" + text + "' is not " + article(OptionSpec.typeName(t)));
    } catch (IllegalArgumentException e) {
      throw new Bad(at, e.getMessage());
    }
    throw new IllegalStateException("options of type " + t + " are not supported");
  }

  private static Object emptyValue(Type t) {
    Class<?> c = rawClass(t);
    if (c == int.class) {
      return 0;
    }
    if (c == long.class) {
      return 0L;
    }
    if (c == double.class) {
      return 0.0;
    }
    if (c == boolean.class) {
      return false;
    }
    if (List.class.isAssignableFrom(c)) {
      return List.of();
    }
    if (Map.class.isAssignableFrom(c)) {
      return Map.of();
    }
    return null;
  }

  /** The scalar's text with {@code ${VAR}} and {@code ${VAR:-default}} replaced. */
  String substitute(ScalarNode s) throws Bad {
    String v = s.getValue();
    if (v.indexOf("${") < 0) {
      return v;
    }
    Matcher m = ENV.matcher(v);
    StringBuilder sb = new StringBuilder();
    while (m.find()) {
      String val = env.get(m.group(1));
      if (val == null && m.group(2) == null && RUNTIME_PLACEHOLDERS.contains(m.group(1))) {
        val = m.group(); // filled in by the step at run time, e.g. out.File's ${tag}
      }
      if (val == null || (val.isEmpty() && m.group(2) != null)) {
        if (m.group(2) == null) {
          throw new Bad(s, "environment variable " + m.group(1) + " is not set (write ${" + m.group(1)
              + ":-default} to give a default)");
        }
        val = m.group(2);
      }
      m.appendReplacement(sb, Matcher.quoteReplacement(val));
    }
    m.appendTail(sb);
    return sb.toString();
  }

  static String keyText(Node key) {
    return key instanceof ScalarNode s ? s.getValue() : String.valueOf(key);
  }

  static boolean isNull(Node n) {
    return n instanceof ScalarNode s && Tag.NULL.equals(s.getTag());
  }

  static String describe(Node n) {
    if (n instanceof SequenceNode) {
      return "a list";
    }
    if (n instanceof MappingNode) {
      return "a map";
    }
    return "'" + ((ScalarNode) n).getValue() + "'";
  }

  private static String article(String typeName) {
    return (typeName.matches("^[aeiou].*") ? "an " : "a ") + typeName;
  }

  private static Class<?> rawClass(Type t) {
    return t instanceof ParameterizedType p ? (Class<?>) p.getRawType() : (Class<?>) t;
  }
}
