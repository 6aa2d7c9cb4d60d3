package io.swak.core.cli;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.LoggerContext;
import ch.qos.logback.classic.spi.Configurator;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.Appender;
import ch.qos.logback.core.AppenderBase;
import ch.qos.logback.core.ConsoleAppender;
import ch.qos.logback.core.rolling.FixedWindowRollingPolicy;
import ch.qos.logback.core.rolling.RollingFileAppender;
import ch.qos.logback.core.rolling.SizeBasedTriggeringPolicy;
import ch.qos.logback.core.spi.ContextAwareBase;
import ch.qos.logback.core.util.FileSize;
import io.swak.core.http.RecentWarnings;
import java.nio.file.Path;
import java.time.Instant;
import org.slf4j.LoggerFactory;

/**
 * The agent's own log: standard error (standard output belongs to out.Stdout), or the config's
 * {@code log_file} rotated by size; level from {@code -Dswak.log.level} or the config. Set up in code, so
 * no XML is parsed at start-up: by {@link LogProvider} in the agent, and found by logback as a
 * {@code Configurator} service where logback's own SLF4J binding is used (tests).
 */
public final class LogSetup extends ContextAwareBase implements Configurator {

  @Override
  public ExecutionStatus configure(LoggerContext ctx) {
    LogLineEncoder enc = encoder(ctx);
    ConsoleAppender<ILoggingEvent> console = new ConsoleAppender<>();
    console.setContext(ctx);
    console.setName("stderr");
    console.setTarget("System.err");
    console.setEncoder(enc);
    console.start();
    Logger root = ctx.getLogger(org.slf4j.Logger.ROOT_LOGGER_NAME);
    root.addAppender(console);
    root.addAppender(warningsForTheDashboard(ctx));
    root.setLevel(Level.toLevel(System.getProperty("swak.log.level", "info"), Level.INFO));
    return ExecutionStatus.DO_NOT_INVOKE_NEXT_IF_ANY;
  }

  /** Keeps the last warnings and errors for the dashboard (/api/log), whatever the log goes to. */
  private static Appender<ILoggingEvent> warningsForTheDashboard(LoggerContext ctx) {
    AppenderBase<ILoggingEvent> a = new AppenderBase<>() {
      @Override
      protected void append(ILoggingEvent e) {
        if (e.getLevel().isGreaterOrEqual(Level.WARN)) {
          String msg = e.getFormattedMessage();
          if (e.getThrowableProxy() != null) {
            msg += ": " + e.getThrowableProxy().getMessage();
          }
          RecentWarnings.AGENT.add(Instant.ofEpochMilli(e.getTimeStamp()), e.getLevel().toString(), e.getLoggerName(),
              msg);
        }
      }
    };
    a.setContext(ctx);
    a.setName("recent-warnings");
    a.start();
    return a;
  }

  private static LogLineEncoder encoder(LoggerContext ctx) {
    LogLineEncoder enc = new LogLineEncoder();
    enc.setContext(ctx);
    enc.start();
    return enc;
  }

  /**
   * Sends the log to {@code file} instead of standard error, rotated to {@code file.1 … file.keep} when
   * it reaches {@code maxBytes}.
   */
  public static void toFile(Path file, long maxBytes, int keep) {
    LoggerContext ctx = (LoggerContext) LoggerFactory.getILoggerFactory();
    Logger root = ctx.getLogger(org.slf4j.Logger.ROOT_LOGGER_NAME);
    RollingFileAppender<ILoggingEvent> fa = new RollingFileAppender<>();
    fa.setContext(ctx);
    fa.setName("file");
    fa.setFile(file.toString());
    fa.setAppend(true);
    fa.setEncoder(encoder(ctx));
    FixedWindowRollingPolicy rolling = new FixedWindowRollingPolicy();
    rolling.setContext(ctx);
    rolling.setParent(fa);
    rolling.setFileNamePattern(file + ".%i");
    rolling.setMinIndex(1);
    rolling.setMaxIndex(keep);
    rolling.start();
    SizeBasedTriggeringPolicy<ILoggingEvent> trigger = new SizeBasedTriggeringPolicy<>();
    trigger.setContext(ctx);
    trigger.setMaxFileSize(new FileSize(maxBytes));
    // logback checks the size at most once a minute by default: a burst could grow the file far past the limit
    trigger.setCheckIncrement(ch.qos.logback.core.util.Duration.buildByMilliseconds(1000));
    trigger.start();
    fa.setRollingPolicy(rolling);
    fa.setTriggeringPolicy(trigger);
    fa.start();
    if (!fa.isStarted()) {
      throw new IllegalStateException("cannot open log file " + file + ": check that its directory exists and is "
          + "writable");
    }
    root.addAppender(fa);
    Appender<ILoggingEvent> console = root.getAppender("stderr");
    if (console != null) {
      root.detachAppender(console);
      console.stop();
    }
  }

  /**
   * Closes and reopens the log file under its configured name (after logrotate renamed it); nothing to do
   * when logging to standard error.
   */
  public static boolean reopen() {
    LoggerContext ctx = (LoggerContext) LoggerFactory.getILoggerFactory();
    Appender<ILoggingEvent> a = ctx.getLogger(org.slf4j.Logger.ROOT_LOGGER_NAME).getAppender("file");
    if (a instanceof RollingFileAppender<ILoggingEvent> fa) {
      // stop() also stops the policies, and start() refuses to run with stopped policies
      fa.stop();
      fa.getRollingPolicy().start();
      fa.getTriggeringPolicy().start();
      fa.start();
      return fa.isStarted();
    }
    return false;
  }

  /** Back to standard error (tests). */
  static void toStderr() {
    LoggerContext ctx = (LoggerContext) LoggerFactory.getILoggerFactory();
    Logger root = ctx.getLogger(org.slf4j.Logger.ROOT_LOGGER_NAME);
    Appender<ILoggingEvent> file = root.getAppender("file");
    if (file != null) {
      root.detachAppender(file);
      file.stop();
    }
    if (root.getAppender("stderr") == null) {
      new LogSetup().configure(ctx);
    }
  }

  /** Changes the level of every logger at run time. */
  public static void setLevel(String level) {
    Logger root = (Logger) LoggerFactory.getLogger(org.slf4j.Logger.ROOT_LOGGER_NAME);
    root.setLevel(Level.toLevel(level, Level.INFO));
  }
}
