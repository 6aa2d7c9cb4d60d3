package io.swak.core.config;

import io.swak.api.Plugin;
import io.swak.api.Step;

/**
 * A step as configured: its plugin and bound options.
 *
 * @param where e.g. {@code task 1, step 2 (out.Stdout)}, for messages
 * @param delivery retry and dead-letter options of an output step ({@code out.*}), else defaults
 */
public record StepConfig(Plugin<?> plugin, Record options, DeliveryOptions delivery, String where) {

  /** A new step instance from the bound options. */
  @SuppressWarnings({"unchecked", "rawtypes"})
  public Step create() throws Exception {
    return ((Plugin) plugin).create(options);
  }

  /** The plugin's canonical name. */
  public String name() {
    return plugin.name();
  }
}
