package io.swak.plugins.file;

import io.swak.api.Ack;
import io.swak.api.Batch;
import io.swak.api.BatchBuilder;
import io.swak.api.EntryReader;
import io.swak.api.Output;
import io.swak.api.StepContext;
import io.swak.support.LineFormat;
import java.io.BufferedOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.channels.Channels;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.time.LocalDateTime;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.zip.GZIPOutputStream;

/**
 * Appends each batch to its file and hands it to the operating system before the batch counts as
 * delivered; files are synced to disk when rotated or closed. A batch that cannot be written whole (the
 * disk is full) is cut off again: the file is truncated to its size before the batch, so the retry
 * neither glues a record to a fragment nor writes what was already there twice. A path with record fields
 * ({@code ${host}}, {@code ${file.name}}) writes each event to its own file, and a batch cut off in one file is
 * cut off in the others it went to.
 */
final class FileOutput implements Output {

  private static final org.slf4j.Logger LOG = org.slf4j.LoggerFactory.getLogger("swak.file");
  private static final int MAX_OPEN = 32;

  private final FilePlugin.Options options;
  private final LineFormat format;
  private final Map<Path, OpenFile> open = new LinkedHashMap<>(16, 0.75f, true);
  private final PathTemplate template;
  private final java.util.Set<String> warnedMissing = new java.util.HashSet<>();
  private StepContext context;

  FileOutput(FilePlugin.Options options) {
    this.options = options;
    this.format = new LineFormat(options.format(), options.messageKey());
    this.template = new PathTemplate(options.path());
  }

  @Override
  public void start(StepContext ctx) {
    this.context = ctx;
  }

  @Override
  public void write(Batch batch) throws IOException {
    LocalDateTime now = LocalDateTime.now(context.clock());
    if (!template.usesRecord()) {
      Written w = append(Path.of(template.expand(batch.tag(), now)), batch);
      closeLeastRecent();
      rotateIfFull(w.file());
      return;
    }
    List<Written> done = new ArrayList<>();
    try {
      for (Map.Entry<String, BatchBuilder> g : byPath(batch, now).entrySet()) {
        done.add(append(Path.of(g.getKey()), g.getValue().build(batch.tag(), Ack.NONE)));
      }
    } catch (IOException e) {
      // the runtime sends the whole batch again: what went into the other files is cut off, so no line is there twice
      for (Written w : done) {
        w.file().truncate(w.before());
      }
      throw e;
    }
    closeLeastRecent();
    for (Written w : done) {
      rotateIfFull(w.file());
    }
  }

  /** A batch appended to a file: the file and its size before. */
  private record Written(OpenFile file, long before) { }

  /** The batch's entries by the path of each (the template names record fields), in the order of first use. */
  private Map<String, BatchBuilder> byPath(Batch batch, LocalDateTime now) throws IOException {
    Map<String, BatchBuilder> groups = new LinkedHashMap<>();
    List<String> missing = new ArrayList<>();
    byte[] d = batch.data();
    try (EntryReader r = new EntryReader(d, 0, batch.length())) {
      int entryStart = 0;
      while (r.hasNext()) {
        r.next();
        int end = r.recordEnd(); // the record ends its entry; the next entry starts there
        String path = template.expand(batch.tag(), now, d, r.recordStart(), end, missing);
        groups.computeIfAbsent(path, k -> new BatchBuilder()).addEntries(d, entryStart, end - entryStart, 1);
        entryStart = end;
      }
    }
    if (!missing.isEmpty()) {
      context.metrics().count("path_fields_missing", missing.size());
      for (String field : missing) {
        if (warnedMissing.add(field)) {
          LOG.warn("{}: events without `{}` are written with `_` in its place in the path {}", context.stepName(),
              field, options.path());
        }
      }
    }
    return groups;
  }

