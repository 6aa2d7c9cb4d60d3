package io.swak.core.config;

import io.swak.api.NestedStep;
import io.swak.api.Plugin;
import io.swak.api.Step;

/**
 * A step as configured: its plugin and bound options.
 *
 * @param where e.g. {@code task 1, step 2 (out.Stdout)}, for messages
 * @param delivery retry and dead-letter options of an output step ({@code out.*}), else defaults
 */
public record StepConfig(Plugin<?> plugin, Record options, DeliveryOptions delivery, String where)
    implements NestedStep {

  /** A new step instance from the bound options. */
  @SuppressWarnings({"unchecked", "rawtypes"})
  public Step create() throws Exception {
    return ((Plugin) plugin).create(options);
  }

  /** The plugin's canonical name. */
  @Override
  public String name() {
    return plugin.name();
  }

  /** The directory the step's options name for its positions ({@link Plugin#positionDirectory}), or null. */
  @SuppressWarnings({"unchecked", "rawtypes"})
  public java.nio.file.Path positionDirectory() {
    return ((Plugin) plugin).positionDirectory(options);
  }

  /** What the step's positions are kept under ({@link Plugin#positionSource}), or null. */
  @SuppressWarnings({"unchecked", "rawtypes"})
  public String positionSource() {
    return ((Plugin) plugin).positionSource(options);
  }
}
