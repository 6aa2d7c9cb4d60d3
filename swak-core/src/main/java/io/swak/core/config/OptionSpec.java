package io.swak.core.config;

import io.swak.api.DataSize;
import io.swak.api.Option;
import io.swak.support.Schedule;
import java.lang.reflect.ParameterizedType;
import java.lang.reflect.RecordComponent;
import java.lang.reflect.Type;
import java.nio.charset.Charset;
import java.nio.file.Path;
import java.time.Duration;
import java.time.ZoneId;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.regex.Pattern;

/** One declared option of a plugin: its YAML key, aliases, type and documentation. */
public record OptionSpec(String key, List<String> aliases, RecordComponent component, Option option) {

  private static final Map<Class<?>, List<OptionSpec>> CACHE = new ConcurrentHashMap<>();

  /** The options a record declares, in declaration order. Components without {@link Option} are a bug. */
  public static List<OptionSpec> of(Class<? extends Record> type) {
    return CACHE.computeIfAbsent(type, t -> {
      List<OptionSpec> specs = new ArrayList<>();
      for (RecordComponent rc : t.getRecordComponents()) {
        Option o = rc.getAnnotation(Option.class);
        if (o == null) {
          throw new IllegalStateException(t.getName() + "." + rc.getName() + " has no @Option annotation");
        }
        String key = o.name().isEmpty() ? snakeCase(rc.getName()) : o.name();
        specs.add(new OptionSpec(key, List.of(o.aliases()), rc, o));
      }
      return List.copyOf(specs);
    });
  }

  /**
   * The options as users write them: those of an {@link Option#inline} component in its place, each with its own
   * key, doc and default (for the docs and the names a misspelling is compared with).
   */
  public static List<OptionSpec> flat(Class<? extends Record> type) {
    List<OptionSpec> out = new ArrayList<>();
    for (OptionSpec s : of(type)) {
      if (s.inline()) {
        out.addAll(flat(s.inlineType()));
      } else {
        out.add(s);
      }
    }
    return out;
  }

  /** The options of this component are its record's, written next to the others ({@link Option#inline}). */
  public boolean inline() {
    return option.inline();
  }

  /** The record type of an inline component. */
  public Class<? extends Record> inlineType() {
    Class<?> t = component.getType();
    if (!t.isRecord()) {
      throw new IllegalStateException(component + " is inline but not a record");
    }
    return t.asSubclass(Record.class);
  }

  public boolean required() {
    return option.required();
  }

  public boolean hasDefault() {
    return !Option.NONE.equals(option.defaultValue());
  }

  public String defaultText() {
    return hasDefault() ? option.defaultValue() : "";
  }

  public String doc() {
    return option.value();
  }

  /** The type as a user reads it: {@code string}, {@code duration}, {@code list of string}, … */
  public String typeName() {
    return typeName(component.getGenericType());
  }

  static String typeName(Type t) {
    if (t instanceof ParameterizedType p) {
      Class<?> raw = (Class<?>) p.getRawType();
      Type[] args = p.getActualTypeArguments();
      if (List.class.isAssignableFrom(raw)) {
        return "list of " + typeName(args[0]);
      }
      if (Map.class.isAssignableFrom(raw)) {
        if (args[1] instanceof Class<?> v && v.isRecord()) { // e.g. a route's branches: say what each one takes
          return "map of {" + String.join(", ", of(v.asSubclass(Record.class)).stream().map(OptionSpec::key).toList())
              + "}";
        }
        return "map of " + typeName(args[1]);
      }
      return raw.getSimpleName().toLowerCase(Locale.ROOT);
    }
    Class<?> c = (Class<?>) t;
    if (c == String.class) {
      return "string";
    }
    if (c == int.class || c == Integer.class || c == long.class || c == Long.class) {
      return "integer";
    }
    if (c == double.class || c == Double.class) {
      return "number";
    }
    if (c == boolean.class || c == Boolean.class) {
      return "boolean";
    }
    if (c == Duration.class) {
      return "duration";
    }
    if (c == DataSize.class) {
      return "size";
    }
    if (c == Path.class) {
      return "path";
    }
    if (c == Charset.class) {
      return "charset";
    }
    if (c == Pattern.class) {
      return "regex";
    }
    if (c == Schedule.class) {
      return "cron schedule";
    }
    if (c == ZoneId.class) {
      return "time zone";
    }
    if (c.isEnum()) {
      List<String> names = new ArrayList<>();
      for (Object e : c.getEnumConstants()) {
        names.add(enumName((Enum<?>) e));
      }
      return String.join("|", names);
    }
    if (c == Object.class) {
      return "any";
    }
    if (c == StepConfig.class || c == io.swak.api.NestedStep.class) {
      return "step";
    }
    if (c == io.swak.support.condition.Condition.class) {
      return "expression";
    }
    if (c.isRecord()) {
      return "map";
    }
    return c.getSimpleName().toLowerCase(Locale.ROOT);
  }

  /** {@code FOO_BAR} → {@code foo_bar}: how enum constants are written in YAML. */
  static String enumName(Enum<?> e) {
    return e.name().toLowerCase(Locale.ROOT);
  }

  static String snakeCase(String camel) {
    StringBuilder sb = new StringBuilder(camel.length() + 4);
    for (int i = 0; i < camel.length(); i++) {
      char c = camel.charAt(i);
      if (Character.isUpperCase(c)) {
        if (i > 0) {
          sb.append('_');
        }
        sb.append(Character.toLowerCase(c));
      } else {
        sb.append(c);
      }
    }
    return sb.toString();
  }
}
