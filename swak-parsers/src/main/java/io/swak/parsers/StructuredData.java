package io.swak.parsers;

/**
 * RFC 5424 STRUCTURED-DATA ({@code [id@1 a="1" b="x\"y"][id2]}) read into one msgpack map of SD-ID to a
 * map of its params. Values are unescaped ({@code \" \\ \]}) and otherwise kept as bytes. A param
 * repeated within an element (RFC 5424 allows it) is a repeated key in its map.
 */
final class StructuredData {

  private final MsgpackWriter out = new MsgpackWriter();
  private final ScratchBytes value = new ScratchBytes();
  /** where the structured data ended, after {@link #read} */
  int end;

  MsgpackWriter encoded() {
    return out;
  }

  /** Reads the elements at {@code b[i]} (a '['); false when they are not well formed. */
  boolean read(byte[] b, int i, int stop) {
    out.reset();
    int map = out.openContainer();
    int elements = 0;
    while (i < stop && b[i] == '[') {
      i++;
      int id = i;
      while (i < stop && b[i] != ' ' && b[i] != ']' && b[i] != '=' && b[i] != '"') {
        i++;
      }
      if (i == id || i == stop) {
        return false;
      }
      out.string(b, id, i - id);
      int params = out.openContainer();
      int count = 0;
      while (i < stop && b[i] == ' ') {
        i++;
        int name = i;
        while (i < stop && b[i] != '=' && b[i] != ' ' && b[i] != ']' && b[i] != '"') {
          i++;
        }
        if (i == name || i + 1 >= stop || b[i] != '=' || b[i + 1] != '"') {
          return false;
        }
        out.string(b, name, i - name);
        i += 2;
        value.reset();
        while (i < stop && b[i] != '"') {
          if (b[i] == '\\' && i + 1 < stop && (b[i + 1] == '"' || b[i + 1] == '\\' || b[i + 1] == ']')) {
            i++;
          }
          value.put(b[i++]);
        }
        if (i == stop) {
          return false;
        }
        i++; // closing quote
        out.string(value.buf, 0, value.len);
        count++;
      }
      if (i == stop || b[i] != ']') {
        return false;
      }
      i++;
      out.closeMap(params, count);
      elements++;
    }
    out.closeMap(map, elements);
    end = i;
    return elements > 0;
  }
}
