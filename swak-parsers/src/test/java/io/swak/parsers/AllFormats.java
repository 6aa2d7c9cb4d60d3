package io.swak.parsers;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** One configured parser per format, with a typical line of it: for tests that run on all of them. */
final class AllFormats {

  private AllFormats() {}

  record Sample(String name, LineParser parser, String line) {
    @Override
    public String toString() {
      return name;
    }
  }

  static List<Sample> samples() {
    Map<String, Object[]> s = new LinkedHashMap<>();
    s.put("json", new Object[] {Map.of("time_key", "t"),
        "{\"t\":\"2024-05-01T12:00:00Z\",\"msg\":\"hi \\u00e9\",\"n\":1,\"o\":{\"a\":[1,2.5,null,true]}}"});
    s.put("json-jackson", new Object[] {Map.of("engine", "jackson"), "{\"msg\":\"hi\",\"n\":1,\"o\":{\"a\":[1]}}"});
    s.put("regex", new Object[] {Map.of("regex", "^(?<a>\\S+) (?<b>[^ ]*) (?<c>.*)$", "types", "b:int"),
        "x 12 the rest"});
    s.put("logfmt", new Object[] {Map.of("types", "n:int"), "a=1 b=\"two words\" n=3 flag"});
    s.put("ltsv", new Object[] {Map.of(), "a:1\tb:two\tc:3"});
    s.put("csv", new Object[] {Map.of("columns", "a,b,c"), "1,\"t\"\"wo\",3"});
    s.put("apache", new Object[] {Map.of(), AccessLogLineParserTest.COMBINED});
    s.put("nginx", new Object[] {Map.of(), AccessLogLineParserTest.COMBINED});
    s.put("syslog-5424", new Object[] {Map.of(),
        "<165>1 2003-10-11T22:14:15.003Z host app 12 ID [a@1 b=\"c\"] \uFEFFmessage"});
    s.put("syslog-3164", new Object[] {Map.of(), "<13>Oct 11 22:14:15 host app[123]: msg"});
    s.put("cri", new Object[] {Map.of(), "2016-10-06T00:17:09.669794202Z stdout F message"});
    s.put("docker", new Object[] {Map.of(), "{\"log\":\"x\\n\",\"stream\":\"stdout\",\"time\":\"2019-01-01T11:11:11Z\"}"});
    return s.entrySet().stream().map(e -> {
      String format = e.getKey().replaceAll("-.*", "").replace("json", "json");
      @SuppressWarnings("unchecked")
      Map<String, ?> options = (Map<String, ?>) e.getValue()[0];
      return new Sample(e.getKey(), ParserFactory.create(format, options).orElseThrow(), (String) e.getValue()[1]);
    }).toList();
  }
}
