package io.swak.plugins.filetail;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.swak.core.config.AgentConfig;
import io.swak.core.config.ConfigException;
import io.swak.core.config.ConfigLoader;
import io.swak.core.config.PluginRegistry;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** Options as users write them: the seed's example, aliases, and errors that say what is allowed. */
class FileTailConfigTest {

  private static AgentConfig parse(String tail) throws ConfigException {
    return new ConfigLoader(PluginRegistry.builtIn(), Map.of()).parse("t.yml",
        "- task:\n  - in.FileTail:\n" + tail + "  - out.Stdout\n");
  }

  @Test
  void theSeedExampleLoads() throws Exception {
    AgentConfig c = parse("      path: C:/myprj/logs/mylog.txt\n      pos_dir: C:/swak_temp/pos\n      encoding: cp949\n");
    assertThat(c.tasks()).hasSize(1);
    FileTailPlugin.Options o = (FileTailPlugin.Options) c.tasks().get(0).steps().get(0).options();
    assertThat(o.path()).containsExactly("C:/myprj/logs/mylog.txt");
    assertThat(o.encoding().name()).isEqualTo("x-windows-949");
  }

  @Test
  void fluentBitAndFluentdNamesAreAccepted() throws Exception {
    AgentConfig c = new ConfigLoader(PluginRegistry.builtIn(), Map.of()).parse("t.yml",
        "- task:\n  - in.tail:\n      paths: [/a/*.log, /b/**/*.log]\n      exclude_path: '*.gz'\n"
            + "      buffer_chunk_size: 64KiB\n      from_encoding: euc-kr\n      key: log\n  - out.Stdout\n");
    FileTailPlugin.Options o = (FileTailPlugin.Options) c.tasks().get(0).steps().get(0).options();
    assertThat(o.path()).containsExactly("/a/*.log", "/b/**/*.log");
    assertThat(o.exclude()).containsExactly("*.gz");
    assertThat(o.readBufferSize().bytes()).isEqualTo(64 * 1024);
    assertThat(o.messageKey()).isEqualTo("log");
  }

  @Test
  void badValuesSayWhatIsAllowed() {
    assertThatThrownBy(() -> parse("      path: /a.log\n      encoding: utf-16\n"))
        .hasMessageContaining("utf-16le");
    assertThatThrownBy(() -> parse("      path: /a.log\n      encoding: klingon\n"))
        .hasMessageContaining("unknown encoding");
    assertThatThrownBy(() -> parse("      path: /a.log\n      long_lines: cut\n"))
        .hasMessageContaining("truncate, skip");
    assertThatThrownBy(() -> parse("      path: /a.log\n      read_buffer_size: 1KiB\n"))
        .hasMessageContaining("between 4KiB and 64MiB");
    assertThatThrownBy(() -> parse("      path: /a.log\n      multiline:\n        start: '(['\n"))
        .hasMessageContaining("invalid regular expression");
    assertThatThrownBy(() -> parse("      pos_dir: /tmp/x\n"))
        .hasMessageContaining("missing required option `path`");
  }
}
