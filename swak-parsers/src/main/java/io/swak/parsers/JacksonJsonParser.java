package io.swak.parsers;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.core.StreamReadConstraints;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.HashMap;
import java.util.Map;

/**
 * Format {@code json} with {@code engine: jackson}: the same fields as {@link JsonLineParser}, read with
 * Jackson's byte[] streaming parser. Kept as the baseline of JsonBench and as the oracle the hand-written
 * parser is tested against; not the default, being slower (a String per key, chars re-encoded to UTF-8
 * per value) and stricter (invalid UTF-8 and raw control characters are MALFORMED here).
 */
public final class JacksonJsonParser implements LineParser {

  static final ParseResult REJECTED = ParseResult.malformed("not valid JSON (jackson)");

  private static final JsonFactory FACTORY = JsonFactory.builder()
      .streamReadConstraints(StreamReadConstraints.builder().maxNestingDepth(1000).build())
      .build();
  private static final int MAX_KEYS = 4096;

  private final FieldConversions conversions;
  private final int maxDepth;
  private final MsgpackWriter nested = new MsgpackWriter();
  private final ScratchBytes utf8 = new ScratchBytes();
  /** Jackson hands out canonical key Strings; their UTF-8 is made once. */
  private final Map<String, byte[]> keyBytes = new HashMap<>();

  JacksonJsonParser(FieldConversions conversions, int maxDepth) {
    this.conversions = conversions;
    this.maxDepth = maxDepth;
  }

  public JacksonJsonParser() {
    this(FieldConversions.none(), 64);
  }

  @Override
  public ParseResult parse(byte[] line, int off, int len, FieldSink sink) {
    conversions.startLine();
    int first = off;
    while (first < off + len && (line[first] == ' ' || line[first] == '\t')) {
      first++;
    }
    if (first == off + len) {
      return JsonLineParser.EMPTY;
    }
    if (line[first] != '{') {
      return JsonLineParser.NOT_AN_OBJECT; // as the hand-written parser tells, before Jackson throws on it
    }
    try (JsonParser p = FACTORY.createParser(line, off, len)) {
      JsonToken t = p.nextToken();
      if (t == null) {
        return JsonLineParser.EMPTY;
      }
      if (t != JsonToken.START_OBJECT) {
        return JsonLineParser.NOT_AN_OBJECT;
      }
      while ((t = p.nextToken()) == JsonToken.FIELD_NAME) {
        byte[] k = key(p.currentName());
        t = p.nextToken();
        if (!field(p, t, k, sink)) {
          return JsonLineParser.TOO_DEEP;
        }
      }
      if (t != JsonToken.END_OBJECT) {
        return JsonLineParser.CUT;
      }
      if (p.nextToken() != null) {
        return JsonLineParser.TRAILING;
      }
      return conversions.finish();
    } catch (IOException | RuntimeException e) {
      return REJECTED;
    }
  }

  private boolean field(JsonParser p, JsonToken t, byte[] k, FieldSink sink) throws IOException {
    switch (t) {
      case VALUE_STRING -> {
        utf8(p);
        conversions.deliver(sink, conversions.roleOf(k, 0, k.length), k, 0, k.length, utf8.buf, 0, utf8.len);
      }
      case VALUE_NUMBER_INT -> {
        if (p.getNumberType() == JsonParser.NumberType.BIG_INTEGER) {
          byte[] digits = p.getText().getBytes(StandardCharsets.US_ASCII);
          sink.string(k, 0, k.length, digits, 0, digits.length);
        } else if (!timeNumber(k, sink, p.getLongValue(), 0, false)) {
          sink.integer(k, 0, k.length, p.getLongValue());
        }
      }
      case VALUE_NUMBER_FLOAT -> {
        if (!timeNumber(k, sink, 0, p.getDoubleValue(), true)) {
          sink.real(k, 0, k.length, p.getDoubleValue());
        }
      }
      case VALUE_TRUE -> sink.bool(k, 0, k.length, true);
      case VALUE_FALSE -> sink.bool(k, 0, k.length, false);
      case VALUE_NULL -> sink.nil(k, 0, k.length);
      case START_OBJECT, START_ARRAY -> {
        nested.reset();
        if (!value(p, t, 2)) {
          return false;
        }
        sink.msgpack(k, 0, k.length, nested.bytes(), 0, nested.length());
      }
      default -> throw new IOException("unexpected token " + t);
    }
    return true;
  }

