package io.swak.plugins.fakedata;

import io.swak.api.Option;
import io.swak.api.Plugin;
import io.swak.support.Schedule;
import java.time.ZoneId;

/** {@code in.FakeData}: generates realistic records for trying configs and for load. */
public final class FakeDataPlugin extends Plugin<FakeDataPlugin.Options> {

  /** What kind of data to make. */
  public enum Type { PEOPLE, APACHE, NGINX, SYSLOG, JSON }

  /** Language of names and addresses in {@code people} records. */
  public enum Locale { EN, KO }

  /** Options of in.FakeData. */
  public record Options(
      @Option(value = "people: person records; apache, nginx: access-log lines; syslog: RFC 3164 lines; "
          + "json: records with typed fields.", defaultValue = "people")
      Type type,
      @Option(value = "Events made per poll (per loop of the task).", defaultValue = "1")
      int count,
      @Option(value = "Events per second at most; 0 = as fast as the task runs (pace comes from count and sleep).",
          defaultValue = "0")
      double rate,
      @Option(value = "Stop making events after this many; 0 = never stop.", defaultValue = "0")
      long total,
      @Option("Random seed: the same seed makes the same records (times aside).")
      Long seed,
      @Option(value = "Language of people records: en or ko.", defaultValue = "en")
      Locale locale,
      @Option("Tag of the events. Default: fake.<type>.")
      String tag,
      @Option("Make `count` events at the fire times of a cron schedule (5 fields, or 6 with seconds first), "
          + "@hourly/@daily…, or `N seconds`, instead of at every poll.")
      Schedule schedule,
      @Option("Time zone of `schedule`. Default: the system's.")
      ZoneId scheduleTimeZone) {

    public Options {
      if (count < 1) {
        throw new IllegalArgumentException("option `count` must be at least 1, got " + count);
      }
      if (rate < 0) {
        throw new IllegalArgumentException("option `rate` must be 0 or more, got " + rate);
      }
      if (rate > 0 && schedule != null) {
        throw new IllegalArgumentException("options `rate` and `schedule` exclude each other: a schedule makes "
            + "`count` events at each fire time");
      }
    }
  }

  public FakeDataPlugin() {
    super("in.FakeData", "Generates fake records: people, access logs, syslog lines, JSON.", Options.class,
        FakeData::new, "in.Fake", "in.Dummy");
  }
}
