package io.swak.plugins.kafka;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.swak.core.testing.AgentTestBase;
import io.swak.core.testing.Certificates;
import io.swak.core.testing.TestSink;
import io.swak.core.testing.TestSource;
import java.nio.file.Path;
import java.time.Duration;
import java.util.TreeSet;
import java.util.stream.LongStream;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * TLS to the real broker's SSL listeners (a certificate of a throwaway CA naming 127.0.0.1; one listener also requires
 * a client certificate): out.Kafka and in.Kafka deliver and read; the brokers' certificate is verified by default —
 * against the JVM's trust store without {@code ca_file}, and its name against the host — and a certificate that is
 * not trusted is said in words, acknowledges nothing, and loses nothing once the right CA is given.
 */
class KafkaTlsTest extends AgentTestBase {

  @RegisterExtension
  final CapturedLog log = new CapturedLog();

  @BeforeEach
  void broker() {
    SharedKafka.broker();
  }

  private static Path tls(String file) {
    return SharedKafka.broker().tlsDir().resolve(file);
  }

  @Test
  void outKafkaAndInKafkaWorkOverTlsWithTheBrokersCaAndWithAClientCertificate() throws Exception {
    KafkaBroker kafka = SharedKafka.broker();
    String topic = SharedKafka.topic("tls", 2);
    start("""
        - task:
          - in.TestSource: {name: %s, batch: 20, total: 200}
          - out.Kafka: {brokers: ["%s"], topic: %s, tls: true, ca_file: "%s"}
        - task:
          - in.TestSource: {name: %s-m, batch: 20, total: 200}
          - out.Kafka: {brokers: ["%s"], topic: %s, tls: true, ca_file: "%s", cert_file: "%s", key_file: "%s"}
        - task:
          - in.Kafka: {brokers: ["%s"], topics: [%s], group: g-%s, tls: true, ca_file: "%s", cert_file: "%s",
                       key_file: "%s", commit_interval: 100ms}
          - out.TestSink: {name: %s}
        """.formatted(id, kafka.sslBootstrapServers(), topic, tls("ca.pem"),
        id, kafka.mtlsBootstrapServers(), topic, tls("ca.pem"), tls("client.crt"), tls("client.key"),
        kafka.mtlsBootstrapServers(), topic, topic, tls("ca.pem"), tls("client.crt"), tls("client.key"), id));
    await().atMost(Duration.ofSeconds(60)).until(() -> TestSource.state(id).window.committed() == 200
        && TestSource.state(id + "-m").window.committed() == 200);
    assertThat(SharedKafka.seqs(topic)).hasSize(400);
    await().atMost(Duration.ofSeconds(60)).until(() -> TestSink.state(id).received.size() >= 400);
    assertThat(new TreeSet<>(TestSink.state(id).seqs())).containsExactlyElementsOf(
        LongStream.rangeClosed(1, 200).boxed().toList());
  }

  @Test
  void aListenerThatRequiresAClientCertificateRefusesOneWithoutAndSaysSo() throws Exception {
    String topic = SharedKafka.topic("mtls-refused", 1);
    start("""
        - task:
          - in.TestSource: {name: %s, batch: 10, total: 50}
          - out.Kafka: {brokers: ["%s"], topic: %s, tls: true, ca_file: "%s", retry_wait: 100ms, retry_max_wait: 1s}
        """.formatted(id, SharedKafka.broker().mtlsBootstrapServers(), topic, tls("ca.pem")));
    await().atMost(Duration.ofSeconds(30)).until(() -> log.messages().stream()
        .anyMatch(m -> m.contains("the brokers refused this client's certificate")));
    assertThat(TestSource.state(id).window.committed()).isZero();
    assertThat(SharedKafka.values(topic)).isEmpty();
  }

