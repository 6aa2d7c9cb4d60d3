package io.swak.parsers;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Map;
import org.junit.jupiter.api.Test;

class ParserFactoryTest {

  static String rejected(String format, Map<String, ?> options) {
    Setup<LineParser> s = ParserFactory.create(format, options);
    assertThat(s).isInstanceOf(Setup.Rejected.class);
    return ((Setup.Rejected<LineParser>) s).reason();
  }

  @Test
  void everyFormatBuildsWithItsDefaults() {
    for (String f : ParserFactory.FORMATS) {
      Map<String, ?> options = switch (f) {
        case "regex" -> Map.of("regex", "(?<x>.*)");
        case "csv" -> Map.of("columns", "a");
        default -> Map.of();
      };
      assertThat(ParserFactory.create(f, options)).as(f).isInstanceOf(Setup.Ready.class);
    }
    assertThat(ParserFactory.create(" JSON ", null)).isInstanceOf(Setup.Ready.class);
    assertThat(ParserFactory.create("apache2", Map.of("format", "apache2"))).isInstanceOf(Setup.Ready.class);
  }

  @Test
  void mistakesAreRejectedWithAReason() {
    assertThat(rejected("xml", Map.of())).contains("unknown format xml").contains("json");
    assertThat(rejected("json", Map.of("time_kee", "t"))).contains("unknown option time_kee");
    assertThat(rejected("nginx", Map.of("types", "a:int"))).contains("types does not apply");
    assertThat(rejected("json", Map.of("types", "a:number2"))).contains("unknown type number2");
    assertThat(rejected("json", Map.of("types", "nocolon"))).contains("name:type");
    assertThat(rejected("json", Map.of("time_key", "t", "time_format", "%Q"))).contains("%Q");
    assertThat(rejected("json", Map.of("time_key", "t", "time_zone", "Nowhere/Town"))).contains("time_zone");
    assertThat(rejected("json", Map.of("time_keep", "perhaps"))).contains("time_keep");
    assertThat(rejected("json", Map.of("max_depth", 0))).contains("max_depth");
    assertThat(rejected("json", Map.of("max_depth", "deep"))).contains("max_depth");
    assertThat(rejected("json", Map.of("engine", "simd"))).contains("engine");
    assertThat(rejected("regex", Map.of("regex", "(?<a>"))).contains("does not compile");
    assertThat(rejected("syslog", Map.of("time_zone", "Nowhere/Town"))).contains("time_zone");
    assertThat(rejected("logfmt", Map.of("columns", java.util.List.of(1)))).contains("columns");
  }
}
