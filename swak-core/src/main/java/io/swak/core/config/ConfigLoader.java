package io.swak.core.config;

import io.swak.api.Plugin;
import io.swak.support.condition.Condition;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import org.snakeyaml.engine.v2.api.LoadSettings;
import org.snakeyaml.engine.v2.api.lowlevel.Compose;
import org.snakeyaml.engine.v2.exceptions.Mark;
import org.snakeyaml.engine.v2.exceptions.MarkedYamlEngineException;
import org.snakeyaml.engine.v2.exceptions.YamlEngineException;
import org.snakeyaml.engine.v2.nodes.MappingNode;
import org.snakeyaml.engine.v2.nodes.Node;
import org.snakeyaml.engine.v2.nodes.NodeTuple;
import org.snakeyaml.engine.v2.nodes.ScalarNode;
import org.snakeyaml.engine.v2.nodes.SequenceNode;

/**
 * Reads a config file: a YAML list of {@code - task:} entries (and at most one {@code - agent:}
 * entry), each task an ordered list of steps. Step options may be nested under the step name or
 * stand beside it. Every problem in the file is collected and thrown together.
 */
public final class ConfigLoader {

  private final PluginRegistry registry;
  private final Map<String, String> env;

  public ConfigLoader(PluginRegistry registry, Map<String, String> env) {
    this.registry = registry;
    this.env = env;
  }

  public AgentConfig load(Path file) throws ConfigException {
    return parse(file.toString(), read(file));
  }

  /**
   * Only the agent settings of a config file, whatever its tasks say: enough for stop and status to find
   * the pid file of an agent whose config was edited since. Problems of the YAML or of the agent entry
   * are thrown; the defaults when there is no agent entry.
   */
  public AgentOptions loadAgent(Path file) throws ConfigException {
    return new Parse(file.toString()).agentOnly(read(file));
  }

  private static String read(Path file) throws ConfigException {
    byte[] bytes;
    try {
      bytes = Files.readAllBytes(file);
    } catch (NoSuchFileException e) {
      throw single(file.toString(), "no such file");
    } catch (java.nio.file.AccessDeniedException e) {
      throw single(file.toString(), "cannot read: permission denied");
    } catch (IOException e) {
      throw single(file.toString(), "cannot read: " + e.getMessage());
    }
    return ConfigText.decode(file.toString(), bytes);
  }

  /** Parses config text; {@code label} names it in messages. */
  public AgentConfig parse(String label, String text) throws ConfigException {
    return new Parse(label).run(text);
  }

  private static ConfigException single(String file, String message) {
    return new ConfigException(List.of(new ConfigProblem(file, 0, 0, "", message)));
  }

  /** State of one parse: where we are, and what went wrong so far. */
  private final class Parse {
    final String file;
    final List<ConfigProblem> problems = new ArrayList<>();
    final OptionBinder binder;
    String where = "";

    Parse(String file) {
      this.file = file;
      this.binder = new OptionBinder(env, Map.of(io.swak.api.NestedStep.class, (node, p) -> nested(node),
          Condition.class, this::expression));
    }

    /** A step nested in another step's options (failover's outputs and last). */
    StepConfig nested(Node node) {
      String outer = where;
      StepConfig s = step(node, outer + " › nested step", null);
      where = outer;
      return s;
    }

    /** A {@code when:} expression, compiled now: a bad one is a problem at its node, with the library's message. */
    Condition expression(Node node, OptionBinder.Problems p) {
      if (!(node instanceof ScalarNode sn)) {
        p.add(node, "`when` is an expression such as 'record.status >= 500', got " + OptionBinder.describe(node));
        return null;
      }
      try {
        return Condition.expression(sn.getValue());
      } catch (IllegalArgumentException e) {
        p.add(node, "`when`: " + e.getMessage());
        return null;
      }
    }

