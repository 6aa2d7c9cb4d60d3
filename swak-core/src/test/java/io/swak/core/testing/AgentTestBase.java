package io.swak.core.testing;

import io.swak.core.runtime.Agent;
import java.nio.file.Path;
import java.util.UUID;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.io.TempDir;

/** A test that runs one agent from config text: a temp dir, a unique id for the test plugins, a stop. */
public abstract class AgentTestBase {

  @TempDir
  protected Path dir;

  /** Names this test's {@link TestSource} and {@link TestSink} states apart from other tests'. */
  protected final String id = UUID.randomUUID().toString();

  protected Agent agent;

  /** Starts {@code yaml} (see {@link Pipelines#start}); the agent is stopped after the test. */
  protected Agent start(String yaml) throws Exception {
    agent = Pipelines.start(dir, yaml);
    return agent;
  }

  @AfterEach
  void stopAgent() throws Exception {
    if (agent != null) {
      agent.stop();
    }
  }
}
