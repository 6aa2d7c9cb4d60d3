package io.swak.core.config;

import io.swak.api.Plugin;
import java.io.File;
import java.io.IOException;
import java.net.MalformedURLException;
import java.net.URL;
import java.net.URLClassLoader;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Enumeration;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.ServiceConfigurationError;
import java.util.ServiceLoader;
import java.util.TreeMap;

/**
 * Every plugin known to the agent, found with {@link ServiceLoader} ({@code META-INF/services/io.swak.api.Plugin}):
 * those on the class path that come with Swak (the {@code swak-plugin-*} jars of {@code lib/}, or a module's
 * classes in a build) and those of external jars dropped into a {@code plugins/} folder. The runtime imports
 * no plugin. Names are case-insensitive.
 */
public final class PluginRegistry {

  private static final String SERVICES = "META-INF/services/" + Plugin.class.getName();

  private final Map<String, Plugin<?>> byName = new TreeMap<>();
  private final Map<String, Plugin<?>> canonical = new TreeMap<>(String.CASE_INSENSITIVE_ORDER);
  /** Folder of external plugin jars not opened yet; null once done. */
  private Path external;
  /** Why opening them failed, if it did. */
  private IllegalStateException externalFailure;

  /** The plugins on the class path. */
  public static PluginRegistry builtIn() {
    return load(null);
  }

  /**
   * The built-in plugins plus those of every jar in {@code pluginsDir} (when it exists), found with
   * {@link ServiceLoader} in those jars only: jars on the class path are not searched. The jars are opened
   * when first needed — a name that is not built in, or the list of all plugins — since loading classes
   * outside the class-data sharing archive costs ~30 ms of start-up for each start that uses none of them.
   */
  public static PluginRegistry load(Path pluginsDir) {
    PluginRegistry r = new PluginRegistry();
    for (Plugin<?> p : ServiceLoader.load(Plugin.class, onlyIn(classPathPlugins(), PluginRegistry.class.getClassLoader()))) {
      r.register(p);
    }
    r.external = pluginsDir;
    return r;
  }

  /**
   * The class path entries that may hold plugins: jars named {@code swak-plugin-*} and directories with a
   * service file. Asking the class loader for every service file instead would open every jar of the class
   * path, which with the class-data sharing archive nothing else does (~30 ms of a ~0.3 s start).
   */
  private static List<URL> classPathPlugins() {
    List<URL> out = new ArrayList<>();
    for (String entry : System.getProperty("java.class.path", "").split(File.pathSeparator)) {
      if (entry.isEmpty()) {
        continue;
      }
      Path p = Path.of(entry);
      String name = p.getFileName() == null ? "" : p.getFileName().toString();
      boolean candidate = name.startsWith("swak-plugin-") && name.endsWith(".jar")
          || Files.isRegularFile(p.resolve(SERVICES));
      if (candidate) {
        try {
          out.add(p.toUri().toURL());
        } catch (MalformedURLException e) {
          throw new IllegalStateException(e);
        }
      }
    }
    return out;
  }

  /**
   * A loader that finds service files in {@code urls} only, while the classes still come from {@code parent}
   * (parent first): the class path's plugins keep being loaded, and shared, by the application class loader.
   */
  private static ClassLoader onlyIn(List<URL> urls, ClassLoader parent) {
    return new URLClassLoader(urls.toArray(new URL[0]), parent) {
      @Override
      public Enumeration<URL> getResources(String name) throws IOException {
        return name.equals(SERVICES) ? findResources(name) : super.getResources(name);
      }
    };
  }

