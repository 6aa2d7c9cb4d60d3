package io.swak.core.testing;

import io.swak.core.config.AgentConfig;
import io.swak.core.config.ConfigLoader;
import io.swak.core.config.PluginRegistry;
import io.swak.core.runtime.Agent;
import java.nio.file.Path;
import java.time.Clock;
import java.util.HashMap;
import java.util.Map;

/** Runs config text with the real runtime plus the test plugins. */
public final class Pipelines {

  private Pipelines() { }

  public static PluginRegistry registry() {
    PluginRegistry r = PluginRegistry.builtIn();
    r.register(new TestSource.P());
    r.register(new TestSink.P());
    r.register(new Exploder.P());
    r.register(new BrokenOutputs.P());
    r.register(new BrokenInputs.P());
    return r;
  }

  /** Loads {@code yaml} (with {@code ${DIR}} = dir) and starts it with data under dir/data. */
  public static Agent start(Path dir, String yaml) throws Exception {
    Map<String, String> env = new HashMap<>(System.getenv());
    env.put("DIR", dir.toString());
    AgentConfig cfg = new ConfigLoader(registry(), env).parse("test.yml", yaml);
    Agent a = new Agent(cfg, dir.resolve("data"), Clock.systemUTC());
    a.start();
    return a;
  }
}