  private boolean timeNumber(byte[] k, FieldSink sink, long whole, double real, boolean isReal) {
    return conversions.hasTime() && conversions.roleOf(k, 0, k.length) == FieldConversions.TIME
        && conversions.timeNumber(sink, k, 0, k.length, whole, real, isReal);
  }

  private boolean value(JsonParser p, JsonToken t, int depth) throws IOException {
    switch (t) {
      case START_OBJECT, START_ARRAY -> {
        if (depth > maxDepth) {
          return false;
        }
        boolean isMap = t == JsonToken.START_OBJECT;
        int mark = nested.openContainer();
        int count = 0;
        JsonToken close = isMap ? JsonToken.END_OBJECT : JsonToken.END_ARRAY;
        while ((t = p.nextToken()) != close) {
          if (t == null) {
            throw new IOException("cut");
          }
          if (isMap) {
            byte[] k = key(p.currentName());
            nested.string(k, 0, k.length);
            t = p.nextToken();
          }
          if (!value(p, t, depth + 1)) {
            return false;
          }
          count++;
        }
        if (isMap) {
          nested.closeMap(mark, count);
        } else {
          nested.closeArray(mark, count);
        }
      }
      case VALUE_STRING -> {
        utf8(p);
        nested.string(utf8.buf, 0, utf8.len);
      }
      case VALUE_NUMBER_INT -> {
        if (p.getNumberType() == JsonParser.NumberType.BIG_INTEGER) {
          byte[] digits = p.getText().getBytes(StandardCharsets.US_ASCII);
          nested.string(digits, 0, digits.length);
        } else {
          nested.integer(p.getLongValue());
        }
      }
      case VALUE_NUMBER_FLOAT -> nested.real(p.getDoubleValue());
      case VALUE_TRUE -> nested.bool(true);
      case VALUE_FALSE -> nested.bool(false);
      case VALUE_NULL -> nested.nil();
      default -> throw new IOException("unexpected token " + t);
    }
    return true;
  }

  private byte[] key(String name) {
    byte[] k = keyBytes.get(name);
    if (k == null) {
      if (keyBytes.size() >= MAX_KEYS) {
        keyBytes.clear(); // lines with ever-new keys (ids as keys) must not grow this without bound
      }
      k = name.getBytes(StandardCharsets.UTF_8);
      keyBytes.put(name, k);
    }
    return k;
  }

  /** The current string token as UTF-8 in {@link #utf8}, from Jackson's char buffer. */
  private void utf8(JsonParser p) throws IOException {
    char[] chars = p.getTextCharacters();
    int off = p.getTextOffset();
    int n = p.getTextLength();
    utf8.reset();
    utf8.ensure(n * 3);
    byte[] out = utf8.buf;
    int o = 0;
    for (int i = off; i < off + n; i++) {
      char c = chars[i];
      if (c < 0x80) {
        out[o++] = (byte) c;
      } else if (c < 0x800) {
        out[o++] = (byte) (0xC0 | c >> 6);
        out[o++] = (byte) (0x80 | c & 0x3F);
      } else if (Character.isHighSurrogate(c) && i + 1 < off + n && Character.isLowSurrogate(chars[i + 1])) {
        utf8.len = o;
        utf8.putCodePoint(Character.toCodePoint(c, chars[++i]));
        o = utf8.len;
      } else {
        char e = Character.isSurrogate(c) ? '\uFFFD' : c;
        out[o++] = (byte) (0xE0 | e >> 12);
        out[o++] = (byte) (0x80 | e >> 6 & 0x3F);
        out[o++] = (byte) (0x80 | e & 0x3F);
      }
    }
    utf8.len = o;
  }
}
