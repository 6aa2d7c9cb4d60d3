package io.swak.plugins.parse.step;

import static io.swak.plugins.parse.step.GrepStepTest.rec;
import static io.swak.plugins.parse.step.GrepStepTest.seqs;
import static org.assertj.core.api.Assertions.assertThat;

import io.swak.api.Batch;
import io.swak.api.BatchBuilder;
import io.swak.core.testing.TestContext;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

/** The tag step: events regrouped by their new tag, the input's ack completed once every group is done. */
class TagStepTest {

  final List<Batch> emitted = new ArrayList<>();
  final AtomicInteger acked = new AtomicInteger();

  TagStep step(String tag, boolean keep) {
    TagStep s = new TagStep(new TagPlugin.Options(tag, keep));
    s.start(new TestContext());
    return s;
  }

  Batch batch(String... levels) {
    BatchBuilder b = new BatchBuilder();
    long seq = 1;
    for (String l : levels) {
      b.add(seq, l == null ? rec("seq", seq) : rec("seq", seq, "level", l));
      seq++;
    }
    return b.build("app", acked::incrementAndGet);
  }

  @Test
  void eventsAreGroupedByTheirNewTagAndTheAckCompletesWhenEveryGroupIsDone() throws Exception {
    step("app.${record.level}", false).accept(batch("info", "error", "info", null), emitted::add);
    assertThat(emitted).extracting(Batch::tag).containsExactly("app.info", "app.error", "app.");
    assertThat(seqs(emitted.get(0))).containsExactly(1L, 3L);
    assertThat(seqs(emitted.get(1))).containsExactly(2L);
    assertThat(seqs(emitted.get(2))).containsExactly(4L);
    emitted.get(0).ack().done();
    emitted.get(2).ack().done();
    assertThat(acked).hasValue(0);
    emitted.get(1).ack().done();
    assertThat(acked).hasValue(1);
  }

  @Test
  void aTagOnlyTemplateRetagsTheBatchWithoutCopyingAndKeepOriginalSendsBoth() throws Exception {
    Batch in = batch("info");
    step("copy.${tag}", false).accept(in, emitted::add);
    assertThat(emitted).singleElement().satisfies(b -> {
      assertThat(b.tag()).isEqualTo("copy.app");
      assertThat(b.data()).isSameAs(in.data());
    });
    emitted.get(0).ack().done();
    emitted.clear();
    step("x.${record.level}", true).accept(batch("warn"), emitted::add);
    assertThat(emitted).extracting(Batch::tag).containsExactly("app", "x.warn");
    emitted.forEach(b -> b.ack().done());
    assertThat(acked).hasValue(2); // the first test's batch and this one
  }
}
