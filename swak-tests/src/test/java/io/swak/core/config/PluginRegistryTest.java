package io.swak.core.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.swak.api.Plugin;
import io.swak.core.testing.TestSink;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.jar.JarEntry;
import java.util.jar.JarOutputStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class PluginRegistryTest {

  @TempDir
  Path dir;

  @Test
  void builtInsAreThereWithoutAPluginsFolder() {
    PluginRegistry r = PluginRegistry.load(dir.resolve("no-such-folder"));
    assertThat(r.find("in.FileTail")).isNotNull();
    assertThat(r.find("IN.FILETAIL")).isSameAs(r.find("in.FileTail"));
    assertThat(r.find("out.TestSink")).isNull();
    assertThat(r.all()).extracting(Plugin::name).contains("in.FileTail", "out.Fluentd", "buffer");
  }

  @Test
  void externalJarsAreFoundByNameAndInTheList() throws IOException {
    jar("sink.jar", TestSink.P.class.getName());
    PluginRegistry byName = PluginRegistry.load(dir);
    assertThat(byName.find("in.FileTail")).isNotNull();
    assertThat(byName.find("out.testsink")).isInstanceOf(TestSink.P.class);

    PluginRegistry listed = PluginRegistry.load(dir);
    assertThat(listed.all()).extracting(Plugin::name).contains("out.TestSink", "in.FileTail");
    assertThat(listed.names()).contains("out.TestSink");
  }

  @Test
  void aBrokenPluginJarIsReportedWhenItIsOpened() throws IOException {
    jar("broken.jar", "com.example.NoSuchPlugin");
    PluginRegistry r = PluginRegistry.load(dir);
    assertThat(r.find("out.Stdout")).as("built-ins need no external jar").isNotNull();
    assertThatThrownBy(() -> r.find("out.Mine")).isInstanceOf(IllegalStateException.class)
        .hasMessageContaining("a plugin failed to load").hasMessageContaining("com.example.NoSuchPlugin");
    // and again at the next lookup (a reload), not a plain "unknown plugin"
    assertThatThrownBy(r::names).isInstanceOf(IllegalStateException.class)
        .hasMessageContaining("com.example.NoSuchPlugin");
  }

  @Test
  void anExternalPluginCannotTakeABuiltInName() throws IOException {
    jar("again.jar", io.swak.plugins.nulls.NullPlugin.class.getName());
    PluginRegistry r = PluginRegistry.load(dir);
    var builtIn = r.find("out.Null"); // built in: found without opening the jars
    assertThatThrownBy(r::all).isInstanceOf(IllegalStateException.class).hasMessageContaining("is used by both");
    assertThatThrownBy(() -> r.find("out.Other")).hasMessageContaining("is used by both");
    assertThat(r.find("out.Null")).as("the clashing jar's plugin does not shadow the built-in").isSameAs(builtIn);
  }

  @Test
  void aLookupCreatesOnlyThePluginItNames() {
    PluginRegistry r = PluginRegistry.builtIn();
    int listed = r.notCreated();
    assertThat(listed).as("the built-ins' service files give their names").isGreaterThan(25);
    assertThat(r.find("in.tail")).as("an alias").isSameAs(r.find("in.FileTail"));
    r.find("out.Null");
    assertThat(r.notCreated()).isEqualTo(listed - 2);
    assertThat(r.find("out.NoSuch")).isNull();
    assertThat(r.all()).extracting(Plugin::name).contains("out.Kafka", "in.Syslog");
    assertThat(r.notCreated()).isZero();
  }

  /** Every `# names:` of the built-ins' service files is the plugin's name and aliases (else a lookup fails). */
  @Test
  void theNamesInTheServiceFilesAreThePlugins() {
    PluginRegistry r = PluginRegistry.builtIn();
    for (Plugin<?> p : r.all()) {
      for (String n : p.aliases()) {
        assertThat(PluginRegistry.builtIn().find(n)).as(n).isInstanceOf(p.getClass());
      }
      assertThat(PluginRegistry.builtIn().find(p.name())).as(p.name()).isInstanceOf(p.getClass());
    }
  }

  @Test
  void aServiceFileThatMisnamesItsPluginIsReported() throws IOException {
    jar("misnamed.jar", io.swak.plugins.nulls.NullPlugin.class.getName() + " # names: out.Elsewhere");
    PluginRegistry r = PluginRegistry.load(dir);
    assertThatThrownBy(() -> r.find("out.Elsewhere")).isInstanceOf(IllegalStateException.class)
        .hasMessageContaining("misnamed.jar").hasMessageContaining("but the plugin is called [out.Null, out.Discard]");
  }

  @Test
  void aListedNameTakenByAnotherPluginIsReported() throws IOException {
    jar("taken.jar", "com.example.Mine # names: out.Mine out.Stdout");
    PluginRegistry r = PluginRegistry.load(dir);
    assertThatThrownBy(() -> r.find("out.Mine")).isInstanceOf(IllegalStateException.class)
        .hasMessageContaining("plugin name out.Stdout is used by both");
  }

  /** A plugin jar whose service file names {@code className} (a class the test class path already has). */
  private void jar(String name, String className) throws IOException {
    try (OutputStream out = Files.newOutputStream(dir.resolve(name)); JarOutputStream j = new JarOutputStream(out)) {
      j.putNextEntry(new JarEntry("META-INF/services/io.swak.api.Plugin"));
      j.write((className + "\n").getBytes(StandardCharsets.UTF_8));
      j.closeEntry();
    }
  }
}
