package io.swak.plugins.stdout;

import io.swak.api.Batch;
import io.swak.api.Output;
import io.swak.support.LineFormat;
import java.io.BufferedOutputStream;
import java.io.FileDescriptor;
import java.io.FileOutputStream;
import java.io.IOException;
import java.io.OutputStream;

/** Writes whole batches to standard output; tasks share one stream, so lines never interleave. */
final class Stdout implements Output {

  private static final OutputStream OUT = new BufferedOutputStream(new FileOutputStream(FileDescriptor.out), 1 << 16);

  private final LineFormat format;

  Stdout(LineFormat format) {
    this.format = format;
  }

  @Override
  public void write(Batch batch) throws IOException {
    synchronized (OUT) {
      format.write(batch, OUT);
      OUT.flush();
    }
  }
}
