package io.swak.core.behavior;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import io.swak.core.config.AgentConfig;
import io.swak.core.config.ConfigLoader;
import io.swak.core.config.PluginRegistry;
import io.swak.core.runtime.Agent;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import java.util.zip.GZIPInputStream;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.TestFactory;
import org.junit.jupiter.api.io.TempDir;

/**
 * Runs every {@code src/test/resources/behavior/*.yaml} case, in the spirit of Vector's behaviour
 * tests: a real config, real input files, the real agent, and the output files compared with what
 * the case expects. A case is:
 *
 * <pre>
 * name: what it shows
 * files: {input.log: "line\n"}      # written under ${DIR} before the agent starts (optional)
 * config: |                         # ${DIR} is the case's temporary directory
 *   - task: …
 * expect:
 *   - file: out.log                 # under ${DIR}
 *     gzip: false                   # optional
 *     lines: ["exact line", …]      # exact content, in order; or
 *     count: 5                      # number of lines, and
 *     each_has: [name, email]       # fields every JSON line's record (or line) must have
 * </pre>
 */
class BehaviorTest {

  private static final ObjectMapper YAML = new ObjectMapper(new YAMLFactory());
  private static final ObjectMapper JSON = new ObjectMapper();

  @TempDir
  Path temp;

  @TestFactory
  Stream<DynamicTest> cases() throws IOException {
    Path dir = Path.of("src/test/resources/behavior");
    List<Path> files;
    try (Stream<Path> s = Files.list(dir)) {
      files = s.filter(p -> p.toString().endsWith(".yaml")).sorted().toList();
    }
    assertThat(files).isNotEmpty();
    return files.stream().map(f -> DynamicTest.dynamicTest(f.getFileName().toString(), () -> run(f)));
  }

  private void run(Path caseFile) throws Exception {
    JsonNode c = YAML.readTree(caseFile.toFile());
    Path dir = Files.createDirectories(temp.resolve(caseFile.getFileName().toString().replace(".yaml", "")));
    Iterator<Map.Entry<String, JsonNode>> inputs = c.path("files").fields();
    while (inputs.hasNext()) {
      var e = inputs.next();
      Path p = dir.resolve(e.getKey());
      Files.createDirectories(p.getParent());
      Files.writeString(p, e.getValue().asText(), StandardCharsets.UTF_8);
    }
    Map<String, String> env = new HashMap<>(System.getenv());
    env.put("DIR", dir.toString());
    AgentConfig cfg = new ConfigLoader(PluginRegistry.builtIn(), env).parse(caseFile.toString(),
        c.get("config").asText());
    Agent agent = new Agent(cfg, dir.resolve("data"), Clock.systemUTC());
    agent.start();
    try {
      for (JsonNode exp : c.get("expect")) {
        Path out = dir.resolve(exp.get("file").asText());
        boolean gzip = exp.path("gzip").asBoolean(false);
        if (exp.has("lines")) {
          List<String> want = new ArrayList<>();
          exp.get("lines").forEach(l -> want.add(l.isTextual() ? l.asText() : l.toString()));
          await().atMost(Duration.ofSeconds(20)).untilAsserted(() ->
              assertThat(normalise(read(out, gzip))).containsExactlyElementsOf(normalise(want)));
        } else {
          int count = exp.get("count").asInt();
          await().atMost(Duration.ofSeconds(20)).untilAsserted(() ->
              assertThat(read(out, gzip)).hasSize(count));
        }
        if (exp.has("each_has")) {
          for (String line : read(out, gzip)) {
            JsonNode rec = JSON.readTree(line);
            rec = rec.has("record") ? rec.get("record") : rec;
            for (JsonNode field : exp.get("each_has")) {
              assertThat(rec.has(field.asText())).as("%s has %s", line, field.asText()).isTrue();
            }
          }
        }
      }
    } finally {
      agent.stop();
    }
  }

  /** JSON lines compare as JSON (key order and spacing aside); other lines as text. */
  private static List<String> normalise(List<String> lines) {
    List<String> out = new ArrayList<>();
    for (String l : lines) {
      try {
        out.add(JSON.readTree(l).toString());
      } catch (IOException e) {
        out.add(l);
      }
    }
    return out;
  }

  private static List<String> read(Path p, boolean gzip) throws IOException {
    if (!Files.exists(p)) {
      return List.of();
    }
    byte[] bytes;
    if (gzip) {
      try (InputStream in = new GZIPInputStream(Files.newInputStream(p))) {
        bytes = in.readAllBytes();
      } catch (java.io.EOFException e) {
        return List.of(); // being written: the member is not finished yet
      }
    } else {
      bytes = Files.readAllBytes(p);
    }
    String s = new String(bytes, StandardCharsets.UTF_8);
    if (s.isEmpty()) {
      return List.of();
    }
    return List.of(s.split("\n", -1)).subList(0, s.endsWith("\n") ? s.split("\n", -1).length - 1
        : s.split("\n", -1).length);
  }
}
