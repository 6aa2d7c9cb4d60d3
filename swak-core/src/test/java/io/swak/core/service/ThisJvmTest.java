package io.swak.core.service;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import org.junit.jupiter.api.Test;

class ThisJvmTest {

  @Test
  void archiveMakingJvmsGetTheHeapAndPropertiesButNoSharingOrAgents() {
    List<String> mine = List.of("-XX:+UseSerialGC", "-Xmx256m", "-XX:SharedArchiveFile=/opt/swak/lib/swak.jsa",
        "-Xshare:auto", "-XX:SharedClassListFile=/tmp/c.lst", "-XX:DumpLoadedClassList=/tmp/d.lst",
        "-XX:ArchiveClassesAtExit=/tmp/a.jsa", "-agentlib:jdwp=transport=dt_socket,server=y,suspend=y,address=5005",
        "-agentpath:/opt/profiler/libasyncProfiler.so=start", "-javaagent:/opt/apm/agent.jar", "-Xdebug",
        "-Xrunjdwp:transport=dt_socket", "-Dswak.home=/opt/swak");
    assertThat(ThisJvm.withoutSharing(mine)).containsExactly("-XX:+UseSerialGC", "-Xmx256m", "-Dswak.home=/opt/swak");
  }
}
