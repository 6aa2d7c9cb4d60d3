package io.swak.api;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

class DataSizeTest {

  @Test
  void parsesUnits() {
    assertThat(DataSize.parse("512").bytes()).isEqualTo(512);
    assertThat(DataSize.parse("64KiB").bytes()).isEqualTo(65536);
    assertThat(DataSize.parse("1MiB").bytes()).isEqualTo(1 << 20);
    assertThat(DataSize.parse("1.5m").bytes()).isEqualTo(3 << 19);
    assertThat(DataSize.parse("2 GB").bytes()).isEqualTo(2L << 30);
    assertThat(DataSize.ofMiB(32).toString()).isEqualTo("32MiB");
  }

  @Test
  void rejectsWhatIsNotASize() {
    assertThatThrownBy(() -> DataSize.parse("lots")).hasMessageContaining("not a size");
    assertThatThrownBy(() -> DataSize.parse("5 parsecs")).hasMessageContaining("unknown size unit 'parsecs'");
  }
}
