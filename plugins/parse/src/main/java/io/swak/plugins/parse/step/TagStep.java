package io.swak.plugins.parse.step;

import io.swak.api.Ack;
import io.swak.api.Batch;
import io.swak.api.EntryReader;
import io.swak.api.MsgpackException;
import io.swak.api.Stage;
import io.swak.api.StepContext;
import io.swak.support.RecordWriter;
import io.swak.support.TextBuffer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The tag step: fills the template per event and groups the entries by their new tag, each group a batch of its
 * own (entries copied as they are); the batch's ack is split so it completes when every group is done. A template
 * of the tag alone is filled once per batch.
 */
final class TagStep implements Stage {

  private final Template template;
  private final boolean keepOriginal;
  private final TextBuffer text = new TextBuffer();
  private final Map<String, RecordWriter> groups = new LinkedHashMap<>();
  private byte[] lastBytes = new byte[0];
  private String lastTag;
  private StepContext context;

  TagStep(TagPlugin.Options o) {
    this.template = Template.parse(o.tag());
    this.keepOriginal = o.keepOriginal();
  }

  @Override
  public void start(StepContext ctx) {
    this.context = ctx;
  }

  @Override
  public void accept(Batch batch, Emitter next) throws Exception {
    if (template.tagOnly()) {
      String t = tagOf(batch.tag(), 0, null, 0, 0);
      emit(keepOriginal ? List.of(batch, batch.withTag(t)) : List.of(batch.withTag(t)), batch.ack(), next);
      return;
    }
    groups.values().forEach(RecordWriter::reset);
    byte[] d = batch.data();
    EntryReader entries = new EntryReader(d, 0, batch.length());
    int entryStart = 0;
    while (entries.hasNext()) {
      entries.next();
      int rs = entries.recordStart();
      int re = entries.recordEnd();
      String t;
      try {
        t = tagOf(batch.tag(), entries.timeNanos(), d, rs, re);
      } catch (MsgpackException e) {
        context.metrics().count("malformed_records", 1);
        t = batch.tag();
      }
      groups.computeIfAbsent(t, k -> new RecordWriter()).entries(d, entryStart, re - entryStart, 1);
      entryStart = re;
    }
    List<Batch> out = new ArrayList<>();
    if (keepOriginal) {
      out.add(batch);
    }
    for (Map.Entry<String, RecordWriter> g : groups.entrySet()) {
      if (g.getValue().count() > 0) {
        out.add(g.getValue().build(g.getKey(), Ack.NONE));
      }
    }
    if (groups.size() > 64) {
      groups.clear(); // tags from a field of many values: do not keep a writer per value for ever
    }
    emit(out, batch.ack(), next);
  }

  private void emit(List<Batch> out, Ack ack, Emitter next) throws Exception {
    if (out.size() == 1) {
      next.emit(out.get(0).withAck(ack));
      return;
    }
    Ack[] parts = Ack.split(ack, out.size());
    for (int i = 0; i < out.size(); i++) {
      next.emit(out.get(i).withAck(parts[i]));
    }
  }

  /** The new tag; a String is made only when the bytes differ from the last event's. */
  private String tagOf(String old, long time, byte[] d, int rs, int re) {
    template.fill(text.reset(), old, time, d, rs, re);
    if (text.length() == 0) {
      return old;
    }
    if (lastTag == null || !Arrays.equals(lastBytes, 0, lastBytes.length, text.array(), 0, text.length())) {
      lastBytes = Arrays.copyOf(text.array(), text.length());
      lastTag = new String(lastBytes, StandardCharsets.UTF_8);
    }
    return lastTag;
  }
}
