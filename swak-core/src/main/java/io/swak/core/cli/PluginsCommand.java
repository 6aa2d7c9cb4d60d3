package io.swak.core.cli;

import io.swak.api.Plugin;
import io.swak.core.config.PluginRegistry;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** {@code swak plugins [NAME]}: the plugins, or one plugin's options. */
@Command(name = "plugins", mixinStandardHelpOptions = true,
    description = "Lists the plugins, or shows one plugin's options.")
final class PluginsCommand implements Callable<Integer> {
  @Parameters(index = "0", arity = "0..1", paramLabel = "NAME", description = "A plugin name, e.g. in.FakeData.")
  String name;

  @Option(names = "--markdown", description = "Print every plugin's options as Markdown (the README reference).")
  boolean markdown;

  @Override
  public Integer call() {
    PluginRegistry registry = Main.registry();
    if (markdown) {
      System.out.print(PluginDocs.markdown(registry));
      return 0;
    }
    if (name == null) {
      System.out.print(PluginDocs.list(registry));
      return 0;
    }
    Plugin<?> p = registry.find(name);
    if (p == null && PluginRegistry.onlyOnOtherSystem(name) != null) {
      System.err.println(PluginRegistry.onlyOnOtherSystem(name));
      return Main.FAILED;
    }
    if (p == null) {
      System.err.println("unknown plugin `" + name + "`" + registry.didYouMean(name) + "\nPlugins:\n"
          + PluginDocs.list(registry));
      return Main.FAILED;
    }
    System.out.print(PluginDocs.describe(p));
    return 0;
  }
}
