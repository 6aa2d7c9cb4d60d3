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
import java.util.ServiceLoader;
import java.util.TreeMap;

/**
 * Every plugin known to the agent, listed in the {@link ServiceLoader} files of their jars
 * ({@code META-INF/services/io.swak.api.Plugin}): those on the class path that come with Swak (the
 * {@code swak-plugin-*} jars of {@code lib/}, or a module's classes in a build) and those of external jars dropped
 * into a {@code plugins/} folder. A line that gives the plugin's names ({@code # names: in.FileTail in.tail}) is
 * created when first looked up, the others at once. The runtime imports no plugin. Names are case-insensitive.
 */
public final class PluginRegistry {

  private static final String SERVICES = "META-INF/services/" + Plugin.class.getName();

  private final Map<String, Plugin<?>> byName = new TreeMap<>();
  private final Map<String, Plugin<?>> canonical = new TreeMap<>(String.CASE_INSENSITIVE_ORDER);
  /** Plugins listed with their names and not created yet, by lower-case name and alias. */
  private final Map<String, Lazy> lazyByName = new java.util.HashMap<>();
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
    ClassLoader loader = onlyIn(classPathPlugins(), PluginRegistry.class.getClassLoader());
    try {
      for (URL file : java.util.Collections.list(loader.getResources(SERVICES))) {
        r.index(file, loader);
      }
    } catch (IOException e) {
      throw new IllegalStateException("cannot read the plugin lists of the class path: " + e.getMessage(), e);
    }
    r.external = pluginsDir;
    return r;
  }

  /**
   * Reads one service file. A line may name its plugin after the class: {@code io.x.FileTailPlugin # names:
   * in.FileTail in.Tail}; such a plugin is created when one of those names is first looked up, so a config that
   * uses two plugins does not create all fifty (their classes, static parts and factories cost ~0.12 CPU-s of
   * every start). Lines without names (a third-party jar) are created at once, as {@link ServiceLoader} would.
   */
  private void index(URL file, ClassLoader loader) throws IOException {
    List<String> lines;
    try (var in = file.openStream()) {
      lines = new String(in.readAllBytes(), java.nio.charset.StandardCharsets.UTF_8).lines().toList();
    }
    for (String line : lines) {
      int hash = line.indexOf('#');
      String className = (hash < 0 ? line : line.substring(0, hash)).strip();
      if (className.isEmpty()) {
        continue;
      }
      String comment = hash < 0 ? "" : line.substring(hash + 1).strip();
      if (!comment.startsWith("names:")) {
        register(create(className, loader, file));
        continue;
      }
      Lazy lazy = new Lazy(className, loader, file, List.of(comment.substring("names:".length()).strip().split("[\\s,]+")));
      for (String n : lazy.names()) {
        String key = n.toLowerCase(Locale.ROOT);
        Lazy other = lazyByName.get(key);
        Plugin<?> made = byName.get(key);
        String otherClass = other != null ? other.className() : made != null ? made.getClass().getName() : null;
        if (otherClass != null && !otherClass.equals(className)) {
          throw new IllegalStateException("plugin name " + n + " is used by both " + otherClass + " and " + className);
        }
        lazyByName.put(key, lazy);
      }
    }
  }

  private static Plugin<?> create(String className, ClassLoader loader, URL from) {
    try {
      return Class.forName(className, true, loader).asSubclass(Plugin.class).getConstructor().newInstance();
    } catch (ReflectiveOperationException | ClassCastException | LinkageError e) {
      throw new IllegalStateException("a plugin failed to load: " + className + " (listed in " + from + "): " + e, e);
    }
  }

  /** Creates a plugin listed with its names, once; checks that the list told its names right. */
  private Plugin<?> createLazy(Lazy lazy) {
    Plugin<?> p = create(lazy.className(), lazy.loader(), lazy.from());
    List<String> actual = new ArrayList<>();
    actual.add(p.name());
    actual.addAll(p.aliases());
    if (!lowerCase(actual).equals(lowerCase(lazy.names()))) {
      throw new IllegalStateException(lazy.from() + " lists " + lazy.className() + " as " + lazy.names()
          + " but the plugin is called " + actual + ": correct the `# names:` of that line");
    }
    lazyByName.values().removeIf(l -> l == lazy);
    register(p);
    return p;
  }

  private static java.util.Set<String> lowerCase(List<String> names) {
    java.util.Set<String> out = new java.util.HashSet<>();
    names.forEach(n -> out.add(n.toLowerCase(Locale.ROOT)));
    return out;
  }

  /** Creates every plugin still only listed. */
  private void createAll() {
    for (Lazy l : new java.util.LinkedHashSet<>(lazyByName.values())) {
      if (lazyByName.containsValue(l)) {
        createLazy(l);
      }
    }
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
      // only the jars' own service files: asking the parent would open every jar of the class path
      ClassLoader loader = onlyIn(jars, PluginRegistry.class.getClassLoader());
      for (URL file : java.util.Collections.list(loader.getResources(SERVICES))) {
        index(file, loader);
      }
      return true;
    } catch (IllegalStateException e) {
      // kept: every later lookup reports it again (a reload, a second unknown name), not a plain "unknown"
      externalFailure = e;
      throw e;
    } catch (IOException e) {
      externalFailure = new IllegalStateException("cannot read the plugin lists in " + dir + ": " + e.getMessage(), e);
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
      Lazy listed = lazyByName.get(n.toLowerCase(Locale.ROOT));
      if (listed != null && !listed.className().equals(p.getClass().getName())) {
        throw new IllegalStateException("plugin name " + n + " is used by both " + listed.className()
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
    if (p != null) {
      return p;
    }
    Lazy listed = lazyByName.get(key);
    if (listed != null) {
      return createLazy(listed);
    }
    return loadExternal() ? find(name) : null; // once: the jars are opened only the first time
  }

  /** How many plugins are listed by name and not created yet (a start creates only those its config names). */
  synchronized int notCreated() {
    return new java.util.HashSet<>(lazyByName.values()).size();
  }

  /** Every plugin once, sorted by name. */
  public synchronized Collection<Plugin<?>> all() {
    createAll();
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
    createAll();
    loadExternal();
    List<String> out = new ArrayList<>();
    for (Plugin<?> p : canonical.values()) {
      out.add(p.name());
      out.addAll(p.aliases());
    }
    return out;
  }

  /** A plugin its service file lists with its names: created on first use. */
  private record Lazy(String className, ClassLoader loader, URL from, List<String> names) { }
}
