package io.swak.plugins.http;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.swak.api.EntryReader;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** NDJSON and JSON bodies into entries: the values, the line rules and the line a bad body is told about. */
class BodyReaderTest {

  private final BodyReader reader = new BodyReader("message");

  private List<Map<String, Object>> ndjson(String body) throws Exception {
    byte[] b = body.getBytes(StandardCharsets.UTF_8);
    reader.reset();
    reader.ndjson(b, 0, b.length, 42);
    return records();
  }

  private List<Map<String, Object>> records() throws Exception {
    List<Map<String, Object>> out = new ArrayList<>();
    try (EntryReader r = new EntryReader(reader.buf, 0, reader.len)) {
      while (r.hasNext()) {
        r.next();
        assertThat(r.timeNanos()).isEqualTo(42);
        out.add(r.record());
      }
    }
    assertThat(out).hasSize(reader.count);
    return out;
  }

  private String badNdjson(String body) {
    byte[] b = body.getBytes(StandardCharsets.UTF_8);
    reader.reset();
    return assertThatThrownBy(() -> reader.ndjson(b, 0, b.length, 42)).isInstanceOf(BodyReader.BadBody.class)
        .actual().getMessage();
  }

  @Test
  void eachLineIsOneEventWithItsValuesAsJsonHasThem() throws Exception {
    String long300 = "x".repeat(300);
    List<Map<String, Object>> got = ndjson("{\"host\":\"web-1\",\"status\":200,\"ok\":true,\"none\":null}\r\n"
        + "\n   \n"
        + "{\"f\":1.5,\"big\":123456789012345678901234567890,\"neg\":-7,\"nested\":{\"a\":[1,\"two\",{}]}}\n"
        + "{\"utf\":\"h\u00e9llo \u20ac \ud83d\ude00\",\"esc\":\"a\\\"b\\\\c\\n\\u0041\",\"long\":\"" + long300
        + "\",\"\u00fcber\":\"k\"}");
    assertThat(got).hasSize(3);
    assertThat(got.get(0)).containsEntry("host", "web-1").containsEntry("status", 200L).containsEntry("ok", true)
        .containsKey("none");
    assertThat(got.get(0).get("none")).isNull();
    assertThat(got.get(1)).containsEntry("f", 1.5).containsEntry("big", "123456789012345678901234567890")
        .containsEntry("neg", -7L).containsEntry("nested", Map.of("a", List.of(1L, "two", Map.of())));
    assertThat(got.get(2)).containsEntry("utf", "h\u00e9llo \u20ac \ud83d\ude00").containsEntry("esc", "a\"b\\c\nA")
        .containsEntry("long", long300).containsEntry("\u00fcber", "k");
  }

  @Test
  void theSameKeysInManyEventsAndManyBodiesStayRight() throws Exception {
    StringBuilder b = new StringBuilder();
    for (int i = 0; i < 3000; i++) {
      b.append("{\"k").append(i).append("\":").append(i).append(",\"same\":\"v").append(i).append("\"}\n");
    }
    for (int round = 0; round < 2; round++) {
      List<Map<String, Object>> got = ndjson(b.toString());
      assertThat(got).hasSize(3000);
      assertThat(got.get(2999)).isEqualTo(Map.of("k2999", 2999L, "same", "v2999"));
      assertThat(got.get(5)).isEqualTo(Map.of("k5", 5L, "same", "v5"));
    }
  }

  @Test
  void theLineRulesHoldAndTheBadLineIsNamed() {
    assertThat(badNdjson("{\"a\":1}\n{oops}")).startsWith("line 2 is not JSON");
    assertThat(badNdjson("{\"a\":1}\n\n{\"b\":2} {\"c\":3}\n")).isEqualTo("line 3 holds more than one JSON value");
    assertThat(badNdjson("{\"a\":1} 5\n")).isEqualTo("line 1 holds more than one JSON value");
    assertThat(badNdjson("{\"a\":1}\n[1,2]\n")).isEqualTo("line 2 is not a JSON object");
    assertThat(badNdjson("{\"a\":1}\n{\"b\":\n2}\n")).isEqualTo(
        "line 2 is not JSON: the object goes on past the end of its line");
    assertThat(badNdjson("{\"a\":1}\n{\"a\":1}\n{\"b\":")).startsWith("line 3 is not JSON: Unexpected end-of-input");
    assertThat(badNdjson("{\"a\":1}\n{\"a\":\"\u00e9\" x}")).startsWith("line 2 is not JSON");
    byte[] bad = "{\"a\":1}\n{\"a\":\"\u00ff\"}\n".getBytes(StandardCharsets.ISO_8859_1); // a lone 0xff
    reader.reset();
    assertThatThrownBy(() -> reader.ndjson(bad, 0, bad.length, 42)).hasMessageStartingWith("line 2 is not JSON");
  }

  @Test
  void aBodyThatFailsKeepsNoHalfEvent() throws Exception {
    badNdjson("{\"a\":1}\n{\"b\":[1,2");
    assertThat(records()).containsExactly(Map.of("a", 1L));
  }

  @Test
  void jsonArraysAndObjectsUseTheSameValues() throws Exception {
    byte[] b = "[{\"s\":\"\u00e9t\u00e9\",\"n\":3},{\"s\":\"plain\"}]".getBytes(StandardCharsets.UTF_8);
    reader.reset();
    reader.json(b, 0, b.length, 42);
    assertThat(records()).containsExactly(Map.of("s", "\u00e9t\u00e9", "n", 3L), Map.of("s", "plain"));
  }
}
