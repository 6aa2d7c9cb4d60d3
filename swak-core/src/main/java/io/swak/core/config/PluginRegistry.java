package io.swak.core.config;

import io.swak.api.Plugin;
import java.io.IOException;
import java.net.MalformedURLException;
import java.net.URL;
import java.net.URLClassLoader;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.ServiceConfigurationError;
import java.util.ServiceLoader;
import java.util.TreeMap;

/**
 * Every plugin known to the agent, found with {@link ServiceLoader}: the built-in ones on the class
 * path and external jars dropped into a {@code plugins/} folder. Names are case-insensitive.
 */
public final class PluginRegistry {

  private final Map<String, Plugin<?>> byName = new TreeMap<>();
  private final Map<String, Plugin<?>> canonical = new TreeMap<>(String.CASE_INSENSITIVE_ORDER);

  /** Plugins on the class path only. */
  public static PluginRegistry builtIn() {
    return load(null);
  }

  /** Plugins on the class path plus every jar in {@code pluginsDir} (when it exists). */
  public static PluginRegistry load(Path pluginsDir) {
    PluginRegistry r = new PluginRegistry();
    ClassLoader cl = PluginRegistry.class.getClassLoader();
    if (pluginsDir != null && Files.isDirectory(pluginsDir)) {
      List<URL> jars = new ArrayList<>();
      try (DirectoryStream<Path> ds = Files.newDirectoryStream(pluginsDir, "*.jar")) {
        for (Path p : ds) {
          jars.add(p.toUri().toURL());
        }
      } catch (MalformedURLException e) {
        throw new IllegalStateException(e);
      } catch (IOException e) {
        throw new IllegalStateException("cannot list plugins in " + pluginsDir + ": " + e.getMessage(), e);
      }
      if (!jars.isEmpty()) {
        cl = new URLClassLoader(jars.toArray(new URL[0]), cl);
      }
    }
    try {
      for (Plugin<?> p : ServiceLoader.load(Plugin.class, cl)) {
        r.register(p);
      }
    } catch (ServiceConfigurationError e) {
      throw new IllegalStateException("a plugin failed to load: " + e.getMessage(), e);
    }
    return r;
  }

  /** Adds a plugin; a second plugin with a taken name is a packaging error. */
  public void register(Plugin<?> p) {
    List<String> names = new ArrayList<>();
    names.add(p.name());
    names.addAll(p.aliases());
    for (String n : names) {
      Plugin<?> old = byName.put(n.toLowerCase(Locale.ROOT), p);
      if (old != null && old != p) {
        throw new IllegalStateException("plugin name " + n + " is used by both " + old.getClass().getName()
            + " and " + p.getClass().getName());
      }
    }
    canonical.put(p.name(), p);
  }

  /** The plugin called {@code name} (any case, or an alias), or null. */
  public Plugin<?> find(String name) {
    return byName.get(name.toLowerCase(Locale.ROOT));
  }

  /** Every plugin once, sorted by name. */
  public Collection<Plugin<?>> all() {
    return canonical.values();
  }

  /** Canonical names and aliases, for suggestions. */
  public List<String> names() {
    List<String> out = new ArrayList<>();
    for (Plugin<?> p : canonical.values()) {
      out.add(p.name());
      out.addAll(p.aliases());
    }
    return out;
  }
}