  private Written append(Path path, Batch batch) throws IOException {
    OpenFile f = open.get(path);
    if (f == null) {
      f = new OpenFile(path, options.compress() == FilePlugin.Compress.GZIP);
      open.put(path, f);
    }
    long before = f.channel.size();
    try {
      if (f.gzip) {
        // one gzip member per batch: readers (zcat) see complete data at any time, a crash tears at most one
        Member z = new Member(f.unclosable);
        try {
          format.write(batch, z);
          z.finish();
        } finally {
          z.release();
        }
      } else {
        format.write(batch, f.out);
      }
      f.out.flush();
    } catch (IOException e) {
      open.remove(path);
      String undone = f.truncate(before);
      f.closeQuietly();
      context.metrics().count("write_failures", 1);
      throw new IOException("cannot write " + path + ": " + e.getMessage() + undone, e);
    }
    return new Written(f, before);
  }

  private void rotateIfFull(OpenFile f) throws IOException {
    long limit = options.rotateSize().bytes();
    if (limit > 0 && f.channel.isOpen() && f.channel.size() >= limit) {
      open.remove(f.path);
      f.close();
      Path rotated = nextFree(f.path);
      Files.move(f.path, rotated, StandardCopyOption.ATOMIC_MOVE);
      context.metrics().count("rotations", 1);
    }
  }

  private void closeLeastRecent() throws IOException {
    Iterator<OpenFile> it = open.values().iterator();
    while (open.size() > MAX_OPEN && it.hasNext()) {
      OpenFile f = it.next();
      it.remove();
      f.close();
    }
  }

  private static Path nextFree(Path path) {
    for (int i = 1; ; i++) {
      Path p = path.resolveSibling(path.getFileName() + "." + i);
      if (!Files.exists(p)) {
        return p;
      }
    }
  }

  @Override
  public void close() throws IOException {
    IOException first = null;
    for (OpenFile f : open.values()) {
      try {
        f.close();
      } catch (IOException e) {
        first = first == null ? e : first;
      }
    }
    open.clear();
    if (first != null) {
      throw first;
    }
  }

  /** One file being appended to. */
  private static final class OpenFile {
    final FileChannel channel;
    final OutputStream out;
    final OutputStream unclosable;
    final boolean gzip;
    final Path path;

    OpenFile(Path path, boolean gzip) throws IOException {
      this.path = path;
      this.gzip = gzip;
      Path dir = path.toAbsolutePath().getParent();
      if (dir != null) {
        Files.createDirectories(dir);
      }
      channel = FileChannel.open(path, StandardOpenOption.CREATE, StandardOpenOption.WRITE, StandardOpenOption.APPEND);
      // plain text arrives in blocks of ~256 KiB (LineFormat): written as they are, a buffer would only copy
      // them; gzip members write small pieces
      OutputStream raw = Channels.newOutputStream(channel);
      out = gzip ? new BufferedOutputStream(raw, 1 << 18) : raw;
      unclosable = new java.io.FilterOutputStream(out) {
        @Override
        public void write(byte[] b, int off, int len) throws IOException {
          out.write(b, off, len);
        }

        @Override
        public void close() {
          // the file stays open for the next batch
        }
      };
    }

    void close() throws IOException {
      try {
        out.flush();
        channel.force(true);
      } finally {
        channel.close();
      }
    }

    /**
     * Cuts the file back to {@code size} (what it held before the failed batch); returns what to add to the
     * error: nothing, or why the fragment stays.
     */
    String truncate(long size) {
      try {
        if (channel.size() > size) {
          channel.truncate(size);
        }
        return "";
      } catch (IOException e) {
        return "; the part written could not be cut off (" + e.getMessage() + "), so " + path
            + " may hold an incomplete line";
      }
    }

    void closeQuietly() {
      try {
        channel.close();
      } catch (IOException e) {
        // already failing; the caller reports the first error
      }
    }
  }

  /** One gzip member; {@link #release} frees its zlib memory at once (finish() does not, the GC would). */
  private static final class Member extends GZIPOutputStream {
    Member(OutputStream out) throws IOException {
      super(out, 1 << 16);
    }

    void release() {
      def.end();
    }
  }
}
