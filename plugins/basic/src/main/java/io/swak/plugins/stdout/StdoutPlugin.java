package io.swak.plugins.stdout;

import io.swak.api.Option;
import io.swak.api.Plugin;
import io.swak.support.LineFormat;

/** {@code out.Stdout}: prints events, one per line. */
public final class StdoutPlugin extends Plugin<StdoutPlugin.Options> {

  /** Options of out.Stdout. */
  public record Options(
      @Option(value = "json: {tag, time, record} per line; text: Fluentd's `time tag: {record}`; raw: the message "
          + "field only; record: the record as JSON.", defaultValue = "json")
      LineFormat.Kind format,
      @Option(value = "Field printed by format raw.", defaultValue = "message")
      String messageKey) { }

  public StdoutPlugin() {
    super("out.Stdout", "Prints events to standard output.", Options.class,
        o -> new Stdout(new LineFormat(o.format(), o.messageKey())));
  }
}
