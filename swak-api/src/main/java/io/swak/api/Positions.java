package io.swak.api;

import java.io.IOException;
import java.nio.file.Path;
import java.util.Map;
import java.util.function.Supplier;

/**
 * Where an input resumes after a restart: a value per key (a file offset per followed file, the last
 * row id of a table, a journal cursor), kept by the runtime. An input reads what was saved when it
 * starts, then {@link #track tracks} each key: it says when the value may have {@linkplain
 * Position#changed changed}, and the runtime reads the value and saves it — atomically, about once a
 * second off the input's thread, and at the end when the step closes. Values are meant to follow
 * acknowledgements (see {@link AckWindow#committed}), so a crash repeats at most what was in flight.
 *
 * <p>One store belongs to one running input: a second one asking for the same store fails to start.
 */
public interface Positions {

  /** True when nothing was ever saved here: the input's very first start (e.g. where read_from_head applies). */
  boolean firstStart();

  /** The values saved by the last run, by key. */
  Map<String, String> saved();

  /**
   * Starts keeping {@code key} (letters, digits, {@code . _ -}; at most 200 characters). {@code value}
   * is read on the runtime's thread after each {@link Position#changed}, so it must be safe to call
   * from any thread; it returns null while there is nothing to save yet.
   */
  Position track(String key, Supplier<String> value);

  /** Deletes the saved value of a key that is not tracked (what it pointed into is gone). */
  void forget(String key);

  /**
   * Takes over the positions an earlier version kept in {@code legacy} (one {@code <key>.pos} file per
   * key) when this store is new; the old directory is renamed with a {@code .migrated} suffix so it is
   * read once (when {@code legacy} is this store's own directory, the files are deleted instead).
   * Returns how many positions were taken over.
   */
  int migrate(Path legacy) throws IOException;

  /** Where the store keeps its files, for log lines. */
  Path directory();

  /** One tracked key. */
  interface Position {

    /** The value may have changed: the runtime saves it within about a second. Cheap; callable from any thread. */
    void changed();

    /** The same, saved within about 100 ms: much was acknowledged, and a crash now would repeat it all. */
    void saveSoon();

    /** Saves the value now and waits for it to be durable (before a step deletes what it points into). */
    void saveNow() throws IOException;

    /** Deletes the key's saved value; the input stopped following it. */
    void forget();
  }
}
