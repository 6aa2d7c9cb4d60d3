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

  /** A plugin jar whose service file names {@code className} (a class the test class path already has). */
  private void jar(String name, String className) throws IOException {
    try (OutputStream out = Files.newOutputStream(dir.resolve(name)); JarOutputStream j = new JarOutputStream(out)) {
      j.putNextEntry(new JarEntry("META-INF/services/io.swak.api.Plugin"));
      j.write((className + "\n").getBytes(StandardCharsets.UTF_8));
      j.closeEntry();
    }
  }
}
