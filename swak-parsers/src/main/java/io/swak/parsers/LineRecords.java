package io.swak.parsers;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A line parsed into a whole entry {@code [time, {fields…}]}, for the inputs that take {@code format:} (in.FileTail,
 * in.Tcp, in.Udp): the line is parsed once, from the bytes it was read into, and the entry written once. A line
 * that does not parse is the caller's to keep as text; the reasons are counted here. One instance per thread.
 */
public final class LineRecords {

  private final String format;
  private final LineParser parser;
  private final FieldsWriter fields = new FieldsWriter();
  private final MsgpackWriter entry = new MsgpackWriter(1024);
  private long noMatch;
  private long malformed;
  private long timeUnparsed;

  /** Throws IllegalArgumentException with the parser's reason when the format or its options are wrong. */
  public LineRecords(String format, Map<String, Object> options) {
    this.format = format;
    this.parser = ParserFactory.create(format, options).orElseThrow();
  }

  /** The reason {@code format} with {@code options} cannot be set up, or null when it can. */
  public static String check(String format, Map<String, Object> options) {
    return ParserFactory.create(format, options) instanceof Setup.Rejected<LineParser> r ? r.reason() : null;
  }

  /** True when {@code format} is a parser of this library. */
  public static boolean isFormat(String format) {
    return format != null && (ParserFactory.FORMATS.contains(format.trim().toLowerCase(java.util.Locale.ROOT))
        || format.trim().equalsIgnoreCase("apache2"));
  }

  /**
   * The parser options a configuration gave, only those given, so each format's own defaults apply and an option
   * it does not take is refused.
   */
  public static Map<String, Object> options(String regex, Map<String, String> types, List<String> columns,
      String delimiter, String timeKey, String timeFormat, String timeZone, boolean timeKeep) {
    Map<String, Object> m = new LinkedHashMap<>();
    if (regex != null) {
      m.put("regex", regex);
    }
    if (types != null && !types.isEmpty()) {
      m.put("types", types);
    }
    if (columns != null && !columns.isEmpty()) {
      m.put("columns", columns);
      m.put("delimiter", delimiter == null ? "," : delimiter);
    }
    if (timeKey != null) {
      m.put("time_key", timeKey);
    }
    if (timeFormat != null) {
      m.put("time_format", timeFormat);
    }
    if (timeZone != null) {
      m.put("time_zone", timeZone);
    }
    if (timeKeep) {
      m.put("time_keep", true);
    }
    return m;
  }

  public String format() {
    return format;
  }

  /**
   * Parses {@code b[off, off+len)}; on success the entry is {@link #entry()} (timed by the line, else {@code now}),
   * with the pair {@code extraKey: extraValue} (UTF-8, both null for none) after the parsed fields unless one of
   * them has that name. False when the line is not in the format: nothing is written, the reason is counted.
   */
  public boolean parse(byte[] b, int off, int len, long now, byte[] extraKey, byte[] extraValue) {
    fields.begin(now);
    ParseResult r = parser.parse(b, off, len, fields);
    if (!r.ok()) {
      if (r.kind() == ParseResult.Kind.NO_MATCH) {
        noMatch++;
      } else {
        malformed++;
      }
      return false;
    }
    if (r == ParseResult.OK_TIME_UNPARSED) {
      timeUnparsed++;
    }
    boolean extra = extraKey != null && extraValue != null && !fields.hasKey(extraKey, 0, extraKey.length);
    entry.reset();
    entry.entryHead(fields.time());
    entry.mapHeader(fields.count() + (extra ? 1 : 0));
    entry.raw(fields.bytes(), 0, fields.length());
    if (extra) {
      entry.string(extraKey, 0, extraKey.length);
      entry.string(extraValue, 0, extraValue.length);
    }
    return true;
  }

  /** The entry of the last line parsed, valid in {@code [0, entryLength())} until the next. */
  public byte[] entry() {
    return entry.bytes();
  }

  public int entryLength() {
    return entry.length();
  }

  /** Lines not in the format since the last call (counter no_match); starts again from 0. */
  public long takeNoMatch() {
    long n = noMatch;
    noMatch = 0;
    return n;
  }

  /** Lines that broke the format since the last call (counter malformed); starts again from 0. */
  public long takeMalformed() {
    long n = malformed;
    malformed = 0;
    return n;
  }

  /** Lines whose time did not parse since the last call (counter time_unparsed); starts again from 0. */
  public long takeTimeUnparsed() {
    long n = timeUnparsed;
    timeUnparsed = 0;
    return n;
  }
}