  /** Registers the plugins of {@link #external} once; false when there was nothing left to load. */
  private boolean loadExternal() {
    if (externalFailure != null) {
      throw externalFailure;
    }
    Path dir = external;
    external = null;
    try {
      List<URL> jars = dir == null || !Files.isDirectory(dir) ? List.of() : jars(dir);
      if (jars.isEmpty()) {
        return false;
      }
      // ServiceLoader asks for every service file visible to the loader, the parent's included: asking the parent
      // opens every jar of the class path
      for (Plugin<?> p : ServiceLoader.load(Plugin.class, onlyIn(jars, PluginRegistry.class.getClassLoader()))) {
        register(p);
      }
      return true;
    } catch (IllegalStateException e) {
      // kept: every later lookup reports it again (a reload, a second unknown name), not a plain "unknown"
      externalFailure = e;
      throw e;
    } catch (ServiceConfigurationError e) {
      externalFailure = new IllegalStateException("a plugin failed to load: " + e.getMessage(), e);
      throw externalFailure;
    }
  }

  private static List<URL> jars(Path pluginsDir) {
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
    return jars;
  }

  /**
   * Adds a plugin; a second plugin with a taken name is a packaging error, and then nothing of it is
   * added (a plugin jar must not shadow a built-in for the lookups after the error).
   */
  public synchronized void register(Plugin<?> p) {
    List<String> names = new ArrayList<>();
    names.add(p.name());
    names.addAll(p.aliases());
    for (String n : names) {
      Plugin<?> old = byName.get(n.toLowerCase(Locale.ROOT));
      if (old != null && old != p) {
        throw new IllegalStateException("plugin name " + n + " is used by both " + old.getClass().getName()
            + " and " + p.getClass().getName());
      }
    }
    names.forEach(n -> byName.put(n.toLowerCase(Locale.ROOT), p));
    canonical.put(p.name(), p);
  }

  /** The plugin called {@code name} (any case, or an alias), or null. */
  public synchronized Plugin<?> find(String name) {
    String key = name.toLowerCase(Locale.ROOT);
    Plugin<?> p = byName.get(key);
    return p == null && loadExternal() ? byName.get(key) : p;
  }

  /** Every plugin once, sorted by name. */
  public synchronized Collection<Plugin<?>> all() {
    loadExternal();
    return List.copyOf(canonical.values());
  }

  /**
   * Plugins of one operating system that Swak plans or ships elsewhere, by lower-case name and alias: the canonical
   * name, the system, and what to use instead on the others. Named on another system they are not "unknown": the
   * user is told where they run.
   */
  private static final Map<String, String[]> OTHER_SYSTEMS = new TreeMap<>();

  static {
    String[] eventLog = {"in.WindowsEventLog", "Windows",
        "read the system's logs with in.Syslog or in.FileTail (/var/log/*) instead"};
    for (String alias : List.of("in.windowseventlog", "in.wineventlog", "in.winevtlog", "in.winlog", "in.eventlog")) {
      OTHER_SYSTEMS.put(alias, eventLog);
    }
  }

  /**
   * Why the plugin called {@code name} cannot be used on this system when it is one that runs only on another
   * (in.WindowsEventLog on Linux), or null: for the "unknown plugin" message of validate and {@code swak plugins}.
   */
  public static String onlyOnOtherSystem(String name) {
    String[] p = OTHER_SYSTEMS.get(name.toLowerCase(Locale.ROOT));
    if (p == null) {
      return null;
    }
    String os = System.getProperty("os.name", "");
    if (os.toLowerCase(Locale.ROOT).startsWith(p[1].toLowerCase(Locale.ROOT))) {
      return p[0] + " is planned for " + p[1] + " but not built yet: no Swak release has it";
    }
    return p[0] + " runs only on " + p[1] + ", and this system is " + os + ": " + p[2];
  }

  /** " — did you mean `out.Stdout`?" for a name that is not a plugin, or "" when none is close. */
  public String didYouMean(String name) {
    return Suggest.didYouMean(name, names());
  }

  /** Canonical names and aliases, for suggestions. */
  public synchronized List<String> names() {
    loadExternal();
    List<String> out = new ArrayList<>();
    for (Plugin<?> p : canonical.values()) {
      out.add(p.name());
      out.addAll(p.aliases());
    }
    return out;
  }
}
