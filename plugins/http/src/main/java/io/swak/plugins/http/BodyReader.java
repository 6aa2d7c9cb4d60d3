package io.swak.plugins.http;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonParseException;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.core.StreamReadConstraints;
import io.swak.api.MsgpackHeaders;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.HashMap;

/**
 * Turns a request body into msgpack entries [time, record] straight from Jackson's tokens, without building
 * maps: a map's or array's size is only known at its end, so its header is written as map32/array32 and
 * patched. Not thread-safe: one per network thread.
 */
final class BodyReader {

  /** A body that cannot be read, with the reason the client is told (400). */
  static final class BadBody extends Exception {
    BadBody(String message) {
      super(message, null, false, false);
    }
  }

  private static final JsonFactory JSON = JsonFactory.builder()
      .streamReadConstraints(StreamReadConstraints.builder().maxNestingDepth(200).build()).build();

  byte[] buf = new byte[1 << 16];
  int len;
  int count;
  private final byte[] messageKey;
  private static final int MAX_NAMES = 1024;
  private final HashMap<String, byte[]> names = new HashMap<>();

  BodyReader(String messageKey) {
    this.messageKey = messageKey.getBytes(StandardCharsets.UTF_8);
  }

  void reset() {
    len = 0;
    count = 0;
    if (buf.length > (1 << 24)) {
      buf = new byte[1 << 16];
    }
  }

  private void ensure(int more) {
    if (len + more > buf.length) {
      buf = Arrays.copyOf(buf, Math.max(buf.length * 2, len + more));
    }
  }

  /** One object, or an array of objects. */
  void json(byte[] b, int off, int n, long now) throws BadBody {
    try (JsonParser p = JSON.createParser(b, off, n)) {
      JsonToken t = p.nextToken();
      if (t == null) {
        throw new BadBody("the body is empty");
      }
      if (t == JsonToken.START_ARRAY) {
        int i = 0;
        while ((t = p.nextToken()) != JsonToken.END_ARRAY) {
          if (t != JsonToken.START_OBJECT) {
            throw new BadBody("element " + i + " of the array is not a JSON object");
          }
          entry(p, now);
          i++;
        }
      } else if (t == JsonToken.START_OBJECT) {
        entry(p, now);
      } else {
        throw new BadBody("the body is not a JSON object nor an array of objects");
      }
      if (p.nextToken() != null) {
        throw new BadBody("more follows the JSON value at line " + p.currentLocation().getLineNr()
            + " (send NDJSON as application/x-ndjson)");
      }
    } catch (JsonParseException e) {
      throw new BadBody("not JSON: " + e.getOriginalMessage() + " at line " + e.getLocation().getLineNr()
          + ", column " + e.getLocation().getColumnNr());
    } catch (IOException e) {
      throw new BadBody("not JSON: " + e.getMessage());
    }
  }

  /**
   * One object per line; blank lines are skipped. One parser reads the whole body (a parser per line cost more
   * than the parsing); the line rules are checked against the byte offsets of each object's start and end.
   */
  void ndjson(byte[] b, int off, int n, long now) throws BadBody {
    int end = off + n;
    int line = 1; // the line of the byte at `counted`
    int counted = off;
    int lineEnd = off - 1; // the newline (or the end) closing the line of the last object
    try (JsonParser p = JSON.createParser(b, off, n)) {
      try {
        for (JsonToken t; (t = p.nextToken()) != null; ) {
          int start = off + (int) p.currentTokenLocation().getByteOffset();
          // from the newline that ended the object before: indexOf found none before it on that object's line
          line += newlines(b, Math.max(counted, lineEnd), start);
          counted = start;
          if (start <= lineEnd) {
            throw new BadBody("line " + line + " holds more than one JSON value");
          }
          if (t != JsonToken.START_OBJECT) {
            throw new BadBody("line " + line + " is not a JSON object");
          }
          entry(p, now);
          int nl = indexOf(b, start, end);
          lineEnd = nl < 0 ? end : nl;
          if (off + p.currentLocation().getByteOffset() > lineEnd) {
            throw new BadBody("line " + line + " is not JSON: the object goes on past the end of its line");
          }
        }
      } catch (JsonParseException x) {
        long at = Math.min(end, Math.max(counted, off + x.getLocation().getByteOffset()));
        line += newlines(b, counted, (int) at);
        throw new BadBody("line " + line + " is not JSON: " + x.getOriginalMessage());
      }
    } catch (IOException x) {
      throw new BadBody("line " + line + " is not JSON: " + x.getMessage());
    }
  }

  /** Each line one event {message: line}; its bytes are kept as they are. */
  void lines(byte[] b, int off, int n, long now) {
    int end = off + n;
    for (int p = off; p < end; ) {
      int nl = indexOf(b, p, end);
      int e = nl < 0 ? end : nl;
      int t = e > p && b[e - 1] == '\r' ? e - 1 : e;
      if (t > p) {
        ensure(12 + 1 + messageKey.length + 5 + (t - p));
        len = MsgpackHeaders.entryHead(buf, len, now);
        buf[len++] = (byte) 0x81;
        len = MsgpackHeaders.str(buf, len, messageKey);
        len = MsgpackHeaders.str(buf, len, t - p);
        System.arraycopy(b, p, buf, len, t - p);
        len += t - p;
        count++;
      }
      p = e + 1;
    }
  }

