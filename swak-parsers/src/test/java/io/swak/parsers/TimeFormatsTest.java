package io.swak.parsers;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Clock;
import java.time.Instant;
import java.time.LocalDateTime;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.util.Locale;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import org.junit.jupiter.api.Test;

class TimeFormatsTest {

  static TimeParser time(String format) {
    return TimeFormats.compile(format, null).orElseThrow();
  }

  static TimeParser time(String format, String zone) {
    return TimeFormats.compile(format, zone).orElseThrow();
  }

  static long parse(TimeParser t, String s) {
    byte[] b = Lines.utf8("xx" + s + "yyyyyyyyyyyyyyyy");
    return t.parse(b, 2, b.length - 18);
  }

  static long nanos(String instant) {
    Instant i = Instant.parse(instant);
    return i.getEpochSecond() * 1_000_000_000L + i.getNano();
  }

  @Test
  void rfc3339() {
    TimeParser t = time("rfc3339");
    assertThat(parse(t, "2016-10-06T00:17:09.669794202Z")).isEqualTo(nanos("2016-10-06T00:17:09.669794202Z"));
    assertThat(parse(t, "2016-10-06T00:17:09Z")).isEqualTo(nanos("2016-10-06T00:17:09Z"));
    assertThat(parse(t, "2016-10-06t00:17:09.5z")).isEqualTo(nanos("2016-10-06T00:17:09.500Z"));
    assertThat(parse(t, "2016-10-06 02:17:09,25+02:00")).isEqualTo(nanos("2016-10-06T00:17:09.250Z"));
    assertThat(parse(t, "2016-10-06T00:17:09.1234567891234-0130")).isEqualTo(nanos("2016-10-06T01:47:09.123456789Z"));
    assertThat(parse(t, "2016-10-06T00:17:09+05")).isEqualTo(nanos("2016-10-05T19:17:09Z"));
    assertThat(parse(t, "2016-10-06T00:17:09")).as("no offset: the default zone, UTC").isEqualTo(
        nanos("2016-10-06T00:17:09Z"));
    assertThat(parse(t, "1969-12-31T23:59:59.9Z")).isEqualTo(-100_000_000L);
    assertThat(parse(t, "2024-02-29T00:00:00Z")).isEqualTo(nanos("2024-02-29T00:00:00Z"));
  }

  @Test
  void rfc3339Refuses() {
    TimeParser t = time("iso8601");
    for (String bad : new String[] {"", "2016-10-06", "2016-10-06T00:17", "2016-13-06T00:17:09Z",
        "2023-02-29T00:00:00Z", "2016-10-06T24:00:00Z", "2016-10-06T00:60:00Z", "2016-10-06T00:17:61Z",
        "2016-10-06T00:17:09.Z", "2016-10-06T00:17:09Zjunk", "2016-10-06T00:17:09+2", "2016-10-06T00:17:09+02:0",
        "2016-10-06X00:17:09Z", "yesterday at noon!!", "２０１６-10-06T00:17:09Z"}) {
      assertThat(parse(t, bad)).as(bad).isEqualTo(TimeParser.FAILED);
    }
  }

  @Test
  void rfc3339CacheSeesEveryByteThatDiffers() {
    TimeParser t = time("rfc3339");
    assertThat(parse(t, "2016-10-06T00:17:09Z")).isEqualTo(nanos("2016-10-06T00:17:09Z"));
    assertThat(parse(t, "2016-10-06T00:17:10Z")).isEqualTo(nanos("2016-10-06T00:17:10Z"));
    assertThat(parse(t, "2016-10-06T00:18:10Z")).isEqualTo(nanos("2016-10-06T00:18:10Z"));
    assertThat(parse(t, "2016-10-07T00:18:10Z")).isEqualTo(nanos("2016-10-07T00:18:10Z"));
    assertThat(parse(t, "2016-10-07T00:18:10+01:00")).isEqualTo(nanos("2016-10-06T23:18:10Z"));
  }