    /** {@code match:} tag patterns: one or a list. */
    Condition tagMatch(Node node) {
      List<String> patterns = new ArrayList<>();
      if (node instanceof ScalarNode sn) {
        patterns.add(sn.getValue());
      } else if (node instanceof SequenceNode seq && seq.getValue().stream().allMatch(ScalarNode.class::isInstance)) {
        seq.getValue().forEach(n -> patterns.add(((ScalarNode) n).getValue()));
      } else {
        problem(node, "`match` is a tag pattern such as \"web.*\" or a list of them, got " + OptionBinder.describe(node));
        return null;
      }
      try {
        return Condition.match(patterns);
      } catch (IllegalArgumentException e) {
        problem(node, "`match`: " + e.getMessage());
        return null;
      }
    }

    void problem(Node at, String message) {
      Mark m = at == null ? null : at.getStartMark().orElse(null);
      problems.add(new ConfigProblem(file, m == null ? 0 : m.getLine() + 1, m == null ? 0 : m.getColumn() + 1,
          where, message));
    }

    Node compose(String text) throws ConfigException {
      try {
        LoadSettings settings = LoadSettings.builder().setLabel(file).build();
        Optional<Node> n = new Compose(settings).composeString(text);
        if (n.isEmpty()) {
          throw single(file, "the file is empty: write a list of `- task:` entries (see examples/)");
        }
        return n.get();
      } catch (MarkedYamlEngineException e) {
        Mark m = YamlErrors.where(e);
        throw new ConfigException(List.of(new ConfigProblem(file, m == null ? 0 : m.getLine() + 1,
            m == null ? 0 : m.getColumn() + 1, "", YamlErrors.explain(e, text))));
      } catch (YamlEngineException e) {
        throw single(file, "not valid YAML: " + e.getMessage());
      }
    }

    AgentOptions agentOnly(String text) throws ConfigException {
      Node root = compose(text);
      AgentOptions agent = null;
      if (root instanceof SequenceNode seq) {
        for (Node entry : seq.getValue()) {
          if (entry instanceof MappingNode m && !m.getValue().isEmpty()
              && OptionBinder.keyText(m.getValue().get(0).getKeyNode()).equalsIgnoreCase("agent")) {
            agent = agentOptions(m);
          }
        }
      }
      if (!problems.isEmpty()) {
        throw new ConfigException(problems);
      }
      return agent == null ? AgentOptions.defaults() : agent;
    }

    AgentConfig run(String text) throws ConfigException {
      Node root;
      try {
        root = compose(text);
      } catch (ConfigException syntax) {
        throw withTheEntriesAbove(syntax, text);
      }
      if (!(root instanceof SequenceNode seq)) {
        problem(root, "the config must be a list of `- task:` entries, e.g.\n"
            + "- task:\n  - in.FakeData: {type: people}\n  - out.Stdout");
        throw new ConfigException(problems);
      }
      AgentOptions agent = null;
      List<TaskConfig> tasks = new ArrayList<>();
      for (Node entry : seq.getValue()) {
        where = "";
        if (!(entry instanceof MappingNode m) || m.getValue().isEmpty()) {
          problem(entry, "expected `task:` or `agent:`, got " + OptionBinder.describe(entry));
          continue;
        }
        String kind = OptionBinder.keyText(m.getValue().get(0).getKeyNode());
        switch (kind.toLowerCase(Locale.ROOT)) {
          case "task" -> {
            TaskConfig t = task(tasks.size() + 1, m);
            if (t != null) {
              tasks.add(t);
            } else {
              tasks.add(new TaskConfig(tasks.size() + 1, "", List.of()));
            }
          }
          case "agent" -> {
            if (agent != null) {
              problem(m, "only one `agent:` entry is allowed");
            }
            agent = agentOptions(m);
          }
          default -> problem(m.getValue().get(0).getKeyNode(), "unknown entry `" + kind + "`"
              + Suggest.didYouMean(kind, List.of("task", "agent")) + " The config is a list of `task:` and `agent:` entries");
        }
      }
      if (tasks.isEmpty() && problems.isEmpty()) {
        where = "";
        problem(root, "no `- task:` entry: there is nothing to run");
      }
      if (!problems.isEmpty()) {
        throw new ConfigException(problems);
      }
      return new AgentConfig(file, agent == null ? AgentOptions.defaults() : agent, List.copyOf(tasks));
    }

