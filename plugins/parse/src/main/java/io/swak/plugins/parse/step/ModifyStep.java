package io.swak.plugins.parse.step;

import io.swak.api.Batch;
import io.swak.api.BatchBuilder;
import io.swak.api.EntryReader;
import io.swak.api.MsgpackException;
import io.swak.api.Processor;
import io.swak.api.StepContext;
import io.swak.parsers.MsgpackWriter;
import io.swak.support.FieldPath;
import io.swak.support.RecordBytes;
import io.swak.support.RecordWriter;
import io.swak.support.TextBuffer;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;

/**
 * The modify step. Each record's top-level pairs are listed as byte ranges (key and value, both msgpack); the
 * changes edit that list — a rename points a pair at another key, a removal marks it, a set adds a value written
 * to a scratch buffer — and the new record is written once from it. Values that are not touched are copied as
 * the bytes they were.
 */
final class ModifyStep implements Processor {

  /** A value written in the configuration: constant bytes, or a template filled per event. */
  private record Setting(byte[] key, byte[] constant, Template template) { }

  private final byte[][] lift;
  private final byte[][] renameFrom;
  private final byte[][] renameTo;
  private final FieldPath[] copyFrom;
  private final byte[][] copyTo;
  private final byte[][] remove;
  private final byte[][] keepOnly;
  private final Setting[] setIfMissing;
  private final Setting[] set;
  /** nest: the new map's key, the names moved (exact ones, and prefixes of `prefix*`), the prefix taken off. */
  private final byte[] nestUnder;
  private final byte[][] nestNames;
  private final boolean[] nestIsPrefix;
  private final byte[] nestRemovePrefix;
  private final MsgpackWriter nested = new MsgpackWriter(256);

  private final RecordWriter out = new RecordWriter();
  private final MsgpackWriter scratch = new MsgpackWriter(256);
  private final TextBuffer text = new TextBuffer();
  private StepContext context;

  // the pairs of the record being changed: key and value as [array, offset, length]; array null = scratch
  private int n;
  private byte[][] ka = new byte[32][];
  private int[] ko = new int[32];
  private int[] kl = new int[32];
  private byte[][] va = new byte[32][];
  private int[] vo = new int[32];
  private int[] vl = new int[32];
  private boolean[] dead = new boolean[32];

  ModifyStep(ModifyPlugin.Options o) {
    lift = names("lift", o.lift());
    renameFrom = names("rename", o.rename() == null ? null : List.copyOf(o.rename().keySet()));
    renameTo = names("rename", o.rename() == null ? null : List.copyOf(o.rename().values()));
    copyFrom = o.copy() == null ? new FieldPath[0] : o.copy().keySet().stream().map(FieldPath::parse)
        .toArray(FieldPath[]::new);
    copyTo = names("copy", o.copy() == null ? null : List.copyOf(o.copy().values()));
    remove = names("remove", o.remove());
    keepOnly = o.keepOnly() == null || o.keepOnly().isEmpty() ? null : names("keep_only", o.keepOnly());
    setIfMissing = settings("set_if_missing", o.setIfMissing());
    set = settings("set", o.set());
    ModifyPlugin.Nest nest = o.nest();
    nestUnder = nest == null ? null : ModifyPlugin.Options.topLevel("nest.under", nest.under());
    List<String> keys = nest == null ? List.of() : nest.keys();
    nestNames = new byte[keys.size()][];
    nestIsPrefix = new boolean[keys.size()];
    for (int i = 0; i < keys.size(); i++) {
      String k = keys.get(i);
      nestIsPrefix[i] = k.endsWith("*");
      nestNames[i] = nestIsPrefix[i] ? k.substring(0, k.length() - 1).getBytes(StandardCharsets.UTF_8)
          : ModifyPlugin.Options.topLevel("nest.keys", k);
    }
    nestRemovePrefix = nest == null || nest.removePrefix() == null ? null
        : nest.removePrefix().getBytes(StandardCharsets.UTF_8);
  }

  private static byte[][] names(String option, List<String> names) {
    if (names == null) {
      return new byte[0][];
    }
    return names.stream().map(s -> ModifyPlugin.Options.topLevel(option, s)).toArray(byte[][]::new);
  }

  private static Setting[] settings(String option, Map<String, Object> m) {
    if (m == null) {
      return new Setting[0];
    }
    List<Setting> out = new ArrayList<>();
    for (Map.Entry<String, Object> e : m.entrySet()) {
      byte[] key = ModifyPlugin.Options.topLevel(option, e.getKey());
      Object v = e.getValue();
      if (v instanceof String s && s.contains("${")) {
        out.add(new Setting(key, null, Template.parse(s)));
      } else {
        out.add(new Setting(key, BatchBuilder.packValue(v), null));
      }
    }
    return out.toArray(new Setting[0]);
  }

  @Override
  public void start(StepContext ctx) {
    this.context = ctx;
  }