  private void entry(JsonParser p, long now) throws IOException {
    int mark = len;
    ensure(12);
    len = MsgpackHeaders.entryHead(buf, len, now);
    try {
      value(p); // the object whose START_OBJECT is the current token
    } catch (IOException | RuntimeException e) {
      len = mark;
      throw e;
    }
    count++;
  }

  private void value(JsonParser p) throws IOException {
    JsonToken t = p.currentToken();
    switch (t) {
      case START_OBJECT -> {
        int at = header(0xdf);
        int n = 0;
        while (p.nextToken() == JsonToken.FIELD_NAME) {
          name(p.currentName());
          p.nextToken();
          value(p);
          n++;
        }
        patch(at, n);
      }
      case START_ARRAY -> {
        int at = header(0xdd);
        int n = 0;
        while (p.nextToken() != JsonToken.END_ARRAY) {
          value(p);
          n++;
        }
        patch(at, n);
      }
      case VALUE_STRING -> string(p.getTextCharacters(), p.getTextOffset(), p.getTextLength());
      case VALUE_NUMBER_INT -> {
        ensure(9);
        if (p.getNumberType() == JsonParser.NumberType.BIG_INTEGER) {
          String digits = p.getText(); // beyond 64 bits: kept as its digits
          string(digits.toCharArray(), 0, digits.length());
        } else {
          len = MsgpackHeaders.integer(buf, len, p.getLongValue());
        }
      }
      case VALUE_NUMBER_FLOAT -> {
        ensure(9);
        len = MsgpackHeaders.float64(buf, len, p.getDoubleValue());
      }
      case VALUE_TRUE, VALUE_FALSE -> {
        ensure(1);
        len = MsgpackHeaders.bool(buf, len, t == JsonToken.VALUE_TRUE);
      }
      case VALUE_NULL -> {
        ensure(1);
        len = MsgpackHeaders.nil(buf, len);
      }
      default -> throw new JsonParseException(p, "unexpected " + t);
    }
  }

  private int header(int type) {
    ensure(5);
    int at = len;
    buf[len] = (byte) type;
    len += 5;
    return at;
  }

  private void patch(int at, int n) {
    buf[at + 1] = (byte) (n >>> 24);
    buf[at + 2] = (byte) (n >>> 16);
    buf[at + 3] = (byte) (n >>> 8);
    buf[at + 4] = (byte) n;
  }

  /** A field name: Jackson gives the same String for the same name, so its UTF-8 is encoded once. */
  private void name(String s) {
    byte[] utf8 = names.get(s);
    if (utf8 == null) {
      if (names.size() >= MAX_NAMES) {
        names.clear(); // a body of ever new keys: bounded, it just stops saving work
      }
      utf8 = s.getBytes(StandardCharsets.UTF_8);
      names.put(s, utf8);
    }
    ensure(5 + utf8.length);
    len = MsgpackHeaders.str(buf, len, utf8);
  }

  /** A string value from Jackson's character buffer, as UTF-8 (no String made; lone surrogates as 3 bytes). */
  private void string(char[] s, int off, int n) {
    ensure(5 + n * 3);
    byte[] o = buf;
    int end = off + n;
    int p = MsgpackHeaders.str(o, len, n); // the header, if every char is ASCII (one byte each)
    int i = off;
    while (i < end && s[i] < 0x80) {
      o[p++] = (byte) s[i++];
    }
    if (i == end) {
      len = p;
      return;
    }
    int head = len; // not ASCII: the UTF-8 length is known at the end, so a str32 header is patched
    p = head + 5;
    for (i = off; i < end; i++) {
      char c = s[i];
      if (c < 0x80) {
        o[p++] = (byte) c;
      } else if (c < 0x800) {
        o[p++] = (byte) (0xc0 | (c >> 6));
        o[p++] = (byte) (0x80 | (c & 0x3f));
      } else if (Character.isHighSurrogate(c) && i + 1 < end && Character.isLowSurrogate(s[i + 1])) {
        int cp = Character.toCodePoint(c, s[++i]);
        o[p++] = (byte) (0xf0 | (cp >> 18));
        o[p++] = (byte) (0x80 | ((cp >> 12) & 0x3f));
        o[p++] = (byte) (0x80 | ((cp >> 6) & 0x3f));
        o[p++] = (byte) (0x80 | (cp & 0x3f));
      } else {
        o[p++] = (byte) (0xe0 | (c >> 12));
        o[p++] = (byte) (0x80 | ((c >> 6) & 0x3f));
        o[p++] = (byte) (0x80 | (c & 0x3f));
      }
    }
    int k = p - head - 5;
    o[head] = (byte) 0xdb;
    o[head + 1] = (byte) (k >>> 24);
    o[head + 2] = (byte) (k >>> 16);
    o[head + 3] = (byte) (k >>> 8);
    o[head + 4] = (byte) k;
    len = p;
  }

  private static int newlines(byte[] b, int from, int to) {
    int k = 0;
    for (int i = from; i < to; i++) {
      if (b[i] == '\n') {
        k++;
      }
    }
    return k;
  }

  private static int indexOf(byte[] b, int from, int end) {
    for (int i = from; i < end; i++) {
      if (b[i] == '\n') {
        return i;
      }
    }
    return -1;
  }
}
