package io.swak.core.service;

import java.nio.file.Path;
import java.util.Locale;

/**
 * What {@code swak service install} writes: a systemd unit (Linux), a launchd plist (macOS), or the steps
 * for a Windows service. Under systemd and launchd the agent runs in the foreground ({@code swak run}) and
 * the service manager is the supervisor: it restarts a crashed agent and sends the signals.
 */
public final class ServiceFiles {

  /** The operating systems a service can be written for. */
  public enum Os { LINUX, MACOS, WINDOWS }

  private ServiceFiles() { }

  public static Os current() {
    String n = System.getProperty("os.name", "").toLowerCase(Locale.ROOT);
    if (n.startsWith("windows")) {
      return Os.WINDOWS;
    }
    return n.contains("mac") || n.contains("darwin") ? Os.MACOS : Os.LINUX;
  }

  /**
   * A systemd unit running {@code launcher run config}; {@code user} null for the unit's default (root,
   * or the user of a --user unit); {@code perUser} for a unit of the user's own systemd instance.
   */
  public static String systemdUnit(Path launcher, Path config, Path dataDir, String user, boolean perUser) {
    StringBuilder b = new StringBuilder();
    b.append("# Written by `swak service install`; `swak service uninstall` removes it.\n");
    b.append("[Unit]\n");
    b.append("Description=Swak log and event collection agent (").append(config).append(")\n");
    b.append("Wants=network-online.target\n");
    b.append("After=network-online.target\n");
    b.append("StartLimitIntervalSec=120\n");
    b.append("StartLimitBurst=5\n\n");
    b.append("[Service]\n");
    b.append("Type=simple\n");
    if (user != null) {
      b.append("User=").append(user).append('\n');
    }
    b.append("Environment=SWAK_DATA_DIR=").append(dataDir).append('\n');
    if (!perUser && dataDir.startsWith("/var/lib/") && dataDir.getNameCount() == 3) {
      b.append("# systemd creates it, owned by User=\n");
      b.append("StateDirectory=").append(dataDir.getFileName()).append('\n');
    }
    b.append("ExecStartPre=").append(launcher).append(" validate ").append(config).append('\n');
    b.append("ExecStart=").append(launcher).append(" run ").append(config).append('\n');
    b.append("# reload = check the new config, then SIGHUP: unchanged tasks keep running\n");
    b.append("ExecReload=").append(launcher).append(" validate ").append(config).append('\n');
    b.append("ExecReload=/bin/kill -HUP $MAINPID\n");
    b.append("KillSignal=SIGTERM\n");
    b.append("TimeoutStopSec=60\n");
    b.append("Restart=on-failure\n");
    b.append("RestartSec=2\n");
    b.append('\n');
    b.append("[Install]\n");
    b.append("WantedBy=").append(perUser ? "default.target" : "multi-user.target").append('\n');
    return b.toString();
  }

  /** A launchd property list (macOS). Untested on macOS itself: generated and checked as text only. */
  public static String launchdPlist(String label, Path launcher, Path config, Path dataDir, Path logFile) {
    return launchdPlist(label, launcher, config, dataDir, logFile, true);
  }

  /** {@code atBoot} false: loaded but started only by {@code launchctl start} (RunAtLoad false). */
  public static String launchdPlist(String label, Path launcher, Path config, Path dataDir, Path logFile,
      boolean atBoot) {
    return launchdPlistText(label, launcher, config, dataDir, logFile).replace("<key>RunAtLoad</key><true/>",
        "<key>RunAtLoad</key><" + atBoot + "/>");
  }

  private static String launchdPlistText(String label, Path launcher, Path config, Path dataDir, Path logFile) {
    return """
        <?xml version="1.0" encoding="UTF-8"?>
        <!DOCTYPE plist PUBLIC "-//Apple//DTD PLIST 1.0//EN" "http://www.apple.com/DTDs/PropertyList-1.0.dtd">
        <!-- Written by `swak service install`; `swak service uninstall` removes it. -->
        <plist version="1.0">
        <dict>
          <key>Label</key><string>%s</string>
          <key>ProgramArguments</key>
          <array>
            <string>%s</string>
            <string>run</string>
            <string>%s</string>
          </array>
          <key>EnvironmentVariables</key>
          <dict><key>SWAK_DATA_DIR</key><string>%s</string></dict>
          <key>RunAtLoad</key><true/>
          <key>KeepAlive</key><dict><key>SuccessfulExit</key><false/></dict>
          <key>ThrottleInterval</key><integer>5</integer>
          <key>StandardErrorPath</key><string>%s</string>
        </dict>
        </plist>
        """.formatted(xml(label), xml(launcher.toString()), xml(config.toString()), xml(dataDir.toString()),
        xml(logFile.toString()));
  }

  /** A WinSW service definition (https://github.com/winsw/winsw); untested on Windows. */
  public static String winswXml(String name, Path launcher, Path config, Path dataDir) {
    return winswXml(name, launcher, config, dataDir, true);
  }

  /** {@code atBoot}: the service's start mode, Automatic or Manual. */
  public static String winswXml(String name, Path launcher, Path config, Path dataDir, boolean atBoot) {
    return winswXmlText(name, launcher, config, dataDir).replace("<startmode>Automatic</startmode>",
        "<startmode>" + (atBoot ? "Automatic" : "Manual") + "</startmode>");
  }

  private static String winswXmlText(String name, Path launcher, Path config, Path dataDir) {
    return """
        <!-- Written by `swak service install`. Put WinSW (WinSW-x64.exe, renamed %1$s.exe) next to this
             file, then run `%1$s.exe install` and `%1$s.exe start` in an administrator prompt. -->
        <service>
          <id>%1$s</id>
          <name>Swak (%1$s)</name>
          <description>Swak log and event collection agent</description>
          <executable>%2$s</executable>
          <arguments>run "%3$s"</arguments>
          <env name="SWAK_DATA_DIR" value="%4$s"/>
          <startmode>Automatic</startmode>
          <onfailure action="restart" delay="5 sec"/>
          <stoptimeout>60 sec</stoptimeout>
          <log mode="roll-by-size"/>
        </service>
        """.formatted(xml(name), xml(launcher.toString()), xml(config.toString()), xml(dataDir.toString()));
  }

  private static String xml(String s) {
    return s.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;").replace("\"", "&quot;");
  }
}
