package io.swak.parsers;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/** ByteRegex's fast paths answer as java.util.regex does on the same text. */
class ByteRegexTest {

  @Test
  void literalAndWholeValueAlternativesAgreeWithJavaRegex() {
    List<String> patterns = List.of("^(error|warn)$", "^(?:error|warn)$", "^error$", "error", "^(error|)$",
        "^(e.r|warn)$", "^err(or|)$");
    List<String> values = List.of("error", "error\n", "error\r\n", "error\r", "error\u0085", "xerror", "errorx", "",
        "warn", "warn\r", "warning", "err", "e.r", "eXr", "error\n\n");
    for (String p : patterns) {
      ByteRegex r = ByteRegex.compile(p).orElseThrow();
      for (String v : values) {
        byte[] b = v.getBytes(StandardCharsets.ISO_8859_1);
        boolean java = Pattern.compile(p).matcher(v).find();
        assertThat(r.find(b, 0, b.length) == ByteRegex.FOUND).as("%s on %s", p, v.replace("\n", "\\n")).isEqualTo(java);
      }
    }
  }
}
