package io.swak.plugins.kafka;

import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import java.util.List;
import org.junit.jupiter.api.extension.AfterEachCallback;
import org.junit.jupiter.api.extension.BeforeEachCallback;
import org.junit.jupiter.api.extension.ExtensionContext;
import org.slf4j.LoggerFactory;

/** What the agent logged during one test, as a user reads it: {@code @RegisterExtension final CapturedLog log}. */
final class CapturedLog implements BeforeEachCallback, AfterEachCallback {

  private final ListAppender<ILoggingEvent> appender = new ListAppender<>();

  private static Logger root() {
    return (Logger) LoggerFactory.getLogger(Logger.ROOT_LOGGER_NAME);
  }

  @Override
  public void beforeEach(ExtensionContext context) {
    appender.start();
    root().addAppender(appender);
  }

  @Override
  public void afterEach(ExtensionContext context) {
    root().detachAppender(appender);
  }

  /** Every line so far, its message formatted. */
  List<ILoggingEvent> events() {
    return appender.list;
  }

  /** Every line so far: the message, and the message of its exception if it has one. */
  List<String> messages() {
    return appender.list.stream().map(e -> e.getFormattedMessage()
        + (e.getThrowableProxy() != null ? " " + e.getThrowableProxy().getMessage() : "")).toList();
  }
}
