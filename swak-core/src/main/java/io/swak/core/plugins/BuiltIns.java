package io.swak.core.plugins;

import io.swak.api.Plugin;
import io.swak.core.plugins.buffer.BufferPlugin;
import io.swak.core.plugins.buffer.LinedBufferPlugin;
import io.swak.core.plugins.buffer.TimedBufferPlugin;
import io.swak.core.plugins.exec.ExecPlugin;
import io.swak.core.plugins.failover.FailoverPlugin;
import io.swak.core.plugins.fakedata.FakeDataPlugin;
import io.swak.core.plugins.file.FilePlugin;
import io.swak.core.plugins.filetail.FileTailPlugin;
import io.swak.core.plugins.forward.FluentdPlugin;
import io.swak.core.plugins.forward.ForwardPlugin;
import io.swak.core.plugins.mysql.MySQLTailPlugin;
import io.swak.core.plugins.nulls.NullPlugin;
import io.swak.core.plugins.sleep.SleepPlugin;
import io.swak.core.plugins.stdout.StdoutPlugin;
import java.util.List;

/**
 * The plugins that come with swak-core. Listed here instead of in a {@code META-INF/services} file: finding
 * service files makes the class loader open every jar on the class path, which with the class-data sharing
 * archive nothing else does — ~30 ms of a ~0.3 s start.
 */
public final class BuiltIns {

  private BuiltIns() { }

  /** A new instance of each. */
  public static List<Plugin<?>> all() {
    return List.of(new FakeDataPlugin(), new StdoutPlugin(), new FilePlugin(), new NullPlugin(), new SleepPlugin(),
        new BufferPlugin(), new TimedBufferPlugin(), new LinedBufferPlugin(), new FailoverPlugin(),
        new FileTailPlugin(), new ForwardPlugin(), new FluentdPlugin(), new MySQLTailPlugin(),
        new ExecPlugin());
  }
}
