package io.swak.plugins.otlp;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.core.StreamReadConstraints;
import com.google.protobuf.ByteString;
import com.google.protobuf.Descriptors.Descriptor;
import com.google.protobuf.Descriptors.EnumValueDescriptor;
import com.google.protobuf.Descriptors.FieldDescriptor;
import com.google.protobuf.Message;
import java.io.IOException;
import java.math.BigInteger;
import java.util.Base64;
import java.util.HashMap;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * OTLP/JSON into the official protobuf classes, driven by their descriptors (so logs, metrics and traces share it).
 * OTLP's rules, which are not protobuf's JSON mapping: trace and span ids are hex, not base64; enums are integers
 * (names are accepted too); 64-bit integers are numbers or strings; keys are lowerCamelCase (the proto names are
 * accepted too); unknown keys are ignored. Errors name the field, e.g. {@code resourceLogs[0].scopeLogs[0]…}.
 */
final class OtlpJson {

  /** Deeper JSON is refused: protobuf's own parse depth is 100 too. */
  static final int MAX_DEPTH = 100;

  private static final JsonFactory JSON = JsonFactory.builder()
      .streamReadConstraints(StreamReadConstraints.builder().maxNestingDepth(MAX_DEPTH + 10).build()).build();
  /** Bytes fields written as hex in OTLP/JSON; every other bytes field is base64. */
  private static final Set<String> HEX_FIELDS = Set.of("trace_id", "span_id", "parent_span_id", "profile_id");
  private static final Map<Descriptor, Map<String, FieldDescriptor>> FIELDS = new ConcurrentHashMap<>();

  private OtlpJson() { }

  /** Thrown for a body that is not valid OTLP/JSON; the message says where and why. */
  static final class BadJson extends Exception {
    private static final long serialVersionUID = 1L;

    BadJson(String message) {
      super(message);
    }
  }

  /** Parses {@code body} into {@code builder} (an empty export request builder) and returns it. */
  static <B extends Message.Builder> B merge(byte[] body, int off, int len, B builder) throws BadJson {
    try (JsonParser p = JSON.createParser(body, off, len)) {
      if (p.nextToken() != JsonToken.START_OBJECT) {
        throw new BadJson("the body must be a JSON object");
      }
      object(p, builder, "", 0);
      if (p.nextToken() != null) {
        throw new BadJson("unexpected data after the JSON object");
      }
      return builder;
    } catch (BadJson e) {
      throw e;
    } catch (IOException | RuntimeException e) {
      String m = e.getMessage() == null ? io.swak.support.FailureText.of(e) : e.getMessage();
      int nl = m.indexOf('\n');
      throw new BadJson("not valid JSON: " + (nl > 0 ? m.substring(0, nl) : m));
    }
  }

  private static Map<String, FieldDescriptor> fields(Descriptor d) {
    return FIELDS.computeIfAbsent(d, k -> {
      Map<String, FieldDescriptor> m = new HashMap<>();
      for (FieldDescriptor f : k.getFields()) {
        m.put(f.getName(), f);
        m.put(f.getJsonName(), f);
      }
      return m;
    });
  }

  /** The fields of an object whose START_OBJECT was read, into {@code b}. */
  private static void object(JsonParser p, Message.Builder b, String path, int depth) throws IOException, BadJson {
    if (depth > MAX_DEPTH) {
      throw new BadJson(path + ": nested deeper than " + MAX_DEPTH + " levels");
    }
    Map<String, FieldDescriptor> fields = fields(b.getDescriptorForType());
    JsonToken t;
    while ((t = p.nextToken()) != JsonToken.END_OBJECT) {
      if (t != JsonToken.FIELD_NAME) {
        throw new BadJson(path + ": expected a key");
      }
      String name = p.currentName();
      FieldDescriptor f = fields.get(name);
      JsonToken v = p.nextToken();
      if (f == null || v == JsonToken.VALUE_NULL) {
        p.skipChildren(); // unknown keys are ignored (OTLP/JSON); null is the default
        continue;
      }
      String at = path.isEmpty() ? name : path + "." + name;
      if (f.isRepeated()) {
        if (v != JsonToken.START_ARRAY) {
          throw new BadJson(at + ": expected an array");
        }
        int i = 0;
        while (p.nextToken() != JsonToken.END_ARRAY) {
          String ai = at + "[" + i++ + "]";
          if (f.getJavaType() == FieldDescriptor.JavaType.MESSAGE) {
            b.addRepeatedField(f, message(p, b.newBuilderForField(f), ai, depth));
          } else {
            b.addRepeatedField(f, scalar(p, f, ai));
          }
        }
      } else if (f.getJavaType() == FieldDescriptor.JavaType.MESSAGE) {
        b.setField(f, message(p, b.newBuilderForField(f), at, depth));
      } else {
        b.setField(f, scalar(p, f, at));
      }
    }
  }

  private static Message message(JsonParser p, Message.Builder b, String at, int depth) throws IOException, BadJson {
    if (p.currentToken() != JsonToken.START_OBJECT) {
      throw new BadJson(at + ": expected an object");
    }
    object(p, b, at, depth + 1);
    return b.build();
  }

