package io.swak.support;

import static org.assertj.core.api.Assertions.assertThat;

import io.swak.api.Ack;
import io.swak.api.Batch;
import io.swak.api.BatchBuilder;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class LineFormatTest {

  static String write(LineFormat.Kind kind, Batch b) throws Exception {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    new LineFormat(kind, "message").write(b, out);
    return out.toString(StandardCharsets.UTF_8);
  }

  static Batch batch(String tag) {
    Map<String, Object> r = new LinkedHashMap<>();
    r.put("message", "GET \"/a\" 200\tok");
    r.put("n", 7L);
    r.put("list", List.of(true, 0.5));
    BatchBuilder b = new BatchBuilder();
    b.add(1_704_164_645_000_000_042L, r); // 2024-01-02T03:04:05.000000042Z
    b.add(1_704_164_646_123_456_789L, Map.of("x", "한국어"));
    return b.build(tag, Ack.NONE);
  }

  @Test
  void jsonLinesCarryTagNanosecondTimeAndRecord() throws Exception {
    assertThat(write(LineFormat.Kind.JSON, batch("app.\"q\""))).isEqualTo(
        "{\"tag\":\"app.\\\"q\\\"\",\"time\":\"2024-01-02T03:04:05.000000042Z\",\"record\":"
            + "{\"message\":\"GET \\\"/a\\\" 200\\tok\",\"n\":7,\"list\":[true,0.5]}}\n"
            + "{\"tag\":\"app.\\\"q\\\"\",\"time\":\"2024-01-02T03:04:06.123456789Z\",\"record\":{\"x\":\"한국어\"}}\n");
  }

  @Test
  void textIsFluentdsStdoutFormAndRawIsTheMessageOnly() throws Exception {
    assertThat(write(LineFormat.Kind.TEXT, batch("t")).lines().toList().get(0)).isEqualTo(
        "2024-01-02 03:04:05.000000042 +0000 t: {\"message\":\"GET \\\"/a\\\" 200\\tok\",\"n\":7,\"list\":[true,0.5]}");
    // the second record has no message: it is written whole, as JSON
    assertThat(write(LineFormat.Kind.RAW, batch("t"))).isEqualTo("GET \"/a\" 200\tok\n{\"x\":\"한국어\"}\n");
    assertThat(write(LineFormat.Kind.RECORD, batch("t")).lines().toList().get(1)).isEqualTo("{\"x\":\"한국어\"}");
  }

  @Test
  void controlCharactersNonFiniteNumbersAndBytesStayValidJson() throws Exception {
    Map<String, Object> r = new LinkedHashMap<>();
    r.put("c", "a\u0001b\\c\r\n");
    r.put("nan", Double.NaN);
    r.put("bin", new byte[] {1, 2, 3});
    r.put("nil", null);
    Batch b = new BatchBuilder().add(0, r).build("t", Ack.NONE);
    assertThat(write(LineFormat.Kind.RECORD, b)).isEqualTo(
        "{\"c\":\"a\\u0001b\\\\c\\r\\n\",\"nan\":\"NaN\",\"bin\":\"AQID\",\"nil\":null}\n");
    new com.fasterxml.jackson.databind.ObjectMapper().readTree(write(LineFormat.Kind.JSON, b)); // parses
  }
}
