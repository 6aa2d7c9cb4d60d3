package io.swak.plugins.fluentd.testing;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** A captured connection from src/test/resources/fixtures/forward: bytes each way and the decoded JSON. */
public record Fixture(String name, JsonNode json, byte[] c2s, byte[] s2c) {

  public static final ObjectMapper JSON = new ObjectMapper();

  /** The captures of one TCP connection each. */
  public static List<String> tcp() {
    return List.of("fluent-bit-ack-fbserver", "fluent-bit-ack", "fluent-bit-default", "fluent-bit-gzip-nometa",
        "fluent-bit-gzip", "fluent-bit-message-mode", "fluent-bit-send-options", "fluent-bit-shared-key-wrong",
        "fluent-bit-shared-key", "fluent-bit-time-as-integer", "fluent-bit-user-auth-fbserver",
        "fluent-bit-user-auth-wrong", "fluent-bit-user-auth", "fluent-cat-event-time", "fluent-cat-json",
        "fluent-cat-none", "fluent-cat-time-as-integer", "fluentd-out-forward-ack",
        "fluentd-out-forward-gzip-multimember", "fluentd-out-forward-gzip", "fluentd-out-forward-user-auth",
        "fluentd-out-forward", "heartbeat-transport-secure");
  }

  public static Fixture load(String name) {
    JsonNode j;
    try (InputStream in = resource(name + ".json")) {
      j = JSON.readTree(in);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return new Fixture(name, j, bytes(name + ".c2s.bin"), j.has("s2c_file") ? bytes(name + ".s2c.bin") : null);
  }

  private static InputStream resource(String file) {
    InputStream in = Fixture.class.getResourceAsStream("/fixtures/forward/" + file);
    if (in == null) {
      throw new IllegalStateException("missing fixture " + file);
    }
    return in;
  }

  private static byte[] bytes(String file) {
    try (InputStream in = resource(file)) {
      return in.readAllBytes();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  public List<JsonNode> c2sMessages() {
    List<JsonNode> l = new ArrayList<>();
    json.get("c2s").forEach(l::add);
    return l;
  }

  public List<JsonNode> s2cMessages() {
    List<JsonNode> l = new ArrayList<>();
    if (json.has("s2c")) {
      json.get("s2c").forEach(l::add);
    }
    return l;
  }

  /**
   * The fixture's JSON value as plain Java values comparable with what the decoder returns: integers as
   * Long (or BigInteger), floats as Double, {@code {"$bin": hex}} and {@code {"$str_hex": hex}} as byte[].
   */
  public static Object plain(JsonNode n) {
    if (n.isObject()) {
      if (n.size() == 1 && (n.has("$bin") || n.has("$str_hex"))) {
        return HexFormat.of().parseHex(n.elements().next().asText());
      }
      Map<String, Object> m = new LinkedHashMap<>();
      n.fields().forEachRemaining(e -> m.put(e.getKey(), plain(e.getValue())));
      return m;
    }
    if (n.isArray()) {
      List<Object> l = new ArrayList<>();
      n.forEach(e -> l.add(plain(e)));
      return l;
    }
    if (n.isIntegralNumber()) {
      BigInteger b = n.bigIntegerValue();
      return b.bitLength() < 64 ? (Object) b.longValue() : b;
    }
    if (n.isNumber()) {
      return n.doubleValue();
    }
    if (n.isBoolean()) {
      return n.booleanValue();
    }
    if (n.isNull()) {
      return null;
    }
    return n.asText();
  }

  /** Decoded values made comparable with {@link #plain}: byte[] content kept, but as a hex-tagged string. */
  public static Object comparable(Object v) {
    if (v instanceof byte[] b) {
      return "hex:" + HexFormat.of().formatHex(b);
    }
    if (v instanceof Map<?, ?> m) {
      Map<String, Object> out = new LinkedHashMap<>();
      m.forEach((k, x) -> out.put(String.valueOf(k), comparable(x)));
      return out;
    }
    if (v instanceof List<?> l) {
      List<Object> out = new ArrayList<>();
      l.forEach(x -> out.add(comparable(x)));
      return out;
    }
    if (v instanceof Integer i) {
      return (long) i;
    }
    return v;
  }

  public static String utf8(byte[] b) {
    return new String(b, StandardCharsets.UTF_8);
  }
}
