package io.swak.plugins.tcp;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.json.JsonReadFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.swak.api.Ack;
import io.swak.api.Batch;
import io.swak.api.Event;
import io.swak.support.JsonValues;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * The JSON transcoder against Jackson: every object Jackson reads becomes the same record, every line
 * Jackson refuses becomes {@code {"message": line}}; and the time fields Logstash clients send.
 */
class JsonRecordsTest {

  static final JsonFactory LENIENT = JsonFactory.builder().enable(JsonReadFeature.ALLOW_NON_NUMERIC_NUMBERS)
      .enable(JsonReadFeature.ALLOW_UNESCAPED_CONTROL_CHARS).build();
  static final long NOW = 1_700_000_000_123_456_789L;

  static List<Event> decode(String... lines) {
    return decode(new JsonRecords("@timestamp", false, "message", null), lines);
  }

  static List<Event> decode(JsonRecords r, String... lines) {
    EntryBuffer out = new EntryBuffer();
    for (String l : lines) {
      byte[] b = l.getBytes(StandardCharsets.UTF_8);
      r.line(b, 0, b.length, NOW, "10.0.0.1".getBytes(StandardCharsets.US_ASCII), out);
    }
    Batch batch = out.build("t", Ack.NONE);
    return batch.events();
  }

  /** What Jackson makes of a JSON object, as the Java values msgpack records decode to. */
  @SuppressWarnings("unchecked")
  static Map<String, Object> jackson(String json) throws Exception {
    try (JsonParser p = LENIENT.createParser(json)) {
      p.nextToken();
      Object v = JsonValues.read(p);
      if (p.nextToken() != null) {
        throw new IllegalArgumentException("trailing tokens");
      }
      return (Map<String, Object>) normalise(v);
    }
  }

  /** Integers as Long, as MsgpackReader decodes them. */
  static Object normalise(Object v) {
    if (v instanceof Map<?, ?> m) {
      Map<String, Object> out = new LinkedHashMap<>();
      m.forEach((k, x) -> out.put((String) k, normalise(x)));
      return out;
    }
    if (v instanceof List<?> l) {
      return l.stream().map(JsonRecordsTest::normalise).toList();
    }
    if (v instanceof java.math.BigInteger b) {
      return b.bitLength() <= 63 ? (Object) b.longValue() : b.doubleValue();
    }
    return v;
  }

  @Test
  void logstashLinesBecomeTheirRecordsTimedByTheirTimestamp() {
    List<Event> e = decode(
        "{\"@timestamp\":\"2026-11-21T11:00:00.123456+01:00\",\"@version\":\"1\",\"message\":\"hello \\\"you\\\"\","
            + "\"logger_name\":\"app.Main\",\"thread_name\":\"main\",\"level\":\"INFO\",\"level_value\":20000}",
        "{\"@timestamp\": \"2026-11-21T10:00:00.123Z\", \"@version\": \"1\", \"host\": \"h\", \"pid\": 42, "
            + "\"extra\": {\"line\": 7, \"func_name\": \"\\u00e9t\\u00e9 \\ud83d\\ude00\"}}");
    assertThat(e.get(0).timeNanos()).isEqualTo(Instant.parse("2026-11-21T10:00:00.123456Z").getEpochSecond()
        * 1_000_000_000L + 123_456_000L);
    assertThat(e.get(0).record()).doesNotContainKey("@timestamp").containsEntry("message", "hello \"you\"")
        .containsEntry("level_value", 20000L).containsEntry("@version", "1");
    assertThat(e.get(1).timeNanos()).isEqualTo(Instant.parse("2026-11-21T10:00:00.123Z").toEpochMilli() * 1_000_000L);
    @SuppressWarnings("unchecked")
    Map<String, Object> extra = (Map<String, Object>) e.get(1).record().get("extra");
    assertThat(extra).containsEntry("func_name", "été 😀").containsEntry("line", 7L);
  }

  @Test
  void aRandomObjectBecomesWhatJacksonReads() throws Exception {
    ObjectMapper m = new ObjectMapper();
    Random rnd = new Random(17);
    for (int i = 0; i < 1000; i++) {
      Map<String, Object> rec = randomMap(rnd, 0);
      String json = m.writeValueAsString(rec);
      if (rnd.nextBoolean()) {
        json = json.replace(",", " ,\t").replace(":", " : "); // Python's json.dumps spacing, and more
      }
      List<Event> got = decode(json);
      assertThat(got).hasSize(1);
      assertThat(got.get(0).record()).as(json).isEqualTo(jackson(json));
      assertThat(got.get(0).timeNanos()).isEqualTo(NOW);
    }
  }

