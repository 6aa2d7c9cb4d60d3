package io.swak.core.cli;

import io.swak.api.Plugin;
import io.swak.core.config.DeliveryOptions;
import io.swak.core.config.OptionSpec;
import io.swak.core.config.PluginRegistry;
import java.util.ArrayList;
import java.util.List;

/** Documentation of plugins, generated from their option declarations. */
final class PluginDocs {

  private PluginDocs() { }

  /** One line per plugin: name, aliases, what it does. */
  static String list(PluginRegistry registry) {
    int w = 0;
    for (Plugin<?> p : registry.all()) {
      w = Math.max(w, p.name().length());
    }
    StringBuilder sb = new StringBuilder();
    for (Plugin<?> p : registry.all()) {
      sb.append(String.format("%-" + (w + 2) + "s%s", p.name(), p.doc()));
      if (!p.aliases().isEmpty()) {
        sb.append(" (also: ").append(String.join(", ", p.aliases())).append(')');
      }
      sb.append('\n');
    }
    return sb.toString();
  }

  /** A plugin's options as an aligned table for the terminal. */
  static String describe(Plugin<?> p) {
    StringBuilder sb = new StringBuilder();
    sb.append(p.name()).append(" — ").append(p.doc()).append('\n');
    if (!p.aliases().isEmpty()) {
      sb.append("aliases: ").append(String.join(", ", p.aliases())).append('\n');
    }
    List<OptionSpec> specs = new ArrayList<>(OptionSpec.flat(p.optionsType()));
    if (p.name().regionMatches(true, 0, "out.", 0, 4)) {
      specs.addAll(OptionSpec.of(DeliveryOptions.class));
    }
    if (specs.isEmpty()) {
      return sb.append("\nno options\n").toString();
    }
    List<String[]> rows = new ArrayList<>();
    rows.add(new String[] {"OPTION", "TYPE", "DEFAULT", "DESCRIPTION"});
    for (OptionSpec s : specs) {
      String key = shown(s) + (s.aliases().isEmpty() ? "" : " (" + String.join(", ", s.aliases()) + ")");
      rows.add(new String[] {key, s.typeName(), defaultText(s), s.doc()});
    }
    int[] w = new int[3];
    for (String[] r : rows) {
      for (int i = 0; i < 3; i++) {
        w[i] = Math.max(w[i], r[i].length());
      }
    }
    sb.append('\n');
    for (String[] r : rows) {
      sb.append(String.format("  %-" + w[0] + "s  %-" + w[1] + "s  %-" + w[2] + "s  %s%n", r[0], r[1], r[2], r[3]));
    }
    return sb.toString();
  }

  /** Every plugin as Markdown, the README's plugin reference. */
  static String markdown(PluginRegistry registry) {
    StringBuilder sb = new StringBuilder();
    sb.append("### Options of every output (`out.*`)\n\n")
        .append("Besides its own options, every `out.*` step takes these (how failed writes are retried):\n\n");
    table(sb, OptionSpec.of(DeliveryOptions.class));
    sb.append("### Conditions on every step after the input\n\n")
        .append("Every step after the input (processing steps, buffers, outputs, route) also takes these:\n\n");
    table(sb, OptionSpec.of(io.swak.core.config.StepConditions.class));
    for (Plugin<?> p : registry.all()) {
      sb.append("### `").append(p.name()).append("`\n\n").append(md(p.doc())).append('\n');
      if (!p.aliases().isEmpty()) {
        sb.append("Also called: ").append(String.join(", ", p.aliases().stream().map(a -> "`" + a + "`").toList()))
            .append(".\n");
      }
      sb.append('\n');
      List<OptionSpec> specs = OptionSpec.flat(p.optionsType());
      if (specs.isEmpty()) {
        sb.append("No options.\n\n");
        continue;
      }
      table(sb, specs);
    }
    return sb.toString();
  }

  /** The `- agent:` settings as Markdown, for the README. */
  static String agentMarkdown() {
    StringBuilder sb = new StringBuilder();
    table(sb, OptionSpec.of(io.swak.core.config.AgentOptions.class));
    sb.append("`http` takes:\n\n");
    table(sb, OptionSpec.of(io.swak.core.config.AgentOptions.Http.class));
    sb.append("`health` takes:\n\n");
    table(sb, OptionSpec.of(io.swak.core.config.AgentOptions.Health.class));
    return sb.toString();
  }

  private static void table(StringBuilder sb, List<OptionSpec> specs) {
    sb.append("| option | type | default | description |\n|---|---|---|---|\n");
    for (OptionSpec s : specs) {
      String key = "`" + shown(s) + "`" + (s.aliases().isEmpty() ? ""
          : " (" + String.join(", ", s.aliases().stream().map(a -> "`" + a + "`").toList()) + ")");
      String d = defaultText(s);
      sb.append("| ").append(key).append(" | ").append(s.typeName().replace("|", "\\|")).append(" | ")
          .append(d.isEmpty() ? "" : "`" + d + "`").append(" | ").append(md(s.doc())).append(" |\n");
    }
    sb.append('\n');
  }

  /** The key as users write it: an option that takes any other key (a route's branches) is {@code <name>}. */
  private static String shown(OptionSpec s) {
    return s.key().equals("*") ? "<name>" : s.key();
  }

  /** Text safe in a Markdown table cell: no raw pipes or angle brackets. */
  private static String md(String s) {
    return s.replace("|", "\\|").replace("<", "&lt;").replace(">", "&gt;");
  }

  private static String defaultText(OptionSpec s) {
    if (s.required()) {
      return "required";
    }
    return s.defaultText();
  }
}
