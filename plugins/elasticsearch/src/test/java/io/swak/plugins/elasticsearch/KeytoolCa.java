package io.swak.plugins.elasticsearch;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyStore;
import java.security.PrivateKey;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.concurrent.TimeUnit;
import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManagerFactory;

/**
 * A throwaway CA made with the JDK's own keytool (a process of its own), the certificates it signs as PKCS#12
 * stores for servers and as PEM files (certificate chain and PKCS#8 key) for out.Elasticsearch's options.
 */
final class KeytoolCa {

  private static final String PASS = "changeit";
  private final Path dir;

  KeytoolCa(Path dir) throws Exception {
    this.dir = Files.createDirectories(dir);
    keytool("-genkeypair", "-alias", "ca", "-keyalg", "RSA", "-keysize", "2048", "-dname", "CN=Swak Test CA",
        "-ext", "bc:c", "-validity", "2", "-keystore", store("ca").toString());
    Files.write(caFile(), keytool("-exportcert", "-rfc", "-alias", "ca", "-keystore", store("ca").toString()));
  }

  /** The CA's certificate, PEM. */
  Path caFile() {
    return dir.resolve("ca.pem");
  }

  /** Issues NAME (a PKCS#12 store of key and chain), with a subject alternative name such as ip:127.0.0.1. */
  void issue(String name, String san) throws Exception {
    String ks = store(name).toString();
    keytool("-genkeypair", "-alias", name, "-keyalg", "RSA", "-keysize", "2048", "-dname", "CN=" + name,
        "-validity", "2", "-keystore", ks);
    byte[] csr = keytool("-certreq", "-alias", name, "-keystore", ks);
    Path csrFile = dir.resolve(name + ".csr");
    Files.write(csrFile, csr);
    List<String> gencert = new ArrayList<>(List.of("-gencert", "-rfc", "-alias", "ca", "-keystore",
        store("ca").toString(), "-infile", csrFile.toString(), "-validity", "2"));
    if (san != null) {
      gencert.addAll(List.of("-ext", "san=" + san));
    }
    Path signed = dir.resolve(name + ".crt");
    Files.write(signed, keytool(gencert.toArray(String[]::new)));
    keytool("-importcert", "-noprompt", "-alias", "ca", "-file", caFile().toString(), "-keystore", ks);
    keytool("-importcert", "-alias", name, "-file", signed.toString(), "-keystore", ks);
    // PEM of the key, PKCS#8, for key_file
    KeyStore k = load(store(name));
    PrivateKey key = (PrivateKey) k.getKey(name, PASS.toCharArray());
    Files.writeString(keyFile(name), "-----BEGIN PRIVATE KEY-----\n"
        + Base64.getMimeEncoder(64, new byte[] {'\n'}).encodeToString(key.getEncoded()) + "\n-----END PRIVATE KEY-----\n");
  }

  Path certFile(String name) {
    return dir.resolve(name + ".crt");
  }

  Path keyFile(String name) {
    return dir.resolve(name + ".key");
  }

  /** A server's context: NAME's key and chain, and this CA trusted for client certificates. */
  SSLContext serverContext(String name) throws Exception {
    KeyManagerFactory kmf = KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
    kmf.init(load(store(name)), PASS.toCharArray());
    KeyStore trust = KeyStore.getInstance("PKCS12");
    trust.load(null, null);
    trust.setCertificateEntry("ca", load(store("ca")).getCertificate("ca"));
    TrustManagerFactory tmf = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
    tmf.init(trust);
    SSLContext c = SSLContext.getInstance("TLS");
    c.init(kmf.getKeyManagers(), tmf.getTrustManagers(), null);
    return c;
  }

  private Path store(String name) {
    return dir.resolve(name + ".p12");
  }

  private static KeyStore load(Path p) throws Exception {
    KeyStore k = KeyStore.getInstance("PKCS12");
    try (InputStream in = Files.newInputStream(p)) {
      k.load(in, PASS.toCharArray());
    }
    return k;
  }

  private byte[] keytool(String... args) throws Exception {
    List<String> cmd = new ArrayList<>();
    cmd.add(Path.of(System.getProperty("java.home"), "bin", "keytool").toString());
    cmd.addAll(List.of("-J-XX:TieredStopAtLevel=1", "-J-XX:+UseSerialGC")); // a short run: start fast
    cmd.addAll(List.of(args));
    cmd.addAll(List.of("-storepass", PASS, "-storetype", "PKCS12"));
    Process p = new ProcessBuilder(cmd).redirectError(ProcessBuilder.Redirect.DISCARD).start();
    p.getOutputStream().close();
    byte[] out = p.getInputStream().readAllBytes();
    if (!p.waitFor(60, TimeUnit.SECONDS) || p.exitValue() != 0) {
      throw new IOException("keytool " + String.join(" ", args) + " failed: " + new String(out));
    }
    return out;
  }
}