  static Map<String, Object> randomMap(Random rnd, int depth) {
    Map<String, Object> m = new LinkedHashMap<>();
    int n = rnd.nextInt(depth == 0 ? 40 : 6);
    for (int i = 0; i < n; i++) {
      m.put(randomString(rnd), randomValue(rnd, depth + 1));
    }
    return m;
  }

  static Object randomValue(Random rnd, int depth) {
    switch (rnd.nextInt(depth > 3 ? 7 : 9)) {
      case 0: return randomString(rnd);
      case 1: return (long) rnd.nextInt(300) - 150;
      case 2: return rnd.nextLong();
      case 3: return rnd.nextDouble() * Math.pow(10, rnd.nextInt(40) - 20);
      case 4: return rnd.nextBoolean();
      case 5: return null;
      case 6: return "x".repeat(rnd.nextInt(70000) < 100 ? 70000 : rnd.nextInt(300));
      case 7: return randomMap(rnd, depth);
      default: {
        List<Object> l = new ArrayList<>();
        int n = rnd.nextInt(rnd.nextInt(10) == 0 ? 40 : 4);
        for (int i = 0; i < n; i++) {
          l.add(randomValue(rnd, depth + 1));
        }
        return l;
      }
    }
  }

  static String randomString(Random rnd) {
    StringBuilder sb = new StringBuilder();
    int n = rnd.nextInt(rnd.nextInt(5) == 0 ? 300 : 20);
    String specials = "\"\\/\n\r\t\b\f\u0001\u001fé한😀 ";
    for (int i = 0; i < n; i++) {
      if (rnd.nextInt(8) == 0) {
        int k = rnd.nextInt(specials.length());
        char c = specials.charAt(k);
        sb.append(Character.isHighSurrogate(c) ? specials.substring(k, k + 2) : Character.isLowSurrogate(c)
            ? "x" : String.valueOf(c));
      } else {
        sb.append((char) ('a' + rnd.nextInt(26)));
      }
    }
    return sb.toString();
  }

  @Test
  void whatJacksonRefusesIsKeptWholeAsTheMessage() {
    String[] bad = {"not json", "{", "{\"a\":}", "{\"a\":1,}", "{\"a\" 1}", "{'a':1}", "{\"a\":01}", "{\"a\":1.}",
        "{\"a\":-}", "{\"a\":tru}", "{\"a\":\"\\x\"}", "{\"a\":\"\\u12\"}", "{\"a\":1} {\"b\":2}", "[1,2]", "\"s\"", "42",
        "{\"a\":[1,2}", "{\"a\":\"unterminated}",
        "{\"a\":\"abcdefghijk\\", "{\"a\":\"abcdefghij\\\"klmnopqrstuvwxyz}",
        "{\"a\":1}}", "{\"a\":1e}", "{\"a\":+1}", "\u0000\u00ff garbage",
        "{" + "[".repeat(10_000) + "]".repeat(10_000) + "}", "{\"a\":" + "[".repeat(600) + "]".repeat(600) + "}"};
    JsonRecords r = new JsonRecords("@timestamp", false, "message", null);
    for (String b : bad) {
      List<Event> got = decode(r, b);
      assertThat(got).as(b).hasSize(1);
      assertThat(got.get(0).record()).as(b).isEqualTo(Map.of("message", b));
    }
    assertThat(r.invalid).isEqualTo(bad.length);
    // nested as deep as the limit is still a record
    String deep = "{\"a\":" + "[".repeat(JsonRecords.MAX_DEPTH - 2) + "]".repeat(JsonRecords.MAX_DEPTH - 2) + "}";
    assertThat(decode(deep).get(0).record()).containsKey("a");
  }

  @Test
  void pythonsNonNumbersAndHugeIntegersAreRead() {
    Map<String, Object> r = decode("{\"a\": NaN, \"b\": Infinity, \"c\": -Infinity, \"d\": 18446744073709551615, "
        + "\"e\": 123456789012345678901234567890, \"f\": -9223372036854775808, \"g\": 1E3, \"h\": -0}").get(0).record();
    assertThat((Double) r.get("a")).isNaN();
    assertThat(r.get("b")).isEqualTo(Double.POSITIVE_INFINITY);
    assertThat(r.get("c")).isEqualTo(Double.NEGATIVE_INFINITY);
    assertThat(r.get("d")).isEqualTo(1.8446744073709552E19); // uint64: MsgpackReader reads it as the nearest double
    assertThat(r.get("e")).isEqualTo(1.2345678901234568E29);
    assertThat(r.get("f")).isEqualTo(Long.MIN_VALUE);
    assertThat(r.get("g")).isEqualTo(1000.0);
    assertThat(r.get("h")).isEqualTo(0L);
  }

