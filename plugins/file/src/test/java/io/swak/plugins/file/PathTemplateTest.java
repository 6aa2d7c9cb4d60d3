package io.swak.plugins.file;

import static org.assertj.core.api.Assertions.assertThat;

import io.swak.api.Ack;
import io.swak.api.Batch;
import io.swak.api.BatchBuilder;
import io.swak.api.EntryReader;
import io.swak.support.HostName;
import java.time.LocalDateTime;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** out.File's paths from record fields: what a record can and cannot make of the path. */
class PathTemplateTest {

  private static final LocalDateTime NOW = LocalDateTime.of(2026, 12, 2, 7, 5, 9);

  private static String path(String template, Map<String, Object> record, List<String> missing) throws Exception {
    Batch b = new BatchBuilder().add(1L, record).build("app.web", Ack.NONE);
    try (EntryReader r = new EntryReader(b.data(), 0, b.length())) {
      r.next();
      return new PathTemplate(template).expand("app.web", NOW, b.data(), r.recordStart(), r.recordEnd(), missing);
    }
  }

  private static Map<String, Object> record(Object... kv) {
    Map<String, Object> m = new LinkedHashMap<>();
    for (int i = 0; i < kv.length; i += 2) {
      m.put((String) kv[i], kv[i + 1]);
    }
    return m;
  }

  @Test
  void aFileFieldGivesItsPathDirectoryAndName() throws Exception {
    Map<String, Object> r = record("host", "web-1", "file", "/var/log/app/a.log", "message", "x");
    List<String> missing = new ArrayList<>();
    assertThat(path("/data/${record.host}/${record.file.path}", r, missing)).isEqualTo("/data/web-1/var/log/app/a.log");
    assertThat(path("/data/${record.host}/${record.file.dir}/x-${record.file.name}", r, missing))
        .isEqualTo("/data/web-1/var/log/app/x-a.log");
    assertThat(path("/d/${tag}/%Y-%m-%d/${record.file.name}", r, missing)).isEqualTo("/d/app.web/2026-12-02/a.log");
    assertThat(new PathTemplate("/d/${hostname}/${tag}.log").expand("t", NOW)).isEqualTo("/d/" + HostName.of() + "/t.log");
    assertThat(missing).isEmpty();
  }

  @Test
  void aRecordCannotClimbOutOfTheDirectoryOrInjectATemplate() throws Exception {
    List<String> missing = new ArrayList<>();
    Map<String, Object> r = record("host", "../../etc", "file", "/../../etc/./passwd", "odd", "50%d ${tag}");
    assertThat(path("/data/${record.host}/${record.file.path}", r, missing)).isEqualTo("/data/______etc/etc/passwd");
    assertThat(path("/data/${record.odd}", r, missing)).isEqualTo("/data/50%d ${tag}");
    assertThat(path("/data/${record.file.name}", record("file", "/"), missing)).isEqualTo("/data/_");
  }

  @Test
  void aMissingFieldIsAnUnderscoreAndSaidWhich() throws Exception {
    List<String> missing = new ArrayList<>();
    assertThat(path("/data/${record.host}/${record.file.name}", record("message", "x"), missing))
        .isEqualTo("/data/_/_");
    assertThat(missing).containsExactly("record.host", "record.file.name");
    // a nested map with a `name` is a field like any other, not a path
    missing.clear();
    assertThat(path("/data/${record.file.name}", record("file", Map.of("name", "b.log")), missing)).isEqualTo("/data/b.log");
    assertThat(path("/data/${record.n}", record("n", 42), missing)).isEqualTo("/data/42");
    assertThat(missing).isEmpty();
  }
}
