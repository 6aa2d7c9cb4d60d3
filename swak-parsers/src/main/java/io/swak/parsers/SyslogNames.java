package io.swak.parsers;

import java.nio.charset.StandardCharsets;

/** Facility and severity names of a syslog PRI, as Fluentd's in_syslog spells them. */
final class SyslogNames {

  private SyslogNames() {}

  static final byte[][] FACILITIES = ascii("kern", "user", "mail", "daemon", "auth", "syslog", "lpr",
      "news", "uucp", "cron", "authpriv", "ftp", "ntp", "audit", "alert", "at", "local0", "local1",
      "local2", "local3", "local4", "local5", "local6", "local7");

  static final byte[][] SEVERITIES = ascii("emerg", "alert", "crit", "err", "warn", "notice", "info",
      "debug");

  private static byte[][] ascii(String... names) {
    byte[][] out = new byte[names.length][];
    for (int i = 0; i < names.length; i++) {
      out[i] = names[i].getBytes(StandardCharsets.US_ASCII);
    }
    return out;
  }
}
