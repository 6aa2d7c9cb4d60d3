package io.swak.support;

import java.io.IOException;
import java.io.InputStream;
import java.net.Socket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyFactory;
import java.security.KeyStore;
import java.security.PrivateKey;
import java.security.cert.Certificate;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.security.spec.PKCS8EncodedKeySpec;
import java.util.Base64;
import java.util.Collection;
import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLEngine;
import javax.net.ssl.TrustManager;
import javax.net.ssl.TrustManagerFactory;
import javax.net.ssl.X509ExtendedTrustManager;

/** A TLS client context from PEM files (the formats Fluentd, Fluent Bit and Logstash configs use), for every output. */
public final class PemTls {

  private PemTls() { }

  /**
   * A client context trusting the certificates of {@code caFile} (the JVM's trust store when null), or any
   * certificate and name when {@code insecure}; with {@code certFile} and {@code keyFile} it presents that
   * certificate.
   */
  public static SSLContext clientContext(boolean insecure, Path caFile, Path certFile, Path keyFile)
      throws IOException, GeneralSecurityException {
    TrustManager[] trust = null; // the JVM's default trust store
    if (insecure) {
      trust = new TrustManager[] {new TrustAll()};
    } else if (caFile != null) {
      KeyStore ks = KeyStore.getInstance(KeyStore.getDefaultType());
      ks.load(null, null);
      int i = 0;
      for (Certificate c : certificates(caFile)) {
        ks.setCertificateEntry("ca" + i++, c);
      }
      TrustManagerFactory tmf = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
      tmf.init(ks);
      trust = tmf.getTrustManagers();
    }
    KeyManagerFactory kmf = null;
    if (certFile != null) {
      KeyStore ks = KeyStore.getInstance(KeyStore.getDefaultType());
      ks.load(null, null);
      ks.setKeyEntry("client", privateKey(keyFile), new char[0], certificates(certFile).toArray(new Certificate[0]));
      kmf = KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
      kmf.init(ks, new char[0]);
    }
    SSLContext ctx = SSLContext.getInstance("TLS");
    ctx.init(kmf == null ? null : kmf.getKeyManagers(), trust, null);
    return ctx;
  }

  /** The certificates of a PEM file; none is an error. */
  public static Collection<? extends Certificate> certificates(Path pem) throws IOException, GeneralSecurityException {
    try (InputStream in = Files.newInputStream(pem)) {
      Collection<? extends Certificate> certs = CertificateFactory.getInstance("X.509").generateCertificates(in);
      if (certs.isEmpty()) {
        throw new IOException(pem + " holds no PEM certificate");
      }
      return certs;
    }
  }

  /** An unencrypted PKCS#8 PEM key (RSA, EC or Ed25519). */
  public static PrivateKey privateKey(Path pem) throws IOException, GeneralSecurityException {
    String text = Files.readString(pem);
    int b = text.indexOf("-----BEGIN PRIVATE KEY-----");
    int e = text.indexOf("-----END PRIVATE KEY-----");
    if (b < 0 || e < 0) {
      throw new IOException(pem + ": expected a PKCS#8 PEM key (-----BEGIN PRIVATE KEY-----); convert with "
          + "`openssl pkcs8 -topk8 -nocrypt -in KEY -out KEY.pk8`");
    }
    byte[] der = Base64.getMimeDecoder().decode(text.substring(b + 27, e));
    for (String alg : new String[] {"RSA", "EC", "Ed25519"}) {
      try {
        return KeyFactory.getInstance(alg).generatePrivate(new PKCS8EncodedKeySpec(der));
      } catch (GeneralSecurityException ignored) {
        // try the next algorithm
      }
    }
    throw new IOException(pem + ": not an RSA, EC or Ed25519 private key");
  }

  /**
   * insecure: accepts every certificate and name. An extended trust manager, so the JDK does not add its own
   * check of the host name around it.
   */
  private static final class TrustAll extends X509ExtendedTrustManager {
    @Override
    public void checkClientTrusted(X509Certificate[] chain, String authType) { }

    @Override
    public void checkServerTrusted(X509Certificate[] chain, String authType) { }

    @Override
    public void checkClientTrusted(X509Certificate[] chain, String authType, Socket socket) { }

    @Override
    public void checkServerTrusted(X509Certificate[] chain, String authType, Socket socket) { }

    @Override
    public void checkClientTrusted(X509Certificate[] chain, String authType, SSLEngine engine) { }

    @Override
    public void checkServerTrusted(X509Certificate[] chain, String authType, SSLEngine engine) { }

    @Override
    public X509Certificate[] getAcceptedIssuers() {
      return new X509Certificate[0];
    }
  }
}
