// Appends lines to many files slowly, the way most hosts' logs grow: FILES files, RATE lines per second in all,
// each line its own write() (one after another, round robin), for SECONDS. Each line carries `t=<epoch
// microseconds>` for FastReceiver's latency (LATENCY=1). Prints the number of lines written.
// Run: java -cp bench/target/classes TrickleWriter DIR FILES RATE SECONDS (bench/many-files.sh compiles it)
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.concurrent.locks.LockSupport;

public class TrickleWriter {
  public static void main(String[] a) throws Exception {
    Path dir = Files.createDirectories(Path.of(a[0]));
    int files = Integer.parseInt(a[1]);
    long rate = Long.parseLong(a[2]);
    long seconds = Long.parseLong(a[3]);
    FileChannel[] ch = new FileChannel[files];
    for (int i = 0; i < files; i++) {
      ch[i] = FileChannel.open(dir.resolve(String.format("app-%04d.log", i)), StandardOpenOption.CREATE,
          StandardOpenOption.WRITE, StandardOpenOption.APPEND);
    }
    long total = rate * seconds;
    long start = System.nanoTime();
    long gap = 1_000_000_000L / rate;
    for (long n = 0; n < total; n++) {
      long due = start + n * gap;
      long wait = due - System.nanoTime();
      if (wait > 0) {
        LockSupport.parkNanos(wait);
      }
      java.time.Instant now = java.time.Instant.now();
      long micros = now.getEpochSecond() * 1_000_000L + now.getNano() / 1000;
      String line = "2026-12-01T10:00:00.000Z INFO [worker-" + (n % 8) + "] request " + n + " served in 12 ms t="
          + micros + "\n";
      ch[(int) (n % files)].write(ByteBuffer.wrap(line.getBytes(StandardCharsets.US_ASCII)));
    }
    for (FileChannel c : ch) {
      c.close();
    }
    System.out.println("writer: " + total + " lines in " + (System.nanoTime() - start) / 1_000_000 + " ms");
  }
}
