package io.swak.api;

/**
 * A step configured inside another step's options, such as the outputs of {@code failover}: an
 * options record declares a component of this type (or a list of them) and the runtime binds it
 * from YAML like a step of the task. The enclosing step creates it with {@link StepContext#open}.
 */
public interface NestedStep {

  /** The plugin's name, e.g. {@code out.Fluentd}. */
  String name();

  /** Where it is configured, for messages: e.g. {@code task 1, step 3 (failover) › outputs #2 (out.Fluentd)}. */
  String where();
}
