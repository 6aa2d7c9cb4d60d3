package io.swak.plugins.parse.step;

import io.swak.api.Batch;
import io.swak.api.EntryReader;
import io.swak.api.MsgpackException;
import io.swak.api.Processor;
import io.swak.api.StepContext;
import io.swak.parsers.ByteRegex;
import io.swak.support.FieldPath;
import io.swak.support.RecordBytes;
import io.swak.support.RecordWriter;
import io.swak.support.TextBuffer;
import java.io.IOException;
import java.util.Map;

/**
 * The grep step: tests each entry's fields in place and copies the entries it keeps as they are. A batch it keeps
 * whole goes on unchanged (no copy).
 */
final class GrepStep implements Processor {

  private final FieldPath[] keepPaths;
  private final ByteRegex[] keepRegexes;
  private final FieldPath[] dropPaths;
  private final ByteRegex[] dropRegexes;
  private final boolean and;
  private final RecordWriter out = new RecordWriter();
  private final TextBuffer text = new TextBuffer();
  private StepContext context;
  /**
   * With one rule on one top-level field (the common grep): its key, found in the same walk over the record that
   * finds where the record ends (EntryReader would walk it once more); null otherwise.
   */
  private final byte[] soleKey;
  private final ByteRegex soleRegex;
  private final boolean soleKeeps;
  private final int[] mapEnd = new int[1];
  private boolean slow;

  GrepStep(GrepPlugin.Options o) {
    Map<String, String> keep = o.regex() == null ? Map.of() : o.regex();
    Map<String, String> drop = o.exclude() == null ? Map.of() : o.exclude();
    keepPaths = keep.keySet().stream().map(FieldPath::parse).toArray(FieldPath[]::new);
    keepRegexes = keep.values().stream().map(r -> ByteRegex.compile(r).orElseThrow()).toArray(ByteRegex[]::new);
    dropPaths = drop.keySet().stream().map(FieldPath::parse).toArray(FieldPath[]::new);
    dropRegexes = drop.values().stream().map(r -> ByteRegex.compile(r).orElseThrow()).toArray(ByteRegex[]::new);
    and = o.logicalOp() == GrepPlugin.LogicalOp.AND;
    FieldPath[] all = keepPaths.length > 0 ? keepPaths : dropPaths;
    boolean sole = keepPaths.length + dropPaths.length == 1 && all[0].size() == 1 && all[0].isKey(0);
    soleKey = sole ? all[0].key(0) : null;
    soleRegex = sole ? (keepPaths.length > 0 ? keepRegexes : dropRegexes)[0] : null;
    soleKeeps = keepPaths.length > 0;
  }

  @Override
  public void start(StepContext ctx) {
    this.context = ctx;
  }

  @Override
  public Batch process(Batch batch) throws IOException {
    if (soleKey != null) {
      Batch b = oneField(batch);
      if (!slow) {
        return b;
      }
    }
    byte[] d = batch.data();
    EntryReader entries = new EntryReader(d, 0, batch.length());
    int entryStart = 0;
    int kept = 0;
    int dropped = 0;
    // entries are copied only once one is dropped: until then the kept ones are the batch's first bytes
    int keptPrefixEnd = 0;
    out.reset();
    while (entries.hasNext()) {
      entries.next();
      int rs = entries.recordStart();
      int re = entries.recordEnd();
      boolean keep = keeps(d, rs, re);
      if (keep) {
        kept++;
        if (dropped == 0) {
          keptPrefixEnd = re;
        } else {
          out.entries(d, entryStart, re - entryStart, 1);
        }
      } else {
        if (dropped == 0) {
          out.entries(d, 0, keptPrefixEnd, kept);
        }
        dropped++;
      }
      entryStart = re;
    }
    if (dropped > 0) {
      context.metrics().count("filtered", dropped);
    }
    if (dropped == 0) {
      return batch;
    }
    if (kept == 0) {
      return null;
    }
    return out.build(batch.tag(), batch.ack());
  }

