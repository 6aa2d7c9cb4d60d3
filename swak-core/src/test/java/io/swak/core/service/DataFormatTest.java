package io.swak.core.service;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class DataFormatTest {

  @TempDir
  Path data;

  @Test
  void aNewDirectoryIsClaimedAndAnOlderOrEqualFormatIsRead() throws Exception {
    assertThat(DataFormat.problem(data)).isNull();
    DataFormat.claim(data, "1.0");
    assertThat(DataFormat.recorded(data)).contains(DataFormat.CURRENT);
    DataFormat.claim(data, "1.1");
    assertThat(Files.readString(data.resolve("data-format"))).contains("written by swak 1.0");
  }

  @Test
  void aNewerFormatIsRefusedWithWhatToDo() throws Exception {
    Files.writeString(data.resolve("data-format"), (DataFormat.CURRENT + 1) + " (written by swak 9)\n");
    assertThat(DataFormat.problem(data)).contains("written by a newer swak", "swak rollback", "data_dir");
    assertThatThrownBy(() -> DataFormat.claim(data, "1.0")).hasMessageContaining("newer swak");
    Files.writeString(data.resolve("data-format"), "garbage\n");
    assertThat(DataFormat.problem(data)).contains("damaged");
  }
}
