package io.swak.plugins.file;

import io.swak.api.DataSize;
import io.swak.api.Option;
import io.swak.api.Plugin;
import io.swak.support.LineFormat;

/** {@code out.File}: appends events to files, one per line. */
public final class FilePlugin extends Plugin<FilePlugin.Options> {

  /** Compression of written files. */
  public enum Compress { NONE, GZIP }

  /** Options of out.File. */
  public record Options(
      @Option(value = "File to append to. `${tag}` is replaced by the tag, `${hostname}` by this machine's name; "
          + "%Y %m %d %H %M %S by the local date and time of the write (e.g. /var/log/swak/${tag}.%Y-%m-%d.log); "
          + "`${record.field}` by a record field (one path segment); for a field holding a path (in.FileTail's "
          + "path_key) `${record.field.path}`, `${record.field.dir}` and `${record.field.name}` give the whole "
          + "relative path, its directory and its file name: /data/${record.host}/${record.file.path} mirrors the "
          + "source files at a collector.", required = true)
      String path,
      @Option(value = "json, text, raw or record (see out.Stdout).", defaultValue = "json")
      LineFormat.Kind format,
      @Option(value = "Field written by format raw.", defaultValue = "message")
      String messageKey,
      @Option(value = "none or gzip (each batch is a complete gzip member, so `zcat` reads the file while it grows).", defaultValue = "none")
      Compress compress,
      @Option(value = "Rotate when a file reaches this size: it is renamed to <path>.1, .2, … and a new file begun. "
          + "0 = never.", defaultValue = "0")
      DataSize rotateSize) {

    public Options {
      if (path != null && path.isBlank()) {
        throw new IllegalArgumentException("option `path` is empty");
      }
    }
  }

  public FilePlugin() {
    super("out.File", "Appends events to files (templated paths, gzip, rotation by size).", Options.class,
        FileOutput::new);
  }
}