  @Test
  void apacheStrftime() {
    TimeParser t = time("%d/%b/%Y:%H:%M:%S %z");
    assertThat(parse(t, "10/Oct/2000:13:55:36 -0700")).isEqualTo(nanos("2000-10-10T20:55:36Z"));
    assertThat(parse(t, "10/Oct/2000:13:55:37 -0700")).isEqualTo(nanos("2000-10-10T20:55:37Z"));
    assertThat(parse(t, "10/Oct/2000:13:55:37 +0000")).isEqualTo(nanos("2000-10-10T13:55:37Z"));
    assertThat(parse(t, "10/oct/2000:13:55:37 +05:30")).isEqualTo(nanos("2000-10-10T08:25:37Z"));
    assertThat(parse(t, "10/October/2000:13:55:37 Z")).isEqualTo(nanos("2000-10-10T13:55:37Z"));
    assertThat(parse(t, "10/Oct/2000:13:55:3 -0700")).isEqualTo(nanos("2000-10-10T20:55:03Z"));
    assertThat(parse(t, "10/Oct/2000:13:55:36")).isEqualTo(TimeParser.FAILED);
    assertThat(parse(t, "10/Oct/2000:13:55:36 -0700 trailing")).isEqualTo(TimeParser.FAILED);
    assertThat(parse(t, "31/Feb/2000:13:55:36 -0700")).isEqualTo(TimeParser.FAILED);
    assertThat(parse(t, "10/Oct/2000:13:55:36 -0700")).isEqualTo(nanos("2000-10-10T20:55:36Z"));
  }

  @Test
  void strftimeCacheResumesOnlyOnTheSameBytes() {
    TimeParser t = time("%Y-%m-%d %H:%M:%S.%L");
    assertThat(parse(t, "2024-05-01 12:00:00.5")).isEqualTo(nanos("2024-05-01T12:00:00.5Z"));
    assertThat(parse(t, "2024-05-01 12:00:00.25")).isEqualTo(nanos("2024-05-01T12:00:00.25Z"));
    assertThat(parse(t, "2024-05-01 12:00:00")).as("the fraction may be missing").isEqualTo(
        nanos("2024-05-01T12:00:00Z"));
    assertThat(parse(t, "2024-05-01 12:00:0")).isEqualTo(nanos("2024-05-01T12:00:00Z"));
    assertThat(parse(t, "2024-05-01 12:00:01")).isEqualTo(nanos("2024-05-01T12:00:01Z"));
    assertThat(parse(t, "2024-05-01 12:00:0x")).isEqualTo(TimeParser.FAILED);
    assertThat(parse(t, "2024-05-01 12:00:00.123456789")).isEqualTo(nanos("2024-05-01T12:00:00.123456789Z"));
  }

  @Test
  void otherStrftimeDirectives() {
    assertThat(parse(time("%s"), "1700000000")).isEqualTo(1_700_000_000_000_000_000L);
    assertThat(parse(time("%s"), "1700000000.123")).isEqualTo(1_700_000_000_123_000_000L);
    assertThat(parse(time("epoch"), "-1.5")).isEqualTo(-1_500_000_000L);
    assertThat(parse(time("%Y-%m-%dT%H:%M:%S.%L%z"), "2024-05-01T12:00:00.123+0200"))
        .isEqualTo(nanos("2024-05-01T10:00:00.123Z"));
    assertThat(parse(time("%F %T %Z"), "2024-05-01 12:00:00 UTC")).isEqualTo(nanos("2024-05-01T12:00:00Z"));
    assertThat(parse(time("%a, %d %b %Y %H:%M:%S %z"), "Wed, 01 May 2024 12:00:00 +0000"))
        .isEqualTo(nanos("2024-05-01T12:00:00Z"));
    assertThat(parse(time("%m/%d/%y %I:%M:%S %p"), "05/01/24 01:02:03 PM")).isEqualTo(nanos("2024-05-01T13:02:03Z"));
    assertThat(parse(time("%m/%d/%y %I:%M:%S %p"), "05/01/24 12:02:03 am")).isEqualTo(nanos("2024-05-01T00:02:03Z"));
    assertThat(parse(time("%Y %j %H:%M:%S"), "2024 060 00:00:00")).isEqualTo(nanos("2024-02-29T00:00:00Z"));
    assertThat(parse(time("%Y%m%d%H%M%S"), "20240501120000")).isEqualTo(nanos("2024-05-01T12:00:00Z"));
    assertThat(parse(time("100%% %Y"), "100% 2024")).isEqualTo(nanos("2024-01-01T00:00:00Z"));
  }

  @Test
  void unknownDirectivesAreRejected() {
    assertThat(TimeFormats.compile("%Q", null)).isInstanceOf(Setup.Rejected.class);
    assertThat(TimeFormats.compile("%Y %", null)).isInstanceOf(Setup.Rejected.class);
    assertThat(TimeFormats.compile("yyyy-MM-dd nonsense {{", null)).isInstanceOf(Setup.Rejected.class);
    assertThat(TimeFormats.compile("rfc3339", "Mars/Olympus")).isInstanceOf(Setup.Rejected.class);
  }

