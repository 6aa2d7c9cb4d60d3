package io.swak.plugins.elasticsearch;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

/** The streaming reader of bulk answers: any size, any cut into buffers, garbage refused with a clear error. */
class BulkAnswerTest {

  private static BulkAnswer.Result read(String body, int chunk) throws Exception {
    BulkAnswer a = new BulkAnswer();
    byte[] b = body.getBytes(StandardCharsets.UTF_8);
    byte[] buf = new byte[chunk]; // one buffer used again for each part, as the connection's read buffer is
    for (int i = 0; i < b.length; i += chunk) {
      int n = Math.min(chunk, b.length - i);
      System.arraycopy(b, i, buf, 0, n);
      java.util.Arrays.fill(buf, n, buf.length, (byte) 'x');
      a.feed(buf, 0, n);
      java.util.Arrays.fill(buf, (byte) '#'); // the reader must have taken what it needs
    }
    return a.finish();
  }

  @Test
  void aLargeAnswerCutAnywhereGivesEveryFailedItemWithItsReason() throws Exception {
    StringBuilder b = new StringBuilder("{\"took\":3,\"errors\":true,\"items\":[");
    int n = 50_000;
    for (int i = 0; i < n; i++) {
      b.append(i > 0 ? "," : "");
      if (i % 1000 == 7) {
        b.append("{\"create\":{\"_index\":\"x\",\"_id\":\"").append(i).append("\",\"status\":400,\"error\":{\"type\":"
            + "\"mapper_parsing_exception\",\"reason\":\"failed to parse field [n]\",\"caused_by\":{\"type\":"
            + "\"illegal_argument_exception\",\"reason\":\"not a number\"}}}}");
      } else if (i % 1000 == 8) {
        b.append("{\"index\":{\"_index\":\"x\",\"status\":429,\"error\":{\"type\":\"es_rejected_execution_exception\","
            + "\"reason\":\"queue full\"}}}");
      } else {
        b.append("{\"create\":{\"_index\":\"x\",\"_id\":\"").append(i).append("\",\"_version\":1,\"result\":"
            + "\"created\",\"_shards\":{\"total\":1,\"successful\":1,\"failed\":0},\"status\":201}}");
      }
    }
    String body = b.append("]}").toString();
    for (int chunk : new int[] {7, 16 * 1024 + 3, body.length()}) {
      BulkAnswer.Result r = read(body, chunk);
      assertThat(r.items).isEqualTo(n);
      assertThat(r.failures).hasSize(100);
      assertThat(r.failures.get(0)).isEqualTo(new BulkAnswer.Failure(7, 400, "mapper_parsing_exception",
          "failed to parse field [n]; caused by illegal_argument_exception: not a number"));
      assertThat(r.failures.get(1).describe()).isEqualTo("429 es_rejected_execution_exception: queue full");
      assertThat(r.failures.get(99).item()).isEqualTo(49_008);
    }
  }

  @Test
  void errorsFalseFirstStopsReading() throws Exception {
    BulkAnswer.Result r = read("{\"took\":1,\"errors\":false,\"items\":[{\"create\":{\"status\":201}}, garbage", 5);
    assertThat(r.allSucceeded).isTrue();
    assertThat(r.failures).isEmpty();
  }

  @Test
  void garbageAndCutAnswersAreNotBulkAnswers() {
    for (String bad : new String[] {"<html>502</html>", "{\"took\":1,\"errors\":true,\"items\":[{\"create\":{\"sta",
        "[1,2]", ""}) {
      assertThatThrownBy(() -> read(bad, 3)).isInstanceOf(BulkAnswer.NotBulk.class).hasMessageContaining("not a bulk response");
    }
  }

  @Test
  void theErrorOfAWholeRequestInWords() {
    byte[] json = "{\"error\":{\"root_cause\":[],\"type\":\"security_exception\",\"reason\":\"missing authentication\"},\"status\":401}"
        .getBytes(StandardCharsets.UTF_8);
    assertThat(BulkAnswer.errorText(json, json.length)).isEqualTo("security_exception: missing authentication");
    byte[] html = "<html>\n  <h1>Bad   gateway</h1></html>".getBytes(StandardCharsets.UTF_8);
    assertThat(BulkAnswer.errorText(html, html.length)).isEqualTo("<html> <h1>Bad gateway</h1></html>");
  }
}
