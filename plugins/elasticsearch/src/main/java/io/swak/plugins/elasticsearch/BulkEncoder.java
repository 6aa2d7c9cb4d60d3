package io.swak.plugins.elasticsearch;

import io.swak.api.Batch;
import io.swak.api.MsgpackException;
import io.swak.api.MsgpackReader;
import io.swak.plugins.elasticsearch.ElasticsearchPlugin.Dedot;
import io.swak.plugins.elasticsearch.JsonOut.Msgpack;
import java.nio.charset.StandardCharsets;
import java.time.LocalDateTime;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Turns a batch into the NDJSON of bulk requests: per event an action line ({@code {"create":{"_index":…}}}) and
 * the record as JSON with the event's time under {@code time_key}, straight from the msgpack bytes. The body of a
 * batch is one array, cut into requests of at most {@code bulk_bytes} and {@code bulk_actions}. Not thread-safe:
 * the runtime calls an output's send on one thread.
 */
final class BulkEncoder {

  /** The bulk bodies of one batch, and which entry each document is. */
  static final class Bulk {
    final Batch batch;
    byte[] body;
    /** Offset in the batch of each entry, and the batch's length after the last. */
    int[] entryStart;
    /** Entry index of each document, in body order. */
    int[] docEntry;
    int docs;
    /** Requests as {bodyStart, bodyEnd, firstDoc, docCount}. */
    final List<int[]> requests = new ArrayList<>();
    /** Entries that could not be made a document (not a map), by entry index, with why. */
    final Map<Integer, String> unfit = new LinkedHashMap<>();

    Bulk(Batch batch) {
      this.batch = batch;
    }

    int entries() {
      return batch.count();
    }
  }

  private final IndexTemplate index;
  private final byte[] action;
  private final byte[] idKey;
  private final String idKeyText;
  private final String routingKeyText;
  private final boolean generateId;
  private final Dedot dedot;
  private final byte[] timeKey;
  private final byte[] tagKey;
  private final long bulkBytes;
  private final int bulkActions;
  private final EventId ids = new EventId();

  // caches: the index name for a tag and time bucket, the action line for that name, the time text for a second
  private String cachedTag;
  private long cachedBucket = Long.MIN_VALUE;
  private String cachedIndex;
  private byte[] cachedAction;
  private long cachedSecond = Long.MIN_VALUE;
  private final byte[] timePrefix;
  private int timePrefixLen;

  BulkEncoder(ElasticsearchPlugin.Options o) {
    this.index = o.indexTemplate();
    this.action = JsonOut.bytes("{\"" + o.action().name().toLowerCase(java.util.Locale.ROOT) + "\":{\"_index\":");
    this.idKeyText = o.idKey() == null || o.idKey().isEmpty() ? null : o.idKey();
    this.idKey = idKeyText == null ? null : JsonOut.bytes(idKeyText);
    this.routingKeyText = o.routingKey() == null || o.routingKey().isEmpty() ? null : o.routingKey();
    this.generateId = o.generateId();
    this.dedot = o.dedot();
    this.timeKey = o.timeKey().isEmpty() ? null : JsonOut.bytes(o.timeKey());
    this.tagKey = o.tagKey() == null || o.tagKey().isEmpty() ? null : JsonOut.bytes(o.tagKey());
    this.bulkBytes = o.bulkBytes().bytes();
    this.bulkActions = o.bulkActions();
    this.timePrefix = new byte[(timeKey == null ? 0 : timeKey.length * 6) + 48];
  }

  /** Whether the action line depends on the record (then the document is written first, aside). */
  private boolean perRecordAction() {
    return idKeyText != null || routingKeyText != null || generateId || index.usesRecord();
  }

