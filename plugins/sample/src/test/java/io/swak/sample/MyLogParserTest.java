package io.swak.sample;

import static org.assertj.core.api.Assertions.assertThat;

import io.swak.api.Ack;
import io.swak.api.Batch;
import io.swak.api.BatchBuilder;
import io.swak.api.Event;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class MyLogParserTest {

  private static Batch lines(String... lines) {
    BatchBuilder b = new BatchBuilder();
    for (String l : lines) {
      b.add(1_000_000_000L, Map.of("message", l));
    }
    return b.build("app", Ack.NONE);
  }

  @Test
  void parsesTheCustomFormatIntoFields() {
    MyLogParser p = new MyLogParser(new MyLogParserPlugin.Options("message", false, MyLogParserPlugin.OnMismatch.KEEP));
    List<Event> out = p.process(lines("2026-11-21 14:38:12.345 [WARN] (worker-3) order 42: payment retried",
        "garbage \u0000 line")).events();
    assertThat(out).hasSize(2);
    assertThat(out.get(0).record()).containsEntry("date", "2026-11-21 14:38:12.345").containsEntry("level", "WARN")
        .containsEntry("thread", "worker-3").containsEntry("text", "order 42: payment retried")
        .containsEntry("order", 42L).doesNotContainKey("message");
    assertThat(out.get(1).record()).containsEntry("parse_error", true).containsEntry("message", "garbage \u0000 line");
  }

  @Test
  void dropModeDropsWhatDoesNotMatch() {
    MyLogParser p = new MyLogParser(new MyLogParserPlugin.Options("message", true, MyLogParserPlugin.OnMismatch.DROP));
    assertThat(p.process(lines("no match"))).isNull();
    List<Event> out = p.process(lines("2026-11-21 14:38:12 [INFO] (main) started", "nope")).events();
    assertThat(out).singleElement().satisfies(e -> assertThat(e.record()).containsEntry("message",
        "2026-11-21 14:38:12 [INFO] (main) started").doesNotContainKey("order"));
  }
}
