package io.swak.support;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The presets on real stack traces: each event is the log line with its whole trace, the next line apart. */
class MultilinePresetTest {

  private List<String> join(MultilinePreset preset, String text) {
    List<String> events = new ArrayList<>();
    Multiline m = new Multiline(preset.start(), 1 << 20);
    long pos = 0;
    for (String l : text.split("\n", -1)) {
      byte[] b = l.getBytes(StandardCharsets.UTF_8);
      if (m.line(b, 0, b.length, pos, 0, (d, off, len) -> events.add(new String(d, off, len,
          StandardCharsets.UTF_8))) == Multiline.Took.ALONE) {
        events.add(l);
      }
      pos += b.length + 1;
    }
    m.flush((d, off, len) -> events.add(new String(d, off, len, StandardCharsets.UTF_8)));
    return events;
  }

  @Test
  void javaJoinsAStackTraceWithCausesAndOmittedFrames() {
    String trace = """
        2026-11-21 14:38:12.345 ERROR [main] request failed
        java.lang.IllegalStateException: no connection
        \tat io.example.Db.query(Db.java:42)
        \tat io.example.Api.handle(Api.java:7)
        Caused by: java.net.ConnectException: Connection refused
        \tat java.base/sun.nio.ch.Net.connect(Net.java:579)
        \t... 2 more
        \tSuppressed: io.example.CloseError
        \t\tat io.example.Db.close(Db.java:9)
        Caused by: io.example.DeepError
        \t... 12 common frames omitted""";
    assertThat(join(MultilinePreset.JAVA, trace + "\n2026-11-21 14:38:13.000 INFO [main] retrying"))
        .containsExactly(trace, "2026-11-21 14:38:13.000 INFO [main] retrying");
    assertThat(join(MultilinePreset.JAVA, "plain one\nplain two")).containsExactly("plain one", "plain two");
  }

  @Test
  void pythonJoinsATracebackAndChainedExceptions() {
    String trace = """
        ERROR:root:handler failed
        Traceback (most recent call last):
          File "app.py", line 3, in <module>
            main()
        KeyError: 'user'

        During handling of the above exception, another exception occurred:

        Traceback (most recent call last):
          File "app.py", line 5, in <module>
            raise ValueError("bad")
        ValueError: bad""";
    assertThat(join(MultilinePreset.PYTHON, trace + "\nINFO:root:next")).containsExactly(trace, "INFO:root:next");
  }

  @Test
  void goJoinsAPanicAndItsGoroutineDump() {
    String panic = """
        panic: runtime error: index out of range [3] with length 3

        goroutine 1 [running]:
        main.lookup(...)
        \t/src/app/main.go:12
        main.main()
        \t/src/app/main.go:7 +0x1d
        created by main.start in goroutine 1
        \t/src/app/main.go:3 +0x25
        exit status 2""";
    assertThat(join(MultilinePreset.GO, "2026/11/21 14:38:12 starting\n" + panic + "\n2026/11/21 14:38:13 up"))
        .containsExactly("2026/11/21 14:38:12 starting", panic, "2026/11/21 14:38:13 up");
  }
}