  /** Encodes {@code batch} into {@code reuse} (or a larger array). Malformed msgpack throws {@link MsgpackException}. */
  Bulk encode(Batch batch, byte[] reuse) {
    Bulk bulk = new Bulk(batch);
    int n = batch.count();
    bulk.entryStart = new int[n + 1];
    bulk.docEntry = new int[n];
    JsonOut out = new JsonOut(reuse != null ? reuse : new byte[Math.max(4096, batch.length() * 2)]);
    JsonOut aside = perRecordAction() ? new JsonOut(4096) : null;
    Map<Long, Integer> seen = generateId ? new HashMap<>() : null;
    byte[] d = batch.data();
    int end = batch.length();
    int p = 0;
    int requestStart = 0;
    int requestFirstDoc = 0;
    for (int e = 0; e < n; e++) {
      if (p >= end) {
        throw new MsgpackException("the batch holds " + e + " entries, not " + n, p);
      }
      bulk.entryStart[e] = p;
      long time = entryTime(d, p, end);
      int record = headEnd;
      long map = Msgpack.map(d, record, end);
      if (map < 0) {
        p = Msgpack.skip(d, record, end);
        bulk.unfit.put(e, "the record is not a map, so it cannot be a document");
        continue;
      }
      int docMark = out.len;
      int recordEnd;
      if (aside == null) {
        out.raw(actionLine(batch.tag(), time));
        recordEnd = document(out, d, record, end, map, time, batch.tag());
      } else {
        aside.len = 0;
        recordEnd = document(aside, d, record, end, map, time, batch.tag());
        writeAction(out, batch.tag(), time, d, record, recordEnd, seen);
        out.raw(aside.buf, 0, aside.len);
      }
      out.raw((byte) '\n');
      p = recordEnd;
      int docs = bulk.docs;
      // a request full: this document starts the next one
      if (docs > requestFirstDoc && (out.len - requestStart > bulkBytes || docs - requestFirstDoc >= bulkActions)) {
        bulk.requests.add(new int[] {requestStart, docMark, requestFirstDoc, docs - requestFirstDoc});
        requestStart = docMark;
        requestFirstDoc = docs;
      }
      bulk.docEntry[bulk.docs++] = e;
    }
    if (p != end) {
      throw new MsgpackException("the batch holds more than its " + n + " entries", p);
    }
    bulk.entryStart[n] = end;
    if (bulk.docs > requestFirstDoc) {
      bulk.requests.add(new int[] {requestStart, out.len, requestFirstDoc, bulk.docs - requestFirstDoc});
    }
    bulk.body = out.buf;
    return bulk;
  }

  // ---- entry heads ----------------------------------------------------------------------------------

  /** Where the record of the entry whose time {@link #entryTime} read last starts. */
  private int headEnd;

  /** The time of the entry at {@code p}; leaves the record's position in {@link #headEnd}. */
  private long entryTime(byte[] d, int p, int end) {
    if (end - p >= 12 && d[p] == (byte) 0x92 && d[p + 1] == (byte) 0xd7 && d[p + 2] == 0) {
      headEnd = p + 11;
      return u32(d, p + 3) * 1_000_000_000L + u32(d, p + 7);
    }
    MsgpackReader in = new MsgpackReader(d, p, end - p); // the other forms EntryReader accepts
    int n = in.readArrayHeader();
    if (n != 2) {
      throw new MsgpackException("an entry must be [time, record], got an array of " + n, p);
    }
    long t;
    if (in.nextType() == MsgpackReader.Type.ARRAY) {
      int m = in.readArrayHeader();
      if (m < 1) {
        throw new MsgpackException("empty [time, metadata] array", p);
      }
      t = in.readTime();
      for (int i = 1; i < m; i++) {
        in.skipValue();
      }
    } else {
      t = in.readTime();
    }
    headEnd = in.position();
    return t;
  }

  private static long u32(byte[] d, int p) {
    return ((d[p] & 0xffL) << 24) | ((d[p + 1] & 0xff) << 16) | ((d[p + 2] & 0xff) << 8) | (d[p + 3] & 0xff);
  }

  // ---- documents ------------------------------------------------------------------------------------

  private static final byte[] DOT_TO_UNDERSCORE = {'_'};

  /** Writes the record at {@code record} (a map: {@code map} as {@link Msgpack#map}) as a document; returns its end. */
  private int document(JsonOut out, byte[] d, int record, int end, long map, long time, String tag) {
    if (dedot == Dedot.NESTED) {
      return nestedDocument(out, d, record, end, time, tag);
    }
    byte[] dotTo = dedot == Dedot.UNDERSCORE ? DOT_TO_UNDERSCORE : null;
    int pairs = (int) map;
    int p = (int) (map >>> 32);
    boolean hasTime = timeKey == null;
    boolean hasTag = tagKey == null;
    out.raw((byte) '{');
    for (int i = 0; i < pairs; i++) {
      if (i > 0) {
        out.raw((byte) ',');
      }
      long k = Msgpack.str(d, p, end);
      if (k >= 0) {
        int ks = (int) (k >>> 32);
        int kn = (int) k;
        hasTime = hasTime || equal(d, ks, kn, timeKey);
        hasTag = hasTag || equal(d, ks, kn, tagKey);
      }
      p = out.key(d, p, end, dotTo);
      out.raw((byte) ':');
      p = out.value(d, p, end, 1, dotTo);
    }
    extraFields(out, pairs > 0, hasTime, hasTag, time, tag);
    out.raw((byte) '}');
    return p;
  }

  /** The event's time and tag after the record's fields, for those the record does not have. */
  private void extraFields(JsonOut out, boolean comma, boolean hasTime, boolean hasTag, long time, String tag) {
    if (!hasTime) {
      if (comma) {
        out.raw((byte) ',');
      }
      time(out, time);
      comma = true;
    }
    if (!hasTag) {
      if (comma) {
        out.raw((byte) ',');
      }
      out.string(tagKey, 0, tagKey.length);
      out.raw((byte) ':');
      out.string(tag);
    }
  }