  @Override
  public Batch process(Batch batch) throws IOException {
    byte[] d = batch.data();
    out.reset();
    EntryReader entries = new EntryReader(d, 0, batch.length());
    int entryStart = 0;
    long bad = 0;
    while (entries.hasNext()) {
      entries.next();
      int rs = entries.recordStart();
      int re = entries.recordEnd();
      try {
        out.beginEntry(entries.timeNanos());
        change(batch.tag(), entries.timeNanos(), d, rs, re);
        out.endEntry();
      } catch (MsgpackException e) {
        out.abortEntry();
        out.entries(d, entryStart, re - entryStart, 1); // passed on as it came: nothing is lost
        bad++;
      }
      entryStart = re;
    }
    if (bad > 0) {
      context.metrics().count("malformed_records", bad);
    }
    return out.build(batch.tag(), batch.ack());
  }

  private void change(String tag, long time, byte[] d, int rs, int re) {
    scratch.reset();
    n = 0;
    list(d, rs, re);
    for (byte[] name : lift) {
      int i = find(name);
      if (i >= 0 && va[i] != null && RecordBytes.isMap(va[i], vo[i], vo[i] + vl[i])) {
        dead[i] = true;
        int before = n;
        list(va[i], vo[i], vo[i] + vl[i]);
        for (int j = before; j < n; j++) {
          replaceOthers(j);
        }
      }
    }
    for (int r = 0; r < renameFrom.length; r++) {
      int i = find(renameFrom[r]);
      if (i >= 0) {
        setKey(i, renameTo[r]);
        replaceOthers(i);
      }
    }
    for (int c = 0; c < copyFrom.length; c++) {
      if (copyFrom[c].size() == 1 && copyFrom[c].isKey(0)) {
        int i = find(copyFrom[c].key(0));
        if (i >= 0) {
          add(copyTo[c], va[i], vo[i], vl[i]);
        }
      } else {
        int v = RecordBytes.find(d, rs, re, copyFrom[c]);
        if (v >= 0) {
          add(copyTo[c], d, v, RecordBytes.skip(d, v, re) - v);
        }
      }
    }
    for (byte[] name : remove) {
      removeAll(name);
    }
    if (keepOnly != null) {
      for (int i = 0; i < n; i++) {
        if (!dead[i] && !listed(keepOnly, i)) {
          dead[i] = true;
        }
      }
    }
    for (Setting s : setIfMissing) {
      if (find(s.key) < 0) {
        setValue(s, tag, time, d, rs, re);
      }
    }
    for (Setting s : set) {
      setValue(s, tag, time, d, rs, re);
    }
    if (nestUnder != null) {
      nest();
    }
    write();
  }

  /** Moves the live pairs nest names into one map, written once into the scratch buffer, under nest.under. */
  private void nest() {
    nested.reset();
    int mark = nested.openContainer();
    int count = 0;
    for (int i = 0; i < n; i++) {
      if (dead[i] || !RecordBytes.isString(ka[i], ko[i], ko[i] + kl[i])) {
        continue;
      }
      byte[] a = ka[i];
      int s = RecordBytes.stringStart(a, ko[i]);
      int len = RecordBytes.stringLength(a, ko[i], ko[i] + kl[i]);
      if (!nestMatches(a, s, len)) {
        continue;
      }
      if (nestRemovePrefix != null && len > nestRemovePrefix.length
          && Arrays.equals(a, s, s + nestRemovePrefix.length, nestRemovePrefix, 0, nestRemovePrefix.length)) {
        nested.string(a, s + nestRemovePrefix.length, len - nestRemovePrefix.length);
      } else {
        nested.raw(a, ko[i], kl[i]);
      }
      nested.raw(va[i] == null ? scratch.bytes() : va[i], vo[i], vl[i]);
      dead[i] = true;
      count++;
    }
    if (count == 0) {
      return; // nothing to move: no empty map either
    }
    nested.closeMap(mark, count);
    int at = scratch.length();
    scratch.raw(nested.bytes(), 0, nested.length());
    add(nestUnder, null, at, scratch.length() - at);
  }

  private boolean nestMatches(byte[] a, int s, int len) {
    for (int k = 0; k < nestNames.length; k++) {
      byte[] name = nestNames[k];
      if (nestIsPrefix[k] ? len >= name.length && Arrays.equals(a, s, s + name.length, name, 0, name.length)
          : len == name.length && Arrays.equals(a, s, s + len, name, 0, len)) {
        return true;
      }
    }
    return false;
  }

  /** Appends the pairs of the map at {@code d[p, end)} to the list. */
  private void list(byte[] d, int p, int end) {
    int count = RecordBytes.mapSize(d, p, end);
    int q = p + RecordBytes.headerSize(d[p] & 0xff);
    for (int i = 0; i < count; i++) {
      int k = q;
      int v = RecordBytes.skip(d, k, end);
      q = RecordBytes.skip(d, v, end);
      grow();
      ka[n] = d;
      ko[n] = k;
      kl[n] = v - k;
      va[n] = d;
      vo[n] = v;
      vl[n] = q - v;
      dead[n] = false;
      n++;
    }
  }

