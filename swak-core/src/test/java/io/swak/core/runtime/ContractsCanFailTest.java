package io.swak.core.runtime;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.platform.engine.discovery.DiscoverySelectors.selectClass;

import io.swak.core.testing.BrokenInputs;
import io.swak.core.testing.BrokenOutputs;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.platform.testkit.engine.EngineTestKit;
import org.junit.platform.testkit.engine.Event;

/** The contract suites are worth passing: run against an output or an input with the usual bugs, they fail. */
class ContractsCanFailTest {

  private static List<String> failed(Class<?> suite) {
    return EngineTestKit.engine("junit-jupiter").selectors(selectClass(suite)).execute().testEvents().failed()
        .stream().map(Event::getTestDescriptor).map(d -> d.getDisplayName()).toList();
  }

  @Test
  void anOutputThatLosesBatchesFailsTheSuite() {
    assertThat(failed(BrokenOutputs.Losing.class)).contains("deliversEveryEventInOrderAndCountsThem()",
        "aStopLeavesNothingAcknowledgedThatTheDestinationDoesNotHave()");
  }

  @Test
  void anOutputThatReordersBatchesFailsTheSuite() {
    assertThat(failed(BrokenOutputs.Reordering.class)).contains("deliversEveryEventInOrderAndCountsThem()");
  }

  @Test
  void anInputWhosePositionMovesBeforeTheAcknowledgementFailsTheSuite() {
    assertThat(failed(BrokenInputs.Contract.class)).contains("thePositionAdvancesOnlyOverAcknowledgedBatches()");
  }
}
