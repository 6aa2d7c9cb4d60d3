package io.swak.api;

import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;

/**
 * Declares one option of a plugin, on a component of the plugin's options record. The declaration
 * is the single source of truth: it binds and validates the YAML, prints {@code swak plugins NAME}
 * and generates the README's plugin tables. The YAML key is the component name in snake_case
 * ({@code posDir} → {@code pos_dir}) unless {@link #name} says otherwise.
 */
@Retention(RetentionPolicy.RUNTIME)
@Target({ElementType.RECORD_COMPONENT, ElementType.PARAMETER, ElementType.FIELD})
public @interface Option {

  /** Marks "no default": the option is required, or null/empty when {@link #required} is false. */
  String NONE = "\u0000";

  /** What the option does, one or two sentences for users. */
  String value();

  /** The default as it would be written in YAML ({@code 5s}, {@code 1MiB}, {@code true}). */
  String defaultValue() default NONE;

  /** Whether the config must set it. */
  boolean required() default false;

  /** YAML key, when it is not the snake_case of the component name. */
  String name() default "";

  /** Other accepted keys (e.g. Fluent Bit's or Fluentd's names for the same thing). */
  String[] aliases() default {};

  /**
   * The component is a record of options that are written at this level, next to the plugin's own, not under a
   * key of their own: one declaration several plugins share (the parser options of the parse step and of the
   * inputs' {@code format:}). Its {@link #value} names the group; the record's own options are what users see.
   */
  boolean inline() default false;
}