  @Test
  void aCertificateOfAnotherCaIsAClearErrorAndNothingIsLostOnceTheRightCaIsGiven() throws Exception {
    KafkaBroker kafka = SharedKafka.broker();
    String topic = SharedKafka.topic("wrong-ca", 1);
    Path other = new Certificates(dir.resolve("other-ca")).caFile();
    String yaml = """
        - task:
          - in.TestSource: {name: %s, batch: 10, total: 100}
          - out.Kafka: {brokers: ["%s"], topic: %s, tls: true, ca_file: "%s", retry_wait: 100ms, retry_max_wait: 1s}
        - task:
          - in.Kafka: {brokers: ["%s"], topics: [%s], group: g-%s, tls: true, ca_file: "%s"}
          - out.TestSink: {name: %s}
        """;
    start(yaml.formatted(id, kafka.sslBootstrapServers(), topic, other, kafka.sslBootstrapServers(), topic, topic,
        other, id));
    await().atMost(Duration.ofSeconds(30)).until(() -> agent.tasks().get(0).counters().get(1).snapshot()
        .getOrDefault("producer_restarts", 0L) >= 1);
    await().atMost(Duration.ofSeconds(30)).until(() -> log.messages().stream().filter(m -> m.contains(
        "the brokers' certificate is not signed by a CA this client trusts")).count() >= 2); // producer and consumer
    assertThat(log.messages()).anySatisfy(m -> assertThat(m).contains("Kafka consumer: the brokers' certificate is not "
        + "signed by a CA this client trusts"));
    assertThat(TestSource.state(id).window.committed()).as("nothing acknowledged").isZero();
    assertThat(SharedKafka.values(topic)).isEmpty();
    agent.stop();
    agent = null;

    // the same source, now with the broker's CA: every event arrives, once
    start(yaml.formatted(id, kafka.sslBootstrapServers(), topic, tls("ca.pem"), kafka.sslBootstrapServers(), topic,
        topic, tls("ca.pem"), id));
    await().atMost(Duration.ofSeconds(60)).until(() -> TestSource.state(id).window.committed() == 100);
    assertThat(SharedKafka.seqs(topic)).containsExactlyElementsOf(LongStream.rangeClosed(1, 100).boxed().toList());
    await().atMost(Duration.ofSeconds(60)).until(() -> TestSink.state(id).received.size() == 100);
  }

  @Test
  void verificationIsOnByDefaultTheJvmsTrustStoreAndTheHostName() throws Exception {
    KafkaBroker kafka = SharedKafka.broker();
    String topic = SharedKafka.topic("verify", 1);
    // "localhost" is not a name of the broker's certificate (it names 127.0.0.1): refused, unless told not to check
    String byName = "localhost:" + kafka.sslBootstrapServers().substring("127.0.0.1:".length());
    start("""
        - task:
          - in.TestSource: {name: %s-jvm, batch: 10, total: 30}
          - out.Kafka: {brokers: ["%s"], topic: %s, tls: true, retry_wait: 100ms, retry_max_wait: 1s}
        - task:
          - in.TestSource: {name: %s-name, batch: 10, total: 30}
          - out.Kafka: {brokers: ["%s"], topic: %s, tls: true, ca_file: "%s", retry_wait: 100ms, retry_max_wait: 1s}
        - task:
          - in.TestSource: {name: %s-unchecked, batch: 10, total: 30}
          - out.Kafka: {brokers: ["%s"], topic: %s, tls: true, ca_file: "%s", tls_verify_hostname: false}
        """.formatted(id, kafka.sslBootstrapServers(), topic, id, byName, topic, tls("ca.pem"),
        id, byName, topic, tls("ca.pem")));
    await().atMost(Duration.ofSeconds(60)).until(() -> TestSource.state(id + "-unchecked").window.committed() == 30);
    await().atMost(Duration.ofSeconds(30)).until(() -> log.messages().stream().anyMatch(m -> m.contains(
        "the brokers' certificate is not signed by a CA this client trusts")));
    await().atMost(Duration.ofSeconds(30)).until(() -> log.messages().stream().anyMatch(m -> m.contains(
        "the brokers' certificate does not name the host connected to")));
    assertThat(TestSource.state(id + "-jvm").window.committed()).isZero();
    assertThat(TestSource.state(id + "-name").window.committed()).isZero();
    assertThat(SharedKafka.seqs(topic)).hasSize(30);
  }

}
