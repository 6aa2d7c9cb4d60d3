package io.swak.core.testing;

import java.io.IOException;
import java.math.BigInteger;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.PrivateKey;
import java.security.cert.X509Certificate;
import java.util.Base64;
import java.util.Date;
import org.bouncycastle.asn1.x500.X500Name;
import org.bouncycastle.asn1.x509.BasicConstraints;
import org.bouncycastle.asn1.x509.Extension;
import org.bouncycastle.asn1.x509.GeneralName;
import org.bouncycastle.asn1.x509.GeneralNames;
import org.bouncycastle.cert.X509v3CertificateBuilder;
import org.bouncycastle.cert.jcajce.JcaX509CertificateConverter;
import org.bouncycastle.cert.jcajce.JcaX509v3CertificateBuilder;
import org.bouncycastle.operator.jcajce.JcaContentSignerBuilder;

/**
 * A throwaway CA and certificates signed by it, written as PEM files, for TLS tests (modules that use it add
 * bcpkix-jdk18on to their test dependencies).
 */
public final class Certificates {

  public final Path dir;
  private final KeyPair caKeys;
  private final X509Certificate ca;
  private int serial = 2;

  public Certificates(Path dir) throws Exception {
    Files.createDirectories(dir);
    this.dir = dir;
    caKeys = keys();
    X500Name name = new X500Name("CN=Swak Test CA");
    X509v3CertificateBuilder b = new JcaX509v3CertificateBuilder(name, BigInteger.ONE, notBefore(), notAfter(), name,
        caKeys.getPublic());
    b.addExtension(Extension.basicConstraints, true, new BasicConstraints(true));
    ca = sign(b, caKeys.getPrivate());
    writeCert(dir.resolve("ca.pem"), ca);
  }

  public Path caFile() {
    return dir.resolve("ca.pem");
  }

  /** Writes NAME.crt and NAME.key for a certificate whose names are {@code dnsNames} (and 127.0.0.1 if asked). */
  public void issue(String file, String cn, boolean withLoopbackIp, String... dnsNames) throws Exception {
    KeyPair kp = keys();
    X509v3CertificateBuilder b = new JcaX509v3CertificateBuilder(new X500Name("CN=Swak Test CA"),
        BigInteger.valueOf(serial++), notBefore(), notAfter(), new X500Name("CN=" + cn), kp.getPublic());
    GeneralName[] names = new GeneralName[dnsNames.length + (withLoopbackIp ? 1 : 0)];
    for (int i = 0; i < dnsNames.length; i++) {
      names[i] = new GeneralName(GeneralName.dNSName, dnsNames[i]);
    }
    if (withLoopbackIp) {
      names[dnsNames.length] = new GeneralName(GeneralName.iPAddress, "127.0.0.1");
    }
    if (names.length > 0) {
      b.addExtension(Extension.subjectAlternativeName, false, new GeneralNames(names));
    }
    X509Certificate c = sign(b, caKeys.getPrivate());
    writeCert(dir.resolve(file + ".crt"), c);
    writeKey(dir.resolve(file + ".key"), kp.getPrivate());
  }

  private static KeyPair keys() throws Exception {
    KeyPairGenerator g = KeyPairGenerator.getInstance("RSA");
    g.initialize(2048);
    return g.generateKeyPair();
  }

  private static Date notBefore() {
    return new Date(System.currentTimeMillis() - 3600_000L);
  }

  private static Date notAfter() {
    return new Date(System.currentTimeMillis() + 86_400_000L);
  }

  private static X509Certificate sign(X509v3CertificateBuilder b, PrivateKey key) throws Exception {
    return new JcaX509CertificateConverter().getCertificate(
        b.build(new JcaContentSignerBuilder("SHA256withRSA").build(key)));
  }

  private static void writeCert(Path p, X509Certificate c) throws Exception {
    Files.writeString(p, pem("CERTIFICATE", c.getEncoded()));
  }

  private static void writeKey(Path p, PrivateKey k) throws IOException {
    Files.writeString(p, pem("PRIVATE KEY", k.getEncoded())); // PKCS#8
  }

  private static String pem(String type, byte[] der) {
    return "-----BEGIN " + type + "-----\n" + Base64.getMimeEncoder(64, new byte[] {'\n'}).encodeToString(der)
        + "\n-----END " + type + "-----\n";
  }
}