  @Test
  void theTimeFieldIsUsedOnlyWhenItIsATime() {
    JsonRecords r = new JsonRecords("@timestamp", false, "message", null);
    List<Event> e = decode(r, "{\"@timestamp\":\"yesterday\",\"a\":1}", "{\"@timestamp\":1700000000.5}",
        "{\"@timestamp\":1700000001}", "{\"x\":{\"@timestamp\":\"2020-01-01T00:00:00Z\"}}",
        "{\"@timestamp\":\"2026-02-30T00:00:00Z\"}");
    assertThat(e.get(0).timeNanos()).isEqualTo(NOW);
    assertThat(e.get(0).record()).containsEntry("@timestamp", "yesterday");
    assertThat(e.get(1).timeNanos()).isEqualTo(1_700_000_000_500_000_000L);
    assertThat(e.get(1).record()).isEmpty();
    assertThat(e.get(2).timeNanos()).isEqualTo(1_700_000_001_000_000_000L);
    assertThat(e.get(3).timeNanos()).as("only a top-level field is the time").isEqualTo(NOW);
    assertThat(e.get(4).timeNanos()).as("February has no 30th").isEqualTo(NOW);
    assertThat(r.badTimes).isEqualTo(2);
    JsonRecords keep = new JsonRecords("@timestamp", true, "message", "peer");
    Event k = decode(keep, "{\"@timestamp\":\"2026-01-01T00:00:00Z\",\"a\":1}").get(0);
    assertThat(k.record()).containsEntry("@timestamp", "2026-01-01T00:00:00Z").containsEntry("peer", "10.0.0.1");
    assertThat(k.timeNanos()).isEqualTo(Instant.parse("2026-01-01T00:00:00Z").getEpochSecond() * 1_000_000_000L);
  }

  @Test
  void rfc3339AsJavaTimeReadsIt() {
    String[] ok = {"2026-11-21T10:00:00Z", "2026-11-21T10:00:00.1Z", "2026-11-21T10:00:00.123456789Z",
        "2026-11-21T10:00:00.123456789123Z", "2026-11-21t10:00:00+05:30", "2026-11-21 10:00:00-0800",
        "2024-02-29T23:59:59.999+14:00", "1969-12-31T23:59:59.5Z", "0001-01-01T00:00:00Z", "9999-12-31T23:59:59Z",
        "2026-11-21T10:00:00+01"};
    for (String s : ok) {
      String iso = s.replace(' ', 'T').replace('t', 'T').replaceAll("([+-]\\d\\d)(\\d\\d)$", "$1:$2")
          .replaceAll("([+-]\\d\\d)$", "$1:00").replaceAll("(\\.\\d{9})\\d+", "$1"); // java.time stops at ns
      Instant want = OffsetDateTime.parse(iso).toInstant();
      long nanos = want.getEpochSecond() * 1_000_000_000L + want.getNano();
      byte[] b = s.getBytes(StandardCharsets.US_ASCII);
      assertThat(Rfc3339.parse(b, 0, b.length)).as(s).isEqualTo(nanos);
    }
    assertThat(parse("2026-11-21T10:00:00")).as("no zone: UTC").isEqualTo(parse("2026-11-21T10:00:00Z"));
    assertThat(parse("2026-11-21 10:00:00,250")).isEqualTo(parse("2026-11-21T10:00:00.25Z"));
    for (String s : new String[] {"2026-13-01T00:00:00Z", "2026-11-21T24:00:00Z", "2026-11-21T10:00Z", "20261121T100000Z",
        "2026-11-21T10:00:00.Z", "2026-11-21T10:00:00+1:00", "2026-11-21T10:00:00Zjunk", "2023-02-29T00:00:00Z"}) {
      assertThat(parse(s)).as(s).isEqualTo(Rfc3339.INVALID);
    }
  }

  static long parse(String s) {
    byte[] b = s.getBytes(StandardCharsets.US_ASCII);
    return Rfc3339.parse(b, 0, b.length);
  }

  @Test
  void timesAreWrittenAsJavaTimeWritesThem() {
    Rfc3339.Writer w = new Rfc3339.Writer();
    Random rnd = new Random(3);
    byte[] out = new byte[40];
    var iso = java.time.format.DateTimeFormatter.ofPattern("uuuu-MM-dd'T'HH:mm:ss.nnnnnnnnn'Z'");
    for (int i = 0; i < 20_000; i++) {
      long nanos = (long) (rnd.nextDouble() * 4e18) - 1_000_000_000_000_000_000L;
      int n = w.write(out, 0, nanos);
      Instant t = Instant.ofEpochSecond(Math.floorDiv(nanos, 1_000_000_000L), Math.floorMod(nanos, 1_000_000_000L));
      String want = iso.format(t.atOffset(java.time.ZoneOffset.UTC));
      assertThat(new String(out, 0, n, StandardCharsets.US_ASCII)).isEqualTo(want);
      assertThat(Rfc3339.parse(out, 0, n)).isEqualTo(nanos);
    }
  }
}
