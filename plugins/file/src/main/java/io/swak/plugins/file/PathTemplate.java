package io.swak.plugins.file;

import io.swak.support.FieldPath;
import io.swak.support.HostName;
import io.swak.support.RecordBytes;
import java.time.LocalDateTime;
import java.util.ArrayList;
import java.util.List;

/**
 * out.File's path: {@code ${tag}}, {@code ${hostname}} (this machine), the strftime fields %Y %m %d %H %M %S, and
 * record fields as the modify step writes them: {@code ${record.host}} is the record's {@code host}, and a field that
 * holds a path (in.FileTail's {@code path_key}) gives {@code ${record.file.path}} (the whole path, its directories
 * kept), {@code ${record.file.dir}} (its directory) and {@code ${record.file.name}} (the file's name). A value never
 * climbs out of the configured directory: a field or tag is one path segment ({@code /} becomes {@code _}), a path's
 * {@code .} and {@code ..} segments are dropped and it is made relative.
 */
final class PathTemplate {

  /** A record field in the path; {@code part} says which part of its value. */
  private record Field(FieldPath path, String part, String text) { }

  private final String template;
  /** Literal text (String) and fields (Field), in order; null when the template names no field. */
  private final List<Object> pieces;

  PathTemplate(String written) {
    String template = written.contains("${hostname}") ? written.replace("${hostname}", safe(HostName.of())) : written;
    this.template = template;
    List<Object> out = new ArrayList<>();
    StringBuilder literal = new StringBuilder();
    boolean fields = false;
    for (int i = 0; i < template.length(); i++) {
      int close;
      if (template.startsWith("${record.", i) && (close = template.indexOf('}', i)) > 0) {
        out.add(literal.toString());
        literal.setLength(0);
        out.add(field(template.substring(i + 9, close)));
        fields = true;
        i = close;
      } else {
        literal.append(template.charAt(i));
      }
    }
    out.add(literal.toString());
    this.pieces = fields ? out : null;
  }

  private static Field field(String name) {
    for (String part : new String[] {"path", "dir", "name"}) {
      if (name.endsWith("." + part) && name.length() > part.length() + 1) {
        return new Field(FieldPath.parse(name.substring(0, name.length() - part.length() - 1)), part, name);
      }
    }
    return new Field(FieldPath.parse(name), null, name);
  }

  /** True when the path depends on each event's record, not only on the tag and time. */
  boolean usesRecord() {
    return pieces != null;
  }

  /** The path of a batch of {@code tag} at {@code now}; for a template without record fields. */
  String expand(String tag, LocalDateTime now) {
    return expand(template, tag, now);
  }

  /**
   * The path of one event whose record is {@code d[start, end)}. A field the record lacks gives {@code _} (so the
   * event is still written, under a name that shows what was missing); its name is added to {@code missing}.
   */
  String expand(String tag, LocalDateTime now, byte[] d, int start, int end, List<String> missing) {
    StringBuilder b = new StringBuilder(template.length() + 32);
    for (Object piece : pieces) {
      if (piece instanceof String s) {
        b.append(expand(s, tag, now)); // values are not templates: a % or ${tag} in a file name stays as it is
        continue;
      }
      Field f = (Field) piece;
      int at = RecordBytes.find(d, start, end, f.path());
      boolean found = at >= 0 && (f.part() == null ? !RecordBytes.isNil(d, at, end) : RecordBytes.isString(d, at, end));
      String v = found ? text(d, at, end) : null;
      if (v == null && f.part() != null) {
        // `file.name` may also be a field of that name (a nested map, or a key with a dot)
        at = RecordBytes.find(d, start, end, FieldPath.parse(f.text()));
        if (at >= 0 && !RecordBytes.isNil(d, at, end)) {
          b.append(safe(text(d, at, end)));
          continue;
        }
      }
      if (v == null) {
        missing.add("record." + f.text());
        b.append('_');
      } else if (f.part() == null) {
        b.append(safe(v));
      } else {
        b.append(pathPart(v, f.part()));
      }
    }
    return b.toString();
  }

  private static String text(byte[] d, int at, int end) {
    if (RecordBytes.isString(d, at, end)) {
      return RecordBytes.string(d, at, end);
    }
    Object v = RecordBytes.javaValue(d, at, end);
    return String.valueOf(v);
  }

  /** The whole path, its directory or its name, relative and without . or .. segments. */
  static String pathPart(String value, String part) {
    List<String> segments = new ArrayList<>();
    for (String s : value.replace('\\', '/').split("/")) {
      if (!s.isEmpty() && !s.equals(".") && !s.equals("..")) {
        segments.add(s);
      }
    }
    if (segments.isEmpty()) {
      return "_";
    }
    return switch (part) {
      case "name" -> segments.get(segments.size() - 1);
      case "dir" -> segments.size() == 1 ? "_" : String.join("/", segments.subList(0, segments.size() - 1));
      default -> String.join("/", segments);
    };
  }

  static String expand(String template, String tag, LocalDateTime now) {
    if (template.indexOf('$') < 0 && template.indexOf('%') < 0) {
      return template;
    }
    StringBuilder sb = new StringBuilder(template.length() + 16);
    for (int i = 0; i < template.length(); i++) {
      char c = template.charAt(i);
      if (c == '$' && template.startsWith("${tag}", i)) {
        sb.append(safe(tag));
        i += 5;
      } else if (c == '%' && i + 1 < template.length()) {
        char f = template.charAt(++i);
        switch (f) {
          case 'Y' -> sb.append(now.getYear());
          case 'm' -> two(sb, now.getMonthValue());
          case 'd' -> two(sb, now.getDayOfMonth());
          case 'H' -> two(sb, now.getHour());
          case 'M' -> two(sb, now.getMinute());
          case 'S' -> two(sb, now.getSecond());
          case '%' -> sb.append('%');
          default -> sb.append('%').append(f);
        }
      } else {
        sb.append(c);
      }
    }
    return sb.toString();
  }

  /** A tag as one path segment: a tag from the network must not climb out of the configured directory. */
  static String safe(String tag) {
    String s = tag.replace('/', '_').replace('\\', '_').replace("..", "__");
    return s.isEmpty() ? "_" : s;
  }

  private static void two(StringBuilder sb, int v) {
    if (v < 10) {
      sb.append('0');
    }
    sb.append(v);
  }
}
