package io.swak.plugins.elasticsearch;

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
import javax.net.ssl.TrustManager;
import javax.net.ssl.TrustManagerFactory;
import javax.net.ssl.SSLEngine;
import javax.net.ssl.X509ExtendedTrustManager;

/** The client's TLS context from PEM files (as out.Fluentd reads them). */
final class Tls {

  private Tls() { }

  static SSLContext clientContext(ElasticsearchPlugin.Options o) throws IOException, GeneralSecurityException {
    TrustManager[] trust;
    if (!o.tlsVerify()) {
      trust = new TrustManager[] {new TrustAll()};
    } else if (o.caFile() != null) {
      KeyStore ks = KeyStore.getInstance(KeyStore.getDefaultType());
      ks.load(null, null);
      int i = 0;
      for (Certificate c : certificates(o.caFile())) {
        ks.setCertificateEntry("ca" + i++, c);
      }
      TrustManagerFactory tmf = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
      tmf.init(ks);
      trust = tmf.getTrustManagers();
    } else {
      trust = null; // the JVM's default trust store
    }
    KeyManagerFactory kmf = null;
    if (o.certFile() != null) {
      KeyStore ks = KeyStore.getInstance(KeyStore.getDefaultType());
      ks.load(null, null);
      Collection<? extends Certificate> chain = certificates(o.certFile());
      ks.setKeyEntry("client", privateKey(o.keyFile()), new char[0], chain.toArray(new Certificate[0]));
      kmf = KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
      kmf.init(ks, new char[0]);
    }
    SSLContext ctx = SSLContext.getInstance("TLS");
    ctx.init(kmf == null ? null : kmf.getKeyManagers(), trust, null);
    return ctx;
  }

  static Collection<? extends Certificate> certificates(Path pem) throws IOException, GeneralSecurityException {
    try (InputStream in = Files.newInputStream(pem)) {
      Collection<? extends Certificate> certs = CertificateFactory.getInstance("X.509").generateCertificates(in);
      if (certs.isEmpty()) {
        throw new IOException(pem + " holds no PEM certificate");
      }
      return certs;
    }
  }

  static PrivateKey privateKey(Path pem) throws IOException, GeneralSecurityException {
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
   * tls_verify false: accepts every certificate and name. An extended trust manager, so the JDK does not add its
   * own check of the host name around it.
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