    /**
     * A YAML syntax error stops the parser where it is; the whole entries above it are checked too, so that it
     * does not hide their problems (a misspelt option in task 1 and a missing bracket in task 2 show both).
     */
    ConfigException withTheEntriesAbove(ConfigException syntax, String text) {
      int line = syntax.problems().get(0).line();
      String[] lines = text.split("\n", -1);
      int cut = 0; // lines[cut] begins the top-level entry the error is in
      for (int i = Math.min(line, lines.length) - 1; i > 0 && cut == 0; i--) {
        if (lines[i].startsWith("-")) {
          cut = i;
        }
      }
      if (cut == 0) {
        return syntax;
      }
      try {
        new Parse(file).run(String.join("\n", Arrays.asList(lines).subList(0, cut)) + "\n");
        return syntax;
      } catch (ConfigException above) {
        int last = cut;
        List<ConfigProblem> all = new ArrayList<>(syntax.problems());
        above.problems().stream().filter(p -> p.line() > 0 && p.line() <= last).forEach(all::add);
        return new ConfigException(all);
      }
    }

    AgentOptions agentOptions(MappingNode m) {
      where = "agent";
      Node v = m.getValue().get(0).getValueNode();
      List<NodeTuple> opts = new ArrayList<>();
      if (v instanceof MappingNode vm) {
        opts.addAll(vm.getValue());
      } else if (!OptionBinder.isNull(v)) {
        problem(v, "expected agent settings (log_level, data_dir, …), got " + OptionBinder.describe(v));
      }
      opts.addAll(m.getValue().subList(1, m.getValue().size()));
      AgentOptions a = binder.bind(AgentOptions.class, opts, m, this::problem);
      return a == null ? AgentOptions.defaults() : a;
    }

    TaskConfig task(int number, MappingNode m) {
      where = "task " + number;
      Node stepsNode = m.getValue().get(0).getValueNode();
      String name = "";
      for (NodeTuple extra : m.getValue().subList(1, m.getValue().size())) {
        String k = OptionBinder.keyText(extra.getKeyNode());
        if (k.equalsIgnoreCase("name") && extra.getValueNode() instanceof ScalarNode s) {
          name = s.getValue();
        } else {
          problem(extra.getKeyNode(), "unknown task setting `" + k + "`: a task takes its list of steps and an "
              + "optional `name`. If this is a step option, indent it under its step");
        }
      }
      if (!(stepsNode instanceof SequenceNode steps) || steps.getValue().isEmpty()) {
        problem(stepsNode, "a task is a list of steps starting with an input, e.g. `- in.FakeData: {type: people}`");
        return null;
      }
      List<StepConfig> out = new ArrayList<>();
      int i = 0;
      StepConfig terminal = null;
      for (Node s : steps.getValue()) {
        i++;
        String taskWhere = "task " + number;
        if (terminal != null) {
          where = taskWhere + ", step " + i;
          problem(s, "nothing can follow `" + terminal.name() + "` (" + terminal.where() + "): it hands every event "
              + "to its branches and passes none on. Put this step into the branches that need it");
          terminal = null; // one message per task
        }
        StepConfig sc = step(s, taskWhere + ", step " + i, i == 1);
        where = taskWhere;
        if (sc != null) {
          out.add(sc);
          if (sc.plugin().terminal()) {
            terminal = sc;
          }
        }
      }
      return new TaskConfig(number, name, List.copyOf(out));
    }

