package io.swak.dist;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The seed's spelling, {@code swak --startup=auto install}, through the real launcher: the service's start type. */
class InstallAliasTest {

  @TempDir
  Path dir;

  private Path config() throws Exception {
    Path cfg = dir.resolve("swak.yml");
    Files.writeString(cfg, "- task:\n  - in.FakeData: {type: people}\n  - out.Null\n");
    return cfg;
  }

  @Test
  void startupAutoAndManualAreTheServicesStartTypeOnEachOs() throws Exception {
    Swak swak = Swak.ofRepo(dir, Map.of("SWAK_DATA_DIR", dir.resolve("data").toString()));
    String cfg = config().toString();
    swak.run("--startup=auto", "install", cfg, "--os", "windows", "--dir", dir.resolve("w1").toString()).expect(0);
    assertThat(Files.readString(dir.resolve("w1/swak.xml"))).contains("<startmode>Automatic</startmode>");
    swak.run("--startup=manual", "install", cfg, "--os", "windows", "--dir", dir.resolve("w2").toString()).expect(0);
    assertThat(Files.readString(dir.resolve("w2/swak.xml"))).contains("<startmode>Manual</startmode>");
    swak.run("install", "--startup=manual", cfg, "--os", "macos", "--dir", dir.resolve("m").toString()).expect(0);
    assertThat(Files.readString(dir.resolve("m/io.swak.swak.plist"))).contains("<key>RunAtLoad</key><false/>");
    String linux = swak.run("--startup=manual", "install", cfg, "--os", "linux", "--dir", dir.resolve("l").toString())
        .expect(0).out();
    assertThat(dir.resolve("l/swak.service")).isRegularFile();
    assertThat(linux).contains("daemon-reload").doesNotContain("enable --now");
    String linuxAuto = swak.run("--startup=auto", "install", cfg, "--os", "linux", "--dir", dir.resolve("la").toString())
        .expect(0).out();
    assertThat(linuxAuto).contains("enable --now swak");
    // uninstall is `service uninstall`
    swak.run("uninstall", "--os", "windows", "--dir", dir.resolve("w1").toString()).expect(0);
    assertThat(dir.resolve("w1/swak.xml")).doesNotExist();
    assertThat(swak.run("--startup=sometimes", "install", cfg).expect(2).out()).contains("auto", "manual");
  }
}
