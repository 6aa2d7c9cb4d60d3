package io.swak.core.cli;

import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.classic.spi.IThrowableProxy;
import ch.qos.logback.classic.spi.ThrowableProxyUtil;
import ch.qos.logback.core.encoder.EncoderBase;
import java.nio.charset.StandardCharsets;
import java.time.LocalDateTime;
import java.time.ZoneOffset;
import java.util.TimeZone;

/**
 * The agent's log line, {@code 2026-11-21T10:00:00.123Z INFO  message} (local time with its offset), and
 * the stack trace of an exception if one was logged. Written by hand instead of with logback's
 * PatternLayout: that class registers ~70 converters as lambdas when it loads, which cost ~0.1 s of
 * start-up for a pattern that never changes.
 */
final class LogLineEncoder extends EncoderBase<ILoggingEvent> {

  /**
   * Looked up at the first line, not at start-up. {@link TimeZone} rather than {@code ZoneId.getRules()}:
   * java.time's zone rules provider searches the whole class path for other providers (~20 ms).
   */
  private TimeZone zone;

  LogLineEncoder() { }

  /** With a fixed zone (tests). */
  LogLineEncoder(TimeZone zone) {
    this.zone = zone;
  }

  @Override
  public byte[] headerBytes() {
    return null;
  }

  @Override
  public byte[] encode(ILoggingEvent event) {
    StringBuilder sb = new StringBuilder(96);
    time(sb, event.getTimeStamp());
    String level = event.getLevel().toString();
    sb.append(' ').append(level);
    for (int i = level.length(); i < 5; i++) {
      sb.append(' ');
    }
    sb.append(' ').append(event.getFormattedMessage()).append('\n');
    IThrowableProxy thrown = event.getThrowableProxy();
    if (thrown != null) {
      sb.append(ThrowableProxyUtil.asString(thrown)).append('\n');
    }
    return sb.toString().getBytes(StandardCharsets.UTF_8);
  }

  /** {@code yyyy-MM-ddTHH:mm:ss.SSS} and the offset ({@code Z} or {@code +09:00}). */
  void time(StringBuilder sb, long millis) {
    if (zone == null) {
      zone = TimeZone.getDefault();
    }
    ZoneOffset offset = ZoneOffset.ofTotalSeconds(zone.getOffset(millis) / 1000);
    int ms = Math.floorMod(millis, 1000);
    LocalDateTime t = LocalDateTime.ofEpochSecond(Math.floorDiv(millis, 1000), ms * 1_000_000, offset);
    sb.append(t.getYear()).append('-');
    two(sb, t.getMonthValue()).append('-');
    two(sb, t.getDayOfMonth()).append('T');
    two(sb, t.getHour()).append(':');
    two(sb, t.getMinute()).append(':');
    two(sb, t.getSecond()).append('.');
    sb.append((char) ('0' + ms / 100)).append((char) ('0' + ms / 10 % 10)).append((char) ('0' + ms % 10));
    sb.append(offset.getId());
  }

  private static StringBuilder two(StringBuilder sb, int v) {
    return sb.append((char) ('0' + v / 10)).append((char) ('0' + v % 10));
  }

  @Override
  public byte[] footerBytes() {
    return null;
  }
}
