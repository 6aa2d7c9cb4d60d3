package io.swak.plugins.parse.step;

import io.swak.api.Option;
import io.swak.api.Plugin;
import io.swak.support.FieldPath;
import java.util.List;
import java.util.Map;

/** {@code modify}: sets, renames, copies, removes and lifts fields, on the entry bytes. */
public final class ModifyPlugin extends Plugin<ModifyPlugin.Options> {

  /** Options of modify. */
  public record Options(
      @Option("Top-level maps whose fields move up into the record, replacing the map, e.g. [kubernetes]. "
          + "A value that is not a map stays as it is.")
      List<String> lift,
      @Option("Fields to rename, {from: to} (top-level fields; a renamed field replaces one of the new name).")
      Map<String, String> rename,
      @Option("Fields to copy, {from: to}; from may be a path, to is a top-level field.")
      Map<String, String> copy,
      @Option("Fields to remove (top-level names).")
      List<String> remove,
      @Option("Keep only these top-level fields, removing the others.")
      List<String> keepOnly,
      @Option("Fields to add only where the record has none, {field: value}; values as for set.")
      Map<String, Object> setIfMissing,
      @Option("Fields to set, {field: value}: a number, a boolean, or text with ${record.path}, ${tag}, ${time} "
          + "(RFC 3339) and ${hostname}. A value that is only ${record.path} copies that field with its type.")
      Map<String, Object> set,
      @Option("Moves top-level fields into a new map (Fluent Bit's nest): {under: memory, keys: [mem_total, "
          + "'swap_*'], remove_prefix: swap_}; a key ending in * takes every field with that prefix.")
      Nest nest) {

    public Options {
      boolean any = false;
      for (Object o : new Object[] {lift, rename, copy, remove, keepOnly, setIfMissing, set, nest}) {
        any |= o != null && !(o instanceof List<?> l && l.isEmpty()) && !(o instanceof Map<?, ?> m && m.isEmpty());
      }
      if (!any) {
        throw new IllegalArgumentException("modify needs at least one of lift, rename, copy, remove, keep_only, "
            + "set_if_missing, set, nest");
      }
      checkTargets("lift", lift);
      if (rename != null) {
        checkTargets("rename", List.copyOf(rename.keySet()));
        checkTargets("rename", List.copyOf(rename.values()));
      }
      checkSources("copy", copy);
      checkTargets("remove", remove);
      checkTargets("keep_only", keepOnly);
      checkValues("set_if_missing", setIfMissing);
      checkValues("set", set);
    }

    private static void checkSources(String option, Map<String, String> m) {
      if (m == null) {
        return;
      }
      m.keySet().forEach(FieldPath::parse);
      checkTargets(option, List.copyOf(m.values()));
    }

    private static void checkTargets(String option, List<String> names) {
      if (names == null) {
        return;
      }
      for (String n : names) {
        if (n == null || n.isEmpty()) {
          throw new IllegalArgumentException("option `" + option + "`: a field name is empty");
        }
        topLevel(option, n);
      }
    }

    private static void checkValues(String option, Map<String, Object> m) {
      if (m == null) {
        return;
      }
      for (Map.Entry<String, Object> e : m.entrySet()) {
        topLevel(option, e.getKey());
        if (e.getValue() instanceof String s) {
          Template.parse(s); // a bad ${...} is a config error
        } else if (e.getValue() instanceof Map || e.getValue() instanceof List) {
          throw new IllegalArgumentException("option `" + option + "`, field " + e.getKey()
              + ": give text, a number or a boolean");
        }
      }
    }

    /** The target of a change: one top-level field, written plainly or as record["a.b"]. */
    static byte[] topLevel(String option, String name) {
      return FieldPath.topLevel(option, name);
    }
  }

  /** The {@code nest} block. */
  public record Nest(
      @Option(value = "The new map's field (top-level); it replaces a field of the same name.", required = true,
          aliases = {"nest_under"})
      String under,
      @Option(value = "Top-level fields moved into it; `prefix*` takes every field whose name starts with prefix.",
          required = true, aliases = {"wildcard"})
      List<String> keys,
      @Option("Taken off the start of the names of the moved fields that begin with it, e.g. swap_.")
      String removePrefix) {

    public Nest {
      Options.topLevel("nest.under", under);
      if (keys == null || keys.isEmpty()) {
        throw new IllegalArgumentException("option `nest.keys`: give the fields to move, e.g. [a, 'mem_*']");
      }
      for (String k : keys) {
        if (k == null || k.isEmpty() || k.indexOf('*') >= 0 && k.indexOf('*') != k.length() - 1) {
          throw new IllegalArgumentException("option `nest.keys`: `" + k + "` must be a field name, or a prefix "
              + "followed by one * at its end");
        }
        if (!k.endsWith("*")) {
          Options.topLevel("nest.keys", k);
        }
      }
      if (removePrefix != null && removePrefix.isEmpty()) {
        removePrefix = null;
      }
    }
  }

  public ModifyPlugin() {
    super("modify", "Changes records: lift nested maps up, rename, copy, remove, keep_only, set_if_missing, set "
        + "(with ${record.path}, ${tag}, ${time}, ${hostname} templates), nest fields under a new map, in that "
        + "order.", Options.class,
        ModifyStep::new, "filter.modify");
  }
}
