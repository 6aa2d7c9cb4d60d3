package io.swak.plugins.parse.step;

import io.swak.api.Option;
import io.swak.api.Plugin;

/** {@code tag}: gives events a new tag from a template over their fields (Fluent Bit's rewrite_tag). */
public final class TagPlugin extends Plugin<TagPlugin.Options> {

  /** Options of tag. */
  public record Options(
      @Option(value = "The new tag: text with ${record.path}, ${tag} (the old one), ${hostname}, e.g. "
          + "app.${record.level}. A missing field adds nothing; an empty result keeps the old tag.", required = true)
      String tag,
      @Option(value = "Also pass each event on with its old tag (a copy with the new one goes on as well).",
          defaultValue = "false")
      boolean keepOriginal) {

    public Options {
      if (tag == null || tag.isBlank()) {
        throw new IllegalArgumentException("option `tag` is empty: give the new tag, e.g. app.${record.level}");
      }
      Template.parse(tag);
    }
  }

  public TagPlugin() {
    super("tag", "Rewrites the tag of events from a template over their fields (e.g. app.${record.level}); "
        + "events that get different tags go on as separate batches.", Options.class, TagStep::new,
        "rewrite_tag");
  }
}
