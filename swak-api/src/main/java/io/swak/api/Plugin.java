package io.swak.api;

import java.util.List;
import java.util.Objects;

/**
 * Describes a plugin: its name ({@code in.FileTail}), aliases, documentation, options record and how
 * to create a step from bound options. An external plugin is a subclass with a public no-argument
 * constructor listed in {@code META-INF/services/io.swak.api.Plugin} of its jar; the plugins that come
 * with Swak register the same way.
 *
 * @param <O> the options record; each component carries an {@link Option} annotation
 */
public abstract class Plugin<O extends Record> {

  /** Creates a step from its options. */
  @FunctionalInterface
  public interface Factory<O> {
    Step create(O options) throws Exception;
  }

  private final String name;
  private final String doc;
  private final Class<O> optionsType;
  private final Factory<O> factory;
  private final List<String> aliases;

  protected Plugin(String name, String doc, Class<O> optionsType, Factory<O> factory, String... aliases) {
    this.name = Objects.requireNonNull(name);
    this.doc = Objects.requireNonNull(doc);
    this.optionsType = Objects.requireNonNull(optionsType);
    this.factory = Objects.requireNonNull(factory);
    this.aliases = List.of(aliases);
  }

  public final String name() {
    return name;
  }

  public final String doc() {
    return doc;
  }

  public final List<String> aliases() {
    return aliases;
  }

  public final Class<O> optionsType() {
    return optionsType;
  }

  /**
   * Checks option combinations the types alone cannot express. Return a message naming the option
   * and what is allowed, or null when the options are fine.
   */
  public String validate(O options) {
    return null;
  }

  /**
   * For inputs that keep positions ({@link StepContext#positions()}): what the input reads, e.g. its
   * path patterns or its database table — the name its positions are kept under, so they stay when
   * tasks are renamed or reordered, and {@code swak validate} can warn when two inputs would share
   * them. Null (the default) for plugins that keep none.
   */
  public String positionSource(O options) {
    return null;
  }

  /**
   * For inputs whose options name the directory of their positions (in.FileTail's {@code pos_dir}): that
   * directory, or null (the default) for the runtime's own under the data directory.
   */
  public java.nio.file.Path positionDirectory(O options) {
    return null;
  }

  /**
   * True for a step that hands every batch to chains of its own and passes nothing on (a route): the configuration
   * cannot have a step after it.
   */
  public boolean terminal() {
    return false;
  }

  public final Step create(O options) throws Exception {
    return factory.create(options);
  }

  /** True for plugins that start a task ({@code in.*}). */
  public final boolean isInput() {
    return name.regionMatches(true, 0, "in.", 0, 3);
  }
}
