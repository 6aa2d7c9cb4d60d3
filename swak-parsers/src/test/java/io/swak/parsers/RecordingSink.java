package io.swak.parsers;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.msgpack.core.MessagePack;
import org.msgpack.core.MessageUnpacker;
import org.msgpack.value.Value;

/** A sink that keeps what it is told as Java values; nested msgpack is decoded with msgpack-core. */
class RecordingSink implements FieldSink {

  /** A field as reported: key, Java value, and for strings the bytes as they came. */
  record Field(String key, Object value, byte[] raw) {}

  final List<Field> fields = new ArrayList<>();
  final List<Long> times = new ArrayList<>();

  static String text(byte[] b, int off, int len) {
    return new String(b, off, len, StandardCharsets.UTF_8);
  }

  @Override
  public void string(byte[] key, int keyOff, int keyLen, byte[] v, int off, int len) {
    fields.add(new Field(text(key, keyOff, keyLen), text(v, off, len), Arrays.copyOfRange(v, off, off + len)));
  }

  @Override
  public void integer(byte[] key, int keyOff, int keyLen, long v) {
    fields.add(new Field(text(key, keyOff, keyLen), v, null));
  }

  @Override
  public void real(byte[] key, int keyOff, int keyLen, double v) {
    fields.add(new Field(text(key, keyOff, keyLen), v, null));
  }

  @Override
  public void bool(byte[] key, int keyOff, int keyLen, boolean v) {
    fields.add(new Field(text(key, keyOff, keyLen), v, null));
  }

  @Override
  public void nil(byte[] key, int keyOff, int keyLen) {
    fields.add(new Field(text(key, keyOff, keyLen), null, null));
  }

  @Override
  public void msgpack(byte[] key, int keyOff, int keyLen, byte[] v, int off, int len) {
    fields.add(new Field(text(key, keyOff, keyLen), decode(v, off, len), Arrays.copyOfRange(v, off, off + len)));
  }

  @Override
  public void time(long epochNanos) {
    times.add(epochNanos);
  }

  /** The fields as a map (the last of a repeated key wins). */
  Map<String, Object> map() {
    Map<String, Object> m = new LinkedHashMap<>();
    for (Field f : fields) {
      m.put(f.key(), f.value());
    }
    return m;
  }

  List<String> keys() {
    return fields.stream().map(Field::key).toList();
  }

  Field field(String key) {
    return fields.stream().filter(f -> f.key().equals(key)).findFirst()
        .orElseThrow(() -> new AssertionError("no field " + key + " in " + fields));
  }

  Object get(String key) {
    return field(key).value();
  }

  long time() {
    if (times.size() != 1) {
      throw new AssertionError("expected one time, got " + times);
    }
    return times.get(0);
  }

  /** One msgpack value, checked to be exactly one (nothing left over). */
  static Object decode(byte[] v, int off, int len) {
    try (MessageUnpacker u = MessagePack.newDefaultUnpacker(v, off, len)) {
      Value value = u.unpackValue();
      if (u.hasNext()) {
        throw new AssertionError("more than one msgpack value");
      }
      return java(value);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  static Object java(Value v) {
    return switch (v.getValueType()) {
      case NIL -> null;
      case BOOLEAN -> v.asBooleanValue().getBoolean();
      case INTEGER -> v.asIntegerValue().toLong();
      case FLOAT -> v.asFloatValue().toDouble();
      case STRING -> new String(v.asStringValue().asByteArray(), StandardCharsets.UTF_8); // lenient
      case BINARY -> v.asBinaryValue().asByteArray();
      case ARRAY -> {
        List<Object> l = new ArrayList<>();
        v.asArrayValue().forEach(e -> l.add(java(e)));
        yield l;
      }
      case MAP -> {
        Map<Object, Object> m = new LinkedHashMap<>();
        v.asMapValue().map().forEach((k, e) -> m.put(java(k), java(e)));
        yield m;
      }
      case EXTENSION -> throw new AssertionError("extension value");
    };
  }
}
