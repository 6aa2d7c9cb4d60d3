package io.swak.plugins.elasticsearch;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

/** generate_id's ids never change between versions: documents indexed before an upgrade must match after it. */
class EventIdTest {

  private static String id(String tag, long time, int occurrence, String record) {
    EventId e = new EventId();
    byte[] b = record.getBytes(StandardCharsets.UTF_8);
    e.compute(tag, time, occurrence, b, 0, b.length);
    return e.text();
  }

  @Test
  void idsAreStableAndTellEventsApart() {
    String a = id("app", 1_700_000_000_123_456_789L, 0, "\u0081\u00a3seq\u0001");
    assertThat(a).hasSize(22).matches("[A-Za-z0-9_-]{22}");
    assertThat(id("app", 1_700_000_000_123_456_789L, 0, "\u0081\u00a3seq\u0001")).isEqualTo(a);
    assertThat(id("web", 1_700_000_000_123_456_789L, 0, "\u0081\u00a3seq\u0001")).isNotEqualTo(a);
    assertThat(id("app", 1_700_000_000_123_456_790L, 0, "\u0081\u00a3seq\u0001")).isNotEqualTo(a);
    assertThat(id("app", 1_700_000_000_123_456_789L, 1, "\u0081\u00a3seq\u0001")).isNotEqualTo(a);
    assertThat(id("app", 1_700_000_000_123_456_789L, 0, "\u0081\u00a3seq\u0002")).isNotEqualTo(a);
    assertThat(a).as("the id of this event, fixed for ever").isEqualTo(FIXED);
  }

  private static final String FIXED = "xunrvJ4k32VdhV9C5aHLrg";
}
