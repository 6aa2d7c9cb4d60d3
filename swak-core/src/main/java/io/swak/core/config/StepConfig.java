package io.swak.core.config;

import io.swak.api.NestedStep;
import io.swak.api.Plugin;
import io.swak.api.Step;
import io.swak.support.condition.Condition;

/**
 * A step as configured: its plugin and bound options.
 *
 * @param where e.g. {@code task 1, step 2 (out.Stdout)}, for messages
 * @param delivery retry and dead-letter options of an output step ({@code out.*}), else defaults
 * @param condition the step's {@code when:} and {@code match:}, or null: it runs for every event
 */
public record StepConfig(Plugin<?> plugin, Record options, DeliveryOptions delivery, String where, Condition condition)
    implements NestedStep {

  /** A step without a condition. */
  public StepConfig(Plugin<?> plugin, Record options, DeliveryOptions delivery, String where) {
    this(plugin, options, delivery, where, null);
  }

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