  /**
   * One rule on one top-level field, for batches of entries in the form BatchBuilder writes ({@code [EventTime,
   * record]}): the field and the record's end in one walk. Sets {@link #slow} (nothing counted, nothing kept) for
   * a batch with another form or a record it cannot read, which the general loop then takes.
   */
  private Batch oneField(Batch batch) {
    slow = false;
    byte[] d = batch.data();
    int end = batch.length();
    int p = 0;
    int kept = 0;
    int dropped = 0;
    int keptPrefixEnd = 0;
    long gaveUp = 0;
    out.reset();
    while (p < end) {
      if (end - p < 12 || d[p] != (byte) 0x92 || d[p + 1] != (byte) 0xd7 || d[p + 2] != 0) {
        slow = true;
        return null;
      }
      int rs = p + 11;
      int re;
      int r;
      try {
        if (!RecordBytes.isMap(d, rs, end)) {
          slow = true;
          return null;
        }
        int v = RecordBytes.findKey(d, rs, end, soleKey, 0, soleKey.length, mapEnd);
        re = mapEnd[0];
        r = v < 0 ? ByteRegex.NOT_FOUND : test(soleRegex, d, v, re);
      } catch (MsgpackException e) {
        slow = true;
        return null;
      }
      if (r == ByteRegex.GAVE_UP) {
        gaveUp++;
      }
      boolean keep = (r == ByteRegex.FOUND) == soleKeeps;
      if (keep) {
        kept++;
        if (dropped == 0) {
          keptPrefixEnd = re;
        } else {
          out.entries(d, p, re - p, 1);
        }
      } else {
        if (dropped == 0) {
          out.entries(d, 0, keptPrefixEnd, kept);
        }
        dropped++;
      }
      p = re;
    }
    if (gaveUp > 0) {
      context.metrics().count("regex_gave_up", gaveUp);
    }
    if (dropped > 0) {
      context.metrics().count("filtered", dropped);
    }
    if (dropped == 0) {
      return batch;
    }
    return kept == 0 ? null : out.build(batch.tag(), batch.ack());
  }

  private boolean keeps(byte[] d, int rs, int re) {
    if (keepPaths.length > 0 && !rules(keepPaths, keepRegexes, d, rs, re)) {
      return false;
    }
    return dropPaths.length == 0 || !rules(dropPaths, dropRegexes, d, rs, re);
  }

  /** The rules combined: all of them (and) or any (or). */
  private boolean rules(FieldPath[] paths, ByteRegex[] regexes, byte[] d, int rs, int re) {
    for (int i = 0; i < paths.length; i++) {
      boolean m = matches(paths[i], regexes[i], d, rs, re);
      if (and && !m) {
        return false;
      }
      if (!and && m) {
        return true;
      }
    }
    return and;
  }

  /** The regex on the value at {@code v}: a string's bytes, another value as text; nil matches nothing. */
  private int test(ByteRegex regex, byte[] d, int v, int re) {
    if (RecordBytes.isNil(d, v, re)) {
      return ByteRegex.NOT_FOUND;
    }
    if (RecordBytes.isString(d, v, re)) {
      return regex.find(d, RecordBytes.stringStart(d, v), RecordBytes.stringLength(d, v, re));
    }
    RecordBytes.appendText(d, v, re, text.reset());
    return regex.find(text.array(), 0, text.length());
  }

  private boolean matches(FieldPath path, ByteRegex regex, byte[] d, int rs, int re) {
    try {
      int v = RecordBytes.find(d, rs, re, path);
      if (v < 0) {
        return false;
      }
      int r = test(regex, d, v, re);
      if (r == ByteRegex.GAVE_UP) {
        context.metrics().count("regex_gave_up", 1);
        return false;
      }
      return r == ByteRegex.FOUND;
    } catch (MsgpackException e) {
      context.metrics().count("malformed_records", 1);
      return false;
    }
  }
}