  private static Object scalar(JsonParser p, FieldDescriptor f, String at) throws IOException, BadJson {
    JsonToken t = p.currentToken();
    switch (f.getType()) {
      case STRING -> {
        if (t != JsonToken.VALUE_STRING) {
          throw new BadJson(at + ": expected a string");
        }
        return p.getText();
      }
      case BOOL -> {
        if (t == JsonToken.VALUE_TRUE || t == JsonToken.VALUE_FALSE) {
          return t == JsonToken.VALUE_TRUE;
        }
        throw new BadJson(at + ": expected true or false");
      }
      case INT32, SINT32, SFIXED32 -> {
        return (int) integer(p, at, Integer.MIN_VALUE, Integer.MAX_VALUE);
      }
      case UINT32, FIXED32 -> {
        return (int) integer(p, at, 0, 0xffffffffL);
      }
      case INT64, SINT64, SFIXED64 -> {
        return integer(p, at, Long.MIN_VALUE, Long.MAX_VALUE);
      }
      case UINT64, FIXED64 -> {
        return unsigned64(p, at);
      }
      case DOUBLE, FLOAT -> {
        double d = floating(p, at);
        return f.getType() == FieldDescriptor.Type.FLOAT ? (Object) (float) d : (Object) d;
      }
      case BYTES -> {
        if (t != JsonToken.VALUE_STRING) {
          throw new BadJson(at + ": expected a string (" + (HEX_FIELDS.contains(f.getName()) ? "hex" : "base64") + ")");
        }
        String s = p.getText();
        if (HEX_FIELDS.contains(f.getName())) {
          ByteString b = Hex.parse(s);
          if (b == null) {
            throw new BadJson(at + ": expected hex digits, got \"" + shorten(s) + "\"");
          }
          return b;
        }
        try {
          return ByteString.copyFrom(Base64.getDecoder().decode(s));
        } catch (IllegalArgumentException e) {
          try {
            return ByteString.copyFrom(Base64.getUrlDecoder().decode(s));
          } catch (IllegalArgumentException e2) {
            throw new BadJson(at + ": expected base64, got \"" + shorten(s) + "\"");
          }
        }
      }
      case ENUM -> {
        if (t == JsonToken.VALUE_STRING) {
          EnumValueDescriptor e = f.getEnumType().findValueByName(p.getText());
          if (e == null) {
            throw new BadJson(at + ": unknown value \"" + shorten(p.getText()) + "\"");
          }
          return e;
        }
        int n = (int) integer(p, at, Integer.MIN_VALUE, Integer.MAX_VALUE);
        return f.getEnumType().findValueByNumberCreatingIfUnknown(n);
      }
      default -> throw new BadJson(at + ": unsupported field type " + f.getType());
    }
  }

  /** An integer given as a number (an integral float too) or as a string of digits. */
  private static long integer(JsonParser p, String at, long min, long max) throws IOException, BadJson {
    JsonToken t = p.currentToken();
    BigInteger v;
    try {
      if (t == JsonToken.VALUE_NUMBER_INT) {
        v = p.getBigIntegerValue();
      } else if (t == JsonToken.VALUE_NUMBER_FLOAT && p.getDoubleValue() == Math.rint(p.getDoubleValue())) {
        v = p.getDecimalValue().toBigIntegerExact();
      } else if (t == JsonToken.VALUE_STRING) {
        v = new BigInteger(p.getText().trim());
      } else {
        throw new BadJson(at + ": expected an integer");
      }
    } catch (NumberFormatException | ArithmeticException e) {
      throw new BadJson(at + ": expected an integer, got \"" + shorten(p.getText()) + "\"");
    }
    if (v.compareTo(BigInteger.valueOf(min)) < 0 || v.compareTo(BigInteger.valueOf(max)) > 0) {
      throw new BadJson(at + ": " + v + " is out of range");
    }
    return v.longValue();
  }

  private static final BigInteger U64_MAX = BigInteger.ONE.shiftLeft(64).subtract(BigInteger.ONE);

  private static long unsigned64(JsonParser p, String at) throws IOException, BadJson {
    JsonToken t = p.currentToken();
    BigInteger v;
    try {
      if (t == JsonToken.VALUE_NUMBER_INT) {
        v = p.getBigIntegerValue();
      } else if (t == JsonToken.VALUE_NUMBER_FLOAT && p.getDoubleValue() == Math.rint(p.getDoubleValue())) {
        v = p.getDecimalValue().toBigIntegerExact();
      } else if (t == JsonToken.VALUE_STRING) {
        v = new BigInteger(p.getText().trim());
      } else {
        throw new BadJson(at + ": expected an integer");
      }
    } catch (NumberFormatException | ArithmeticException e) {
      throw new BadJson(at + ": expected an integer, got \"" + shorten(p.getText()) + "\"");
    }
    if (v.signum() < 0 || v.compareTo(U64_MAX) > 0) {
      throw new BadJson(at + ": " + v + " is out of range");
    }
    return v.longValue();
  }

  private static double floating(JsonParser p, String at) throws IOException, BadJson {
    JsonToken t = p.currentToken();
    if (t == JsonToken.VALUE_NUMBER_INT || t == JsonToken.VALUE_NUMBER_FLOAT) {
      return p.getDoubleValue();
    }
    if (t == JsonToken.VALUE_STRING) {
      String s = p.getText().trim();
      switch (s) {
        case "NaN" -> {
          return Double.NaN;
        }
        case "Infinity" -> {
          return Double.POSITIVE_INFINITY;
        }
        case "-Infinity" -> {
          return Double.NEGATIVE_INFINITY;
        }
        default -> {
          try {
            return Double.parseDouble(s);
          } catch (NumberFormatException e) {
            throw new BadJson(at + ": expected a number, got \"" + shorten(s) + "\"");
          }
        }
      }
    }
    throw new BadJson(at + ": expected a number");
  }

  private static String shorten(String s) {
    return s.length() > 40 ? s.substring(0, 40) + "…" : s;
  }
}