    /**
     * One step: a bare name ({@code - out.Stdout}), a name with nested options, or a name followed by
     * options beside it ({@code - in.MySQLTail:} then {@code ip:} at the same indentation).
     * {@code first}: true for a task's first step (must be an input), false after it, null for a
     * step nested in another (any output).
     */
    StepConfig step(Node node, String label, Boolean first) {
      where = label;
      Node nameNode;
      List<NodeTuple> opts = new ArrayList<>();
      if (node instanceof ScalarNode s) {
        nameNode = s;
      } else if (node instanceof MappingNode m && !m.getValue().isEmpty()) {
        NodeTuple head = m.getValue().get(0);
        nameNode = head.getKeyNode();
        Node v = head.getValueNode();
        if (v instanceof MappingNode vm) {
          opts.addAll(vm.getValue());
        } else if (!OptionBinder.isNull(v)) {
          problem(v, "expected the options of `" + OptionBinder.keyText(nameNode) + "` as a map (key: value), got "
              + OptionBinder.describe(v));
          return null;
        }
        opts.addAll(m.getValue().subList(1, m.getValue().size()));
      } else {
        problem(node, "expected a step such as `out.Stdout` or `in.FileTail: {path: …}`, got "
            + OptionBinder.describe(node));
        return null;
      }
      String name = OptionBinder.keyText(nameNode);
      Plugin<?> plugin = registry.find(name);
      if (plugin == null) {
        String elsewhere = PluginRegistry.onlyOnOtherSystem(name);
        problem(nameNode, elsewhere != null ? elsewhere : "unknown plugin `" + name + "`"
            + Suggest.didYouMean(name, registry.names()) + " (`swak plugins` lists them all)");
        return null;
      }
      where = label + " (" + plugin.name() + ")";
      if (Boolean.TRUE.equals(first) && !plugin.isInput()) {
        problem(nameNode, "a task starts with an input (in.*), not `" + plugin.name() + "`");
        return null;
      }
      if (!Boolean.TRUE.equals(first) && plugin.isInput()) {
        problem(nameNode, "`" + plugin.name() + "` is an input: it can only be the first step of a task");
        return null;
      }
      // when: and match: on any step after the input, taken off before the plugin's own options
      Condition condition = null;
      boolean conditionOk = true;
      for (java.util.Iterator<NodeTuple> it = opts.iterator(); it.hasNext(); ) {
        NodeTuple t = it.next();
        String k = OptionBinder.keyText(t.getKeyNode()).toLowerCase(Locale.ROOT);
        if (!k.equals("when") && !k.equals("match")) {
          continue;
        }
        it.remove();
        if (plugin.isInput()) {
          problem(t.getKeyNode(), "`" + k + "` is for the steps after the input: an input reads everything; put the "
              + "condition on the step that should run only for some events");
          conditionOk = false;
          continue;
        }
        Condition c = k.equals("when") ? expression(t.getValueNode(), this::problem) : tagMatch(t.getValueNode());
        if (c == null) {
          conditionOk = false;
        } else {
          condition = k.equals("match") ? Condition.both(c, condition) : Condition.both(condition, c);
        }
      }
      DeliveryOptions delivery = DeliveryOptions.defaults();
      // every step after the input may be an output (failover is one without out. in its name); on a step that
      // turns out not to be one, the task warns at start that they do nothing
      if (!plugin.isInput()) {
        List<NodeTuple> common = new ArrayList<>();
        opts.removeIf(t -> DeliveryOptions.KEYS.contains(OptionBinder.keyText(t.getKeyNode()).toLowerCase(Locale.ROOT))
            && common.add(t));
        if (!common.isEmpty()) {
          delivery = binder.bind(DeliveryOptions.class, common, node, this::problem);
        }
      }
      Record options = bindChecked(plugin, opts, node);
      if (options == null || delivery == null || !conditionOk) {
        return null;
      }
      return new StepConfig(plugin, options, delivery, where, condition);
    }

    private <O extends Record> O bindChecked(Plugin<O> plugin, List<NodeTuple> opts, Node node) {
      O o = binder.bind(plugin.optionsType(), opts, node, this::problem);
      if (o != null) {
        String err = plugin.validate(o);
        if (err != null) {
          problem(node, err);
          return null;
        }
      }
      return o;
    }
  }
}
