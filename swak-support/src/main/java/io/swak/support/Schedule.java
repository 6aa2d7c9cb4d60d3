package io.swak.support;

import com.cronutils.model.CronType;
import com.cronutils.model.definition.CronDefinitionBuilder;
import com.cronutils.model.time.ExecutionTime;
import com.cronutils.parser.CronParser;
import io.swak.api.Durations;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZonedDateTime;
import java.time.temporal.ChronoUnit;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * When a polling input looks (option {@code schedule}), in the forms the seed's AnyEvent::Cron takes: a cron
 * line of five fields ({@code minute hour day-of-month month day-of-week}, as crontab(5)), six fields with
 * seconds first (as Spring and Quartz write them), a macro ({@code @hourly}, {@code @daily} …), or a plain
 * period ({@code 5 seconds}, {@code 10 minutes}: fire times at multiples of it since the epoch). The cron
 * lines are parsed and their fire times computed by cron-utils; a bad line is an {@link
 * IllegalArgumentException} with cron-utils' own message, which the config loader reports at the option.
 *
 * <p>Immutable and thread-safe.
 */
public final class Schedule {

  private static final CronParser UNIX = new CronParser(CronDefinitionBuilder.instanceDefinitionFor(CronType.UNIX));
  private static final CronParser WITH_SECONDS =
      new CronParser(CronDefinitionBuilder.instanceDefinitionFor(CronType.SPRING53));
  private static final Map<String, String> MACROS = Map.of(
      "@yearly", "0 0 1 1 *", "@annually", "0 0 1 1 *", "@monthly", "0 0 1 * *", "@weekly", "0 0 * * 0",
      "@daily", "0 0 * * *", "@midnight", "0 0 * * *", "@hourly", "0 * * * *");
  private static final Pattern PERIOD = Pattern.compile(
      "(?:every\\s+)?(\\d+)\\s*(s|sec|secs|seconds?|m|min|mins|minutes?|h|hours?)", Pattern.CASE_INSENSITIVE);

  private final String text;
  /** The cron line's fire times, or null for a period. */
  private final ExecutionTime cron;
  private final long periodNanos;

  private Schedule(String text, ExecutionTime cron, long periodNanos) {
    this.text = text;
    this.cron = cron;
    this.periodNanos = periodNanos;
  }

  /**
   * Parses a schedule.
   *
   * @throws IllegalArgumentException saying what is wrong (cron-utils' message for a bad cron line)
   */
  public static Schedule parse(String text) {
    String s = text == null ? "" : text.trim().replaceAll("\\s+", " ");
    if (s.isEmpty()) {
      throw new IllegalArgumentException("empty schedule: write a cron line such as \"*/5 * * * *\"");
    }
    Matcher m = PERIOD.matcher(s);
    if (m.matches()) {
      long n = Long.parseLong(m.group(1));
      char unit = Character.toLowerCase(m.group(2).charAt(0));
      Duration d = unit == 's' ? Duration.ofSeconds(n) : unit == 'm' ? Duration.ofMinutes(n) : Duration.ofHours(n);
      if (d.isZero()) {
        throw new IllegalArgumentException("schedule '" + text + "' has a period of 0");
      }
      return new Schedule(s, null, d.toNanos());
    }
    String line = MACROS.getOrDefault(s.toLowerCase(Locale.ROOT), s);
    if (line.startsWith("@")) {
      throw new IllegalArgumentException("unknown schedule macro '" + s + "': use one of " + String.join(", ",
          new java.util.TreeSet<>(MACROS.keySet())));
    }
    int fields = line.split(" ").length;
    CronParser parser = switch (fields) {
      case 5 -> UNIX;
      case 6 -> WITH_SECONDS;
      default -> throw new IllegalArgumentException("cron schedule '" + s + "' has " + fields + " fields; it needs "
          + "5 (minute hour day-of-month month day-of-week) or 6 (seconds first)");
    };
    try {
      return new Schedule(s, ExecutionTime.forCron(parser.parse(line).validate()), 0);
    } catch (IllegalArgumentException e) {
      throw new IllegalArgumentException("invalid cron schedule '" + s + "': " + e.getMessage(), e);
    }
  }

  /** The first fire time strictly after {@code after}, in {@code zone} (which decides what "9 o'clock" is). */
  public Instant next(Instant after, ZoneId zone) {
    if (cron == null) {
      long nanos = after.getEpochSecond() * 1_000_000_000L + after.getNano();
      long next = Math.floorDiv(nanos, periodNanos) * periodNanos + periodNanos;
      return Instant.ofEpochSecond(Math.floorDiv(next, 1_000_000_000L), Math.floorMod(next, 1_000_000_000L));
    }
    // fire times are whole seconds; cron-utils keeps the fraction of the time it is given, so give it none
    // (the next whole second after a truncated time is still after the time itself)
    Optional<ZonedDateTime> next = cron.nextExecution(ZonedDateTime.ofInstant(after.truncatedTo(ChronoUnit.SECONDS),
        zone)).map(t -> t.truncatedTo(ChronoUnit.SECONDS));
    // a line that can never fire again (e.g. "0 0 30 2 *", 30 February) waits for ever
    return next.map(ZonedDateTime::toInstant).orElse(Instant.MAX);
  }

  /** The schedule as written (blanks collapsed). */
  @Override
  public String toString() {
    return cron == null ? text + " (every " + Durations.format(Duration.ofNanos(periodNanos)) + ")" : text;
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof Schedule s && s.text.equals(text);
  }

  @Override
  public int hashCode() {
    return text.hashCode();
  }
}
