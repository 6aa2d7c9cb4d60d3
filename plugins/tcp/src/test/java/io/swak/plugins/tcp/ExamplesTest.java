package io.swak.plugins.tcp;

import static org.assertj.core.api.Assertions.assertThat;

import io.swak.core.config.AgentConfig;
import io.swak.core.config.ConfigLoader;
import io.swak.core.testing.Pipelines;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The relay examples in examples/ load with the real plugins (a typo in an option name fails here). */
class ExamplesTest {

  @Test
  void theRelayExamplesLoad() throws Exception {
    for (String name : new String[] {"relay-agent.yml", "relay-collector.yml"}) {
      Path p = Path.of("../../examples", name);
      AgentConfig cfg = new ConfigLoader(Pipelines.registry(), Map.of()).parse(name, Files.readString(p));
      assertThat(cfg.tasks()).as(name).hasSize(1);
    }
  }
}