  private static boolean equal(byte[] d, int s, int n, byte[] key) {
    return key != null && n == key.length && Arrays.equals(d, s, s + n, key, 0, n);
  }

  /** {@code "<time_key>":"2026-01-02T03:04:05.123456789Z"}; the part up to the second is cached. */
  private void time(JsonOut out, long t) {
    long sec = Math.floorDiv(t, 1_000_000_000L);
    if (sec != cachedSecond) {
      JsonOut o = new JsonOut(64);
      o.string(timeKey, 0, timeKey.length);
      LocalDateTime dt = LocalDateTime.ofEpochSecond(sec, 0, ZoneOffset.UTC);
      o.ascii(":\"");
      int y = dt.getYear();
      if (y < 0 || y > 9999) {
        o.ascii(Integer.toString(y)); // out of RFC 3339's range: the node refuses it with a reason
      } else {
        o.digits(y, 4);
      }
      o.raw((byte) '-');
      o.digits(dt.getMonthValue(), 2);
      o.raw((byte) '-');
      o.digits(dt.getDayOfMonth(), 2);
      o.raw((byte) 'T');
      o.digits(dt.getHour(), 2);
      o.raw((byte) ':');
      o.digits(dt.getMinute(), 2);
      o.raw((byte) ':');
      o.digits(dt.getSecond(), 2);
      o.raw((byte) '.');
      System.arraycopy(o.buf, 0, timePrefix, 0, o.len);
      timePrefixLen = o.len;
      cachedSecond = sec;
    }
    out.raw(timePrefix, 0, timePrefixLen);
    out.digits(Math.floorMod(t, 1_000_000_000L), 9);
    out.raw((byte) 'Z');
    out.raw((byte) '"');
  }

  /** dedot nested: the record decoded, its dotted keys made nested maps, written back. */
  private int nestedDocument(JsonOut out, byte[] d, int record, int end, long time, String tag) {
    MsgpackReader in = new MsgpackReader(d, record, end - record);
    Object v = in.readValue();
    @SuppressWarnings("unchecked")
    Map<String, Object> nested = nest((Map<String, Object>) v);
    boolean hasTime = timeKey == null || nested.containsKey(new String(timeKey, StandardCharsets.UTF_8));
    boolean hasTag = tagKey == null || nested.containsKey(new String(tagKey, StandardCharsets.UTF_8));
    out.javaValue(nested);
    out.len--; // reopen the object for the extra fields
    extraFields(out, !nested.isEmpty(), hasTime, hasTag, time, tag);
    out.raw((byte) '}');
    return in.position();
  }

  /**
   * {@code {"a.b": 1, "a.c": 2}} → {@code {"a": {"b": 1, "c": 2}}}, in nested maps too. A path that runs into a
   * value that is not a map (both {@code a: 1} and {@code a.b: 2}) keeps its key with underscores ({@code a_b}).
   */
  @SuppressWarnings("unchecked")
  static Map<String, Object> nest(Map<String, Object> m) {
    Map<String, Object> out = new LinkedHashMap<>();
    for (Map.Entry<String, Object> e : m.entrySet()) {
      Object v = e.getValue() instanceof Map<?, ?> sub ? nest((Map<String, Object>) sub) : e.getValue();
      String k = e.getKey();
      if (k.indexOf('.') < 0 || k.startsWith(".") || k.endsWith(".") || k.contains("..")) {
        merge(out, k.indexOf('.') < 0 ? k : k.replace('.', '_'), v);
        continue;
      }
      String[] path = k.split("\\.");
      Map<String, Object> at = out;
      boolean blocked = false;
      for (int i = 0; i < path.length - 1 && !blocked; i++) {
        Object next = at.get(path[i]);
        if (next == null) {
          Map<String, Object> created = new LinkedHashMap<>();
          at.put(path[i], created);
          at = created;
        } else if (next instanceof Map<?, ?> nm) {
          at = (Map<String, Object>) nm;
        } else {
          blocked = true;
        }
      }
      if (blocked || at.containsKey(path[path.length - 1]) && !(v instanceof Map)) {
        merge(out, k.replace('.', '_'), v);
      } else {
        merge(at, path[path.length - 1], v);
      }
    }
    return out;
  }

  @SuppressWarnings("unchecked")
  private static void merge(Map<String, Object> into, String k, Object v) {
    Object old = into.get(k);
    if (old instanceof Map<?, ?> om && v instanceof Map<?, ?> vm) {
      for (Map.Entry<?, ?> e : vm.entrySet()) {
        merge((Map<String, Object>) om, String.valueOf(e.getKey()), e.getValue());
      }
    } else if (old == null || !(old instanceof Map)) {
      into.put(k, v);
    } else {
      into.put(k.replace('.', '_') + "_", v); // a value where a map of the same name is: kept beside it
    }
  }

