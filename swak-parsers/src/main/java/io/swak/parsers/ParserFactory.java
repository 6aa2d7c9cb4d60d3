package io.swak.parsers;

import java.time.Clock;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * Builds a {@link LineParser} from a format name and its options, as a parse step's configuration gives
 * them. Each call makes a new parser (parsers keep scratch buffers: one per thread). Every format takes
 * {@code time_key}, {@code time_format}, {@code time_zone} and {@code time_keep}; the free-form ones
 * ({@code json regex logfmt ltsv csv}) take {@code types} too. An unknown option is a Rejected setup,
 * not a silent default.
 */
public final class ParserFactory {

  public static final List<String> FORMATS =
      List.of("json", "regex", "logfmt", "ltsv", "csv", "apache", "nginx", "syslog", "cri", "docker");

  /** Returned inside a setup that is rejected anyway, so each builder can go on reading its options. */
  private static final LineParser UNBUILT = (line, off, len, sink) -> ParseResult.malformed("not built");

  private ParserFactory() {}

  public static Setup<LineParser> create(String format, Map<String, ?> options) {
    return create(format, options, Clock.systemUTC());
  }

  /** With the clock that dates timestamps logged without a year (syslog), for tests. */
  public static Setup<LineParser> create(String format, Map<String, ?> options, Clock clock) {
    Options o = new Options(options, clock);
    String name = format == null ? "" : format.trim().toLowerCase(Locale.ROOT);
    LineParser parser = switch (name) {
      case "json" -> json(o);
      case "regex" -> regex(o);
      case "logfmt" -> new LogfmtLineParser(free(o), o.bool("bare_keys", true));
      case "ltsv" -> new LtsvLineParser(free(o));
      case "csv" -> csv(o);
      case "apache", "apache2" -> accessLog(fixedTypes(o), AccessLogLineParser.Layout.APACHE);
      case "nginx" -> accessLog(fixedTypes(o), AccessLogLineParser.Layout.NGINX);
      case "syslog" -> syslog(fixedTypes(o));
      case "cri" -> new CriLineParser(FieldConversions.from(fixedTypes(o), "time", "rfc3339", true));
      case "docker" -> new DockerLineParser(new JsonLineParser(FieldConversions.from(o, "time", "rfc3339", true),
          maxDepth(o)));
      default -> null;
    };
    if (parser == null) {
      return new Setup.Rejected<>("unknown format " + format + "; known: " + String.join(", ", FORMATS));
    }
    o.noOthers(name);
    String problem = o.problem();
    return problem == null ? new Setup.Ready<>(parser) : new Setup.Rejected<>(name + ": " + problem);
  }

  /** The formats whose fields have set types refuse {@code types}, rather than ignore it. */
  private static Options fixedTypes(Options o) {
    if (o.has("types")) {
      o.reject("types does not apply: this format's fields have fixed types");
    }
    return o;
  }

  /** Conversions of the formats whose fields are all text: no time field unless configured. */
  private static FieldConversions free(Options o) {
    return FieldConversions.from(o, null, null, false);
  }

  private static LineParser json(Options o) {
    FieldConversions conversions = free(o);
    int depth = maxDepth(o);
    String engine = o.string("engine", "hand");
    return switch (engine) {
      case "hand" -> new JsonLineParser(conversions, depth);
      case "jackson" -> new JacksonJsonParser(conversions, depth);
      default -> {
        o.reject("engine must be hand or jackson");
        yield new JsonLineParser(conversions, depth);
      }
    };
  }

  private static int maxDepth(Options o) {
    long depth = o.number("max_depth", 64);
    if (depth < 1 || depth > 512) {
      o.reject("max_depth must be 1 to 512");
      return 64;
    }
    return (int) depth;
  }

  private static LineParser regex(Options o) {
    String source = o.string("regex", null);
    FieldConversions conversions = free(o);
    if (source == null) {
      o.reject("the option regex is required");
      return UNBUILT;
    }
    Setup<RegexPattern> pattern = RegexPattern.compile(source);
    if (pattern instanceof Setup.Rejected<RegexPattern> r) {
      o.reject(r.reason());
      return UNBUILT;
    }
    return new RegexLineParser(((Setup.Ready<RegexPattern>) pattern).value(), conversions);
  }

  private static LineParser csv(Options o) {
    List<String> columns = o.list("columns");
    if (columns.isEmpty()) {
      o.reject("the option columns is required");
    }
    byte delimiter = oneByte(o, "delimiter", ",");
    byte quote = oneByte(o, "quote", "\"");
    if (quote == delimiter) {
      o.reject("quote and delimiter must differ");
    }
    return new CsvLineParser(columns, delimiter, quote, free(o));
  }

  private static byte oneByte(Options o, String name, String fallback) {
    String s = o.string(name, fallback);
    if (s.equals("\\t") || s.equalsIgnoreCase("tab")) {
      return '\t';
    }
    if (s.length() != 1 || s.charAt(0) > 0x7F) {
      o.reject(name + " must be one ASCII character");
      return (byte) fallback.charAt(0);
    }
    return (byte) s.charAt(0);
  }

  private static LineParser accessLog(Options o, AccessLogLineParser.Layout layout) {
    return new AccessLogLineParser(layout,
        FieldConversions.from(o, "time", AccessLogLineParser.DEFAULT_TIME_FORMAT, false));
  }

  private static LineParser syslog(Options o) {
    boolean formatGiven = o.has("time_format");
    FieldConversions conversions = FieldConversions.from(o, "time", "rfc3339", false);
    String zone = o.string("time_zone", null);
    Setup<TimeParser> rfc3339 = TimeFormats.compile("rfc3339", zone, o.clock());
    Setup<TimeParser> bsd = TimeFormats.compile("%b %e %H:%M:%S.%L", zone, o.clock());
    if (bsd instanceof Setup.Rejected<TimeParser> r) {
      o.reject(r.reason()); // only a bad time_zone gets here
      return UNBUILT;
    }
    return new SyslogLineParser(conversions, formatGiven ? conversions.timeParser() : null,
        rfc3339.orElseThrow(), bsd.orElseThrow());
  }
}
