package io.swak.plugins.elasticsearch;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.swak.core.testing.AgentTestBase;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * https:// nodes ({@link ThrottlingNode} over TLS in front of the real node, certificates of a keytool CA): the
 * node's certificate is checked by default, against ca_file; a node that asks for a client certificate gets
 * cert_file/key_file.
 */
class TlsTest extends AgentTestBase {

  private final OpenSearchNode os = SharedOpenSearch.node();
  @TempDir
  static Path pki;
  private static KeytoolCa ca;
  private ThrottlingNode proxy;
  private GivenRecords.Given given;

  @BeforeAll
  static void certificates() throws Exception { // keytool runs a JVM for each step: once for the class
    ca = new KeytoolCa(pki);
    ca.issue("node", "ip:127.0.0.1");
    ca.issue("swak", null);
  }

  @AfterEach
  void close() {
    if (proxy != null) {
      proxy.close();
    }
  }

  private void start(boolean needClientCert, String index, String options) throws Exception {
    proxy = new ThrottlingNode(os, ca.serverContext("node"), needClientCert);
    given = GivenRecords.give(id, "app", List.<Map<String, Object>>of(Map.of("seq", 1), Map.of("seq", 2)));
    start("""
        - task:
          - in.GivenRecords: {name: %s}
          - out.Elasticsearch: {hosts: ["%s"], index: %s, retry_wait: 50ms, retry_max_wait: 200ms%s}
        """.formatted(id, proxy.url(), index, options));
  }

  private Map<String, Long> counters() {
    return agent.tasks().get(0).counters().get(1).snapshot();
  }

  @Test
  void aNodeCertifiedByTheCaFileIsTrusted() throws Exception {
    String index = "tls-" + id;
    start(false, index, ", ca_file: \"" + ca.caFile() + "\"");
    assertThat(given.acked.await(40, TimeUnit.SECONDS)).isTrue();
    assertThat(Documents.seqs(os, index)).containsExactlyInAnyOrder(1L, 2L);
  }

  @Test
  void theNodesCertificateIsCheckedByDefaultAndNothingIsLostWhileItFails() throws Exception {
    String index = "tls-untrusted-" + id;
    start(false, index, ""); // the JVM's trust store does not know the test CA
    await().atMost(Duration.ofSeconds(40)).until(() -> counters().getOrDefault("errors", 0L) >= 3);
    assertThat(given.acked.getCount()).as("not acknowledged").isEqualTo(1);
    assertThat(proxy.sent).as("no request got through the handshake").isEmpty();
    assertThat(counters().getOrDefault("dead_lettered", 0L)).isZero();
  }

  @Test
  void aNodeThatAsksForAClientCertificateGetsCertFileAndKeyFile() throws Exception {
    String index = "tls-client-" + id;
    start(true, index, ", ca_file: \"" + ca.caFile() + "\", cert_file: \"" + ca.certFile("swak") + "\", key_file: \""
        + ca.keyFile("swak") + "\"");
    assertThat(given.acked.await(40, TimeUnit.SECONDS)).isTrue();
    assertThat(Documents.seqs(os, index)).containsExactlyInAnyOrder(1L, 2L);
  }

  @Test
  void withoutAClientCertificateSuchANodeRefusesTheConnection() throws Exception {
    String index = "tls-noclient-" + id;
    start(true, index, ", ca_file: \"" + ca.caFile() + "\"");
    await().atMost(Duration.ofSeconds(40)).until(() -> counters().getOrDefault("errors", 0L) >= 3);
    assertThat(given.acked.getCount()).isEqualTo(1);
    assertThat(proxy.sent).isEmpty();
  }
}