  // ---- action lines ---------------------------------------------------------------------------------

  /** The action line when it depends on tag and time only (cached for the index's time unit). */
  private byte[] actionLine(String tag, long time) {
    String name = indexName(tag, time, null, 0, 0);
    if (cachedAction == null || !name.equals(cachedIndexOfAction)) {
      JsonOut o = new JsonOut(64 + name.length() * 2);
      o.raw(action);
      o.string(name);
      o.ascii("}}\n");
      cachedAction = Arrays.copyOf(o.buf, o.len);
      cachedIndexOfAction = name;
    }
    return cachedAction;
  }

  private String cachedIndexOfAction;

  private String indexName(String tag, long time, byte[] d, int record, int end) {
    if (index.usesRecord()) {
      return index.render(tag, time, (dotted, path) -> fieldText(d, record, end, dotted, path));
    }
    long g = index.granularity();
    long bucket = g == 0 ? 0 : Math.floorDiv(Math.floorDiv(time, 1_000_000_000L), g);
    if (bucket != cachedBucket || !tag.equals(cachedTag)) {
      cachedIndex = index.render(tag, time, null);
      cachedBucket = bucket;
      cachedTag = tag;
    }
    return cachedIndex;
  }

  /** An action line that depends on the record: its _id, routing, or index fields. */
  private void writeAction(JsonOut out, String tag, long time, byte[] d, int record, int recordEnd,
      Map<Long, Integer> seen) {
    out.raw(action);
    out.string(indexName(tag, time, d, record, recordEnd));
    if (generateId) {
      ids.compute(tag, time, 0, d, record, recordEnd - record);
      Integer before = seen.merge(ids.h1 ^ ids.h2, 1, Integer::sum);
      if (before > 1) { // identical events in one batch: each keeps a document of its own
        ids.compute(tag, time, before - 1, d, record, recordEnd - record);
      }
      out.ascii(",\"_id\":\"");
      out.ensure(24);
      out.len = ids.write(out.buf, out.len);
      out.raw((byte) '"');
    } else if (idKeyText != null) {
      String id = fieldText(d, record, recordEnd, idKeyText, idKeyText.split("\\."));
      if (id != null && !id.isEmpty()) {
        out.ascii(",\"_id\":");
        out.string(id.length() > 512 ? id.substring(0, 512) : id); // the node's limit is 512 bytes
      }
    }
    if (routingKeyText != null) {
      String r = fieldText(d, record, recordEnd, routingKeyText, routingKeyText.split("\\."));
      if (r != null && !r.isEmpty()) {
        out.ascii(",\"routing\":");
        out.string(r);
      }
    }
    out.ascii("}}\n");
  }

  /**
   * The text of a record field: the key as written (dots and all), else the dotted path into nested maps. Strings,
   * numbers and booleans have a text; maps, arrays and nil do not (null).
   */
  static String fieldText(byte[] d, int record, int end, String dotted, String[] path) {
    int v = find(d, record, end, JsonOut.bytes(dotted));
    if (v < 0 && path.length > 1) {
      v = record;
      for (String segment : path) {
        v = find(d, v, end, JsonOut.bytes(segment));
        if (v < 0) {
          return null;
        }
      }
    }
    if (v < 0) {
      return null;
    }
    long s = Msgpack.str(d, v, end);
    if (s >= 0) {
      return new String(d, (int) (s >>> 32), (int) s, StandardCharsets.UTF_8);
    }
    MsgpackReader in = new MsgpackReader(d, v, end - v);
    return switch (in.nextType()) {
      case INTEGER -> String.valueOf(in.readValue());
      case FLOAT -> {
        double x = in.readDouble();
        yield x == Math.rint(x) && Math.abs(x) < 1e15 ? Long.toString((long) x) : Double.toString(x);
      }
      case BOOLEAN -> String.valueOf(in.readBoolean());
      default -> null;
    };
  }

  /** Position of the value of {@code key} in the map at {@code map}; -1 when absent or not a map. */
  private static int find(byte[] d, int map, int end, byte[] key) {
    long m = Msgpack.map(d, map, end);
    if (m < 0) {
      return -1;
    }
    int p = (int) (m >>> 32);
    for (int i = 0; i < (int) m; i++) {
      long k = Msgpack.str(d, p, end);
      boolean match = k >= 0 && equal(d, (int) (k >>> 32), (int) k, key);
      p = Msgpack.skip(d, p, end);
      if (match) {
        return p;
      }
      p = Msgpack.skip(d, p, end);
    }
    return -1;
  }
}