  @Test
  void defaultZoneWithDaylightSaving() {
    TimeParser t = time("%Y-%m-%d %H:%M:%S", "Europe/Paris");
    assertThat(parse(t, "2024-01-15 12:00:00")).isEqualTo(nanos("2024-01-15T11:00:00Z"));
    assertThat(parse(t, "2024-07-15 12:00:00")).isEqualTo(nanos("2024-07-15T10:00:00Z"));
    assertThat(parse(t, "2024-03-31 01:59:59")).isEqualTo(nanos("2024-03-31T00:59:59Z"));
    assertThat(parse(t, "2024-03-31 03:00:00")).isEqualTo(nanos("2024-03-31T01:00:00Z"));
    assertThat(parse(t, "2024-07-15 12:00:00 ")).isEqualTo(TimeParser.FAILED);
    assertThat(parse(time("rfc3339", "America/New_York"), "2024-07-15T12:00:00")).isEqualTo(
        nanos("2024-07-15T16:00:00Z"));
    assertThat(parse(time("rfc3339", "+02:00"), "2024-07-15T12:00:00")).isEqualTo(nanos("2024-07-15T10:00:00Z"));
  }

  @Test
  void javaPatterns() {
    TimeParser t = time("yyyy-MM-dd HH:mm:ss.SSS");
    assertThat(parse(t, "2024-05-01 12:00:00.123")).isEqualTo(nanos("2024-05-01T12:00:00.123Z"));
    assertThat(parse(t, "2024-05-01 12:00")).isEqualTo(TimeParser.FAILED);
    TimeParser zoned = time("dd/MMM/yyyy:HH:mm:ss Z");
    assertThat(parse(zoned, "10/Oct/2000:13:55:36 -0700")).isEqualTo(nanos("2000-10-10T20:55:36Z"));
  }

  @Test
  void yearOfBsdTimestamps() {
    Clock january = Clock.fixed(Instant.parse("2025-01-02T00:00:00Z"), ZoneOffset.UTC);
    TimeParser t = TimeFormats.compile("%b %e %H:%M:%S", null, january).orElseThrow();
    assertThat(parse(t, "Jan  1 22:14:15")).isEqualTo(nanos("2025-01-01T22:14:15Z"));
    assertThat(parse(t, "Dec 31 22:14:15")).as("last year's December").isEqualTo(nanos("2024-12-31T22:14:15Z"));
    assertThat(parse(t, "Jan  5 22:14:15")).as("a few days ahead: clock skew").isEqualTo(
        nanos("2025-01-05T22:14:15Z"));
    Clock leap = Clock.fixed(Instant.parse("2024-03-01T00:00:00Z"), ZoneOffset.UTC);
    TimeParser l = TimeFormats.compile("%b %e %H:%M:%S", null, leap).orElseThrow();
    assertThat(parse(l, "Feb 29 00:00:00")).isEqualTo(nanos("2024-02-29T00:00:00Z"));
  }

  @Property(tries = 500)
  void formattedInstantsReadBack(@ForAll("instants") Instant instant, @ForAll("zones") ZoneId zone) {
    ZonedDateTime z = instant.atZone(zone);
    long expected = instant.getEpochSecond() * 1_000_000_000L + instant.getNano();
    String rfc = DateTimeFormatter.ISO_OFFSET_DATE_TIME.format(z);
    assertThat(parse(time("rfc3339"), rfc)).as(rfc).isEqualTo(expected);
    String apache = DateTimeFormatter.ofPattern("dd/MMM/yyyy:HH:mm:ss.nnnnnnnnn xx", Locale.ENGLISH).format(z);
    assertThat(parse(time("%d/%b/%Y:%H:%M:%S.%N %z"), apache)).as(apache).isEqualTo(expected);
    String local = DateTimeFormatter.ofPattern("yyyy-MM-dd HH:mm:ss.SSSSSSSSS").format(z);
    long viaZone = parse(time("%Y-%m-%d %H:%M:%S.%L", zone.getId()), local);
    LocalDateTime ldt = z.toLocalDateTime();
    Instant back = ldt.atZone(zone).toInstant(); // an overlap reads as the earlier offset, as java.time does
    assertThat(viaZone).as(local + " in " + zone).isEqualTo(back.getEpochSecond() * 1_000_000_000L + back.getNano());
  }

  @Provide
  Arbitrary<Instant> instants() {
    return Arbitraries.longs().between(Instant.parse("1972-01-01T00:00:00Z").getEpochSecond(),
            Instant.parse("2200-01-01T00:00:00Z").getEpochSecond())
        .flatMap(s -> Arbitraries.integers().between(0, 999_999_999).map(n -> Instant.ofEpochSecond(s, n)));
  }

  @Provide
  Arbitrary<ZoneId> zones() {
    return Arbitraries.of("UTC", "Europe/Paris", "America/New_York", "Asia/Kolkata", "Australia/Lord_Howe",
        "+05:45", "-09:30").map(ZoneId::of);
  }
}