  private void grow() {
    if (n == ka.length) {
      int m = n * 2;
      ka = Arrays.copyOf(ka, m);
      ko = Arrays.copyOf(ko, m);
      kl = Arrays.copyOf(kl, m);
      va = Arrays.copyOf(va, m);
      vo = Arrays.copyOf(vo, m);
      vl = Arrays.copyOf(vl, m);
      dead = Arrays.copyOf(dead, m);
    }
  }

  /** Whether pair {@code i}'s key is the string {@code name}. */
  private boolean keyIs(int i, byte[] name) {
    byte[] a = ka[i];
    int k = ko[i];
    int end = k + kl[i];
    if (!RecordBytes.isString(a, k, end)) {
      return false;
    }
    int s = RecordBytes.stringStart(a, k);
    int len = RecordBytes.stringLength(a, k, end);
    return len == name.length && Arrays.equals(a, s, s + len, name, 0, len);
  }

  /** The last live pair with key {@code name} (the one a decoded map would keep), or -1. */
  private int find(byte[] name) {
    for (int i = n - 1; i >= 0; i--) {
      if (!dead[i] && keyIs(i, name)) {
        return i;
      }
    }
    return -1;
  }

  private boolean listed(byte[][] names, int i) {
    for (byte[] name : names) {
      if (keyIs(i, name)) {
        return true;
      }
    }
    return false;
  }

  private void removeAll(byte[] name) {
    for (int i = 0; i < n; i++) {
      if (!dead[i] && keyIs(i, name)) {
        dead[i] = true;
      }
    }
  }

  /** Marks the other live pairs with pair {@code i}'s key dead: the new one replaces them. */
  private void replaceOthers(int i) {
    for (int j = 0; j < n; j++) {
      if (j != i && !dead[j] && kl[j] == kl[i]
          && Arrays.equals(ka[j], ko[j], ko[j] + kl[j], ka[i], ko[i], ko[i] + kl[i])) {
        dead[j] = true;
      }
    }
  }

  /** Names as msgpack strings, packed once: the names are the configuration's own arrays. */
  private final java.util.IdentityHashMap<byte[], byte[]> packedNames = new java.util.IdentityHashMap<>();

  private void setKey(int i, byte[] name) {
    byte[] packed = packedNames.computeIfAbsent(name,
        k -> BatchBuilder.packValue(new String(k, StandardCharsets.UTF_8)));
    ka[i] = packed;
    ko[i] = 0;
    kl[i] = packed.length;
  }

  private void add(byte[] name, byte[] v, int off, int len) {
    removeAll(name);
    grow();
    setKey(n, name);
    va[n] = v;
    vo[n] = off;
    vl[n] = len;
    dead[n] = false;
    n++;
  }

  private void setValue(Setting s, String tag, long time, byte[] d, int rs, int re) {
    if (s.constant != null) {
      add(s.key, s.constant, 0, s.constant.length);
      return;
    }
    FieldPath only = s.template.onlyField();
    if (only != null) {
      if (only.size() == 1 && only.isKey(0)) {
        int i = find(only.key(0));
        if (i >= 0) {
          add(s.key, va[i], vo[i], vl[i]);
        }
        return;
      }
      int v = RecordBytes.find(d, rs, re, only);
      if (v >= 0) {
        add(s.key, d, v, RecordBytes.skip(d, v, re) - v);
      }
      return; // a missing field sets nothing
    }
    s.template.fill(text.reset(), tag, time, d, rs, re, currentFields);
    int at = scratch.length();
    scratch.string(text.array(), 0, text.length());
    add(s.key, null, at, scratch.length() - at);
  }

  /** Top-level fields of a template come from the record as changed so far (a lifted or renamed field). */
  private final Template.Fields currentFields = (path, into) -> {
    if (path.size() != 1 || !path.isKey(0)) {
      return false;
    }
    int i = find(path.key(0));
    if (i < 0) {
      return true; // removed or never there: nothing, not the value the record came with
    }
    byte[] a = va[i] == null ? scratch.bytes() : va[i];
    RecordBytes.appendText(a, vo[i], vo[i] + vl[i], into);
    return true;
  };

  private void write() {
    int live = 0;
    for (int i = 0; i < n; i++) {
      if (!dead[i]) {
        live++;
      }
    }
    out.mapHeader(live);
    for (int i = 0; i < n; i++) {
      if (!dead[i]) {
        out.raw(ka[i], ko[i], kl[i]);
        out.raw(va[i] == null ? scratch.bytes() : va[i], vo[i], vl[i]);
      }
    }
  }
}
