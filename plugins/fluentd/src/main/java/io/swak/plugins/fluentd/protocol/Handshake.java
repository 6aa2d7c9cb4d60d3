package io.swak.plugins.fluentd.protocol;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.security.SecureRandom;
import java.util.HexFormat;
import java.util.Map;
import org.msgpack.core.MessageBufferPacker;
import org.msgpack.core.MessagePack;
import org.msgpack.core.MessagePackException;
import org.msgpack.core.MessageUnpacker;
import org.msgpack.value.ValueType;

/**
 * The Forward protocol's authentication: the server sends HELO (nonce, auth salt), the client answers
 * PING (its hostname, a salt, sha512_hex(salt + hostname + nonce + shared_key), and optionally a user
 * with sha512_hex(auth_salt + username + password)), the server answers PONG with its own digest so
 * the client knows it talks to a server holding the same key. Values that peers send as str may hold
 * raw bytes (Fluent Bit's nonce and salt), so they are read as bytes, never decoded as text.
 */
public final class Handshake {

  private static final SecureRandom RANDOM = new SecureRandom();

  private Handshake() { }

  public static byte[] random(int n) {
    byte[] b = new byte[n];
    RANDOM.nextBytes(b);
    return b;
  }

  /** sha512 of the concatenation, as lowercase hex: what every digest of the protocol is. */
  static String sha512Hex(byte[]... parts) {
    try {
      MessageDigest md = MessageDigest.getInstance("SHA-512");
      for (byte[] p : parts) {
        md.update(p);
      }
      return HexFormat.of().formatHex(md.digest());
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }

  static byte[] utf8(String s) {
    return s.getBytes(StandardCharsets.UTF_8);
  }

  // ---- server side -------------------------------------------------------------------------

  /** {@code ["HELO", {"nonce": bin, "auth": bin, "keepalive": true}]}, as Fluentd's in_forward sends it. */
  public static byte[] helo(byte[] nonce, byte[] authSalt) {
    try (MessageBufferPacker p = MessagePack.newDefaultBufferPacker()) {
      p.packArrayHeader(2);
      p.packString("HELO");
      p.packMapHeader(3);
      p.packString("nonce");
      p.packBinaryHeader(nonce.length);
      p.writePayload(nonce);
      p.packString("auth");
      p.packBinaryHeader(authSalt.length);
      p.writePayload(authSalt);
      p.packString("keepalive");
      p.packBoolean(true);
      return p.toByteArray();
    } catch (IOException e) {
      throw new IllegalStateException(e);
    }
  }

  /** What the server learned from a PING. */
  public record PingResult(boolean ok, String reason, String clientHostname, byte[] salt) { }

  /**
   * Checks a PING frame against the server's key, nonce and users (empty users = no user auth).
   *
   * @throws ForwardProtocolException when the frame is no PING at all
   */
  public static PingResult checkPing(byte[] frame, byte[] nonce, byte[] authSalt, String sharedKey,
      Map<String, String> users) {
    try (MessageUnpacker in = MessagePack.newDefaultUnpacker(frame)) {
      if (in.getNextFormat().getValueType() != ValueType.ARRAY) {
        throw new ForwardProtocolException("expected PING after HELO, got a " + in.getNextFormat().getValueType());
      }
      int n = in.unpackArrayHeader();
      String kind = n > 0 && in.getNextFormat().getValueType() == ValueType.STRING ? in.unpackString() : "";
      if (!kind.equals("PING") || n != 6) {
        throw new ForwardProtocolException("expected PING (6 elements) after HELO, got " + n + " elements starting "
            + "with '" + kind + "' (is the client configured with a shared_key?)");
      }
      String host = new String(raw(in), StandardCharsets.UTF_8);
      byte[] salt = raw(in);
      String digest = new String(raw(in), StandardCharsets.US_ASCII);
      String user = new String(raw(in), StandardCharsets.UTF_8);
      String passDigest = new String(raw(in), StandardCharsets.US_ASCII);
      String expected = sha512Hex(salt, utf8(host), nonce, utf8(sharedKey));
      if (!MessageDigest.isEqual(utf8(expected), utf8(digest))) {
        return new PingResult(false, "shared_key mismatch", host, salt);
      }
      if (!users.isEmpty()) {
        String password = users.get(user);
        boolean ok = password != null && MessageDigest.isEqual(
            utf8(sha512Hex(authSalt, utf8(user), utf8(password))), utf8(passDigest));
        if (!ok) {
          return new PingResult(false, "username/password mismatch", host, salt);
        }
      }
      return new PingResult(true, "", host, salt);
    } catch (IOException | MessagePackException e) {
      throw new ForwardProtocolException("malformed PING: " + e.getMessage(), e);
    }
  }

  /** PONG: on success {@code ["PONG", true, "", hostname, digest]}, else {@code ["PONG", false, reason, "", ""]}. */
  public static byte[] pong(PingResult ping, String serverHostname, byte[] nonce, String sharedKey) {
    try (MessageBufferPacker p = MessagePack.newDefaultBufferPacker()) {
      p.packArrayHeader(5);
      p.packString("PONG");
      p.packBoolean(ping.ok());
      p.packString(ping.ok() ? "" : ping.reason());
      if (ping.ok()) {
        p.packString(serverHostname);
        p.packString(sha512Hex(ping.salt(), utf8(serverHostname), nonce, utf8(sharedKey)));
      } else {
        p.packString("");
        p.packString("");
      }
      return p.toByteArray();
    } catch (IOException e) {
      throw new IllegalStateException(e);
    }
  }

  // ---- client side -------------------------------------------------------------------------

  /** The server's HELO: nonce and auth salt as raw bytes, whether sent as bin (Fluentd) or str (Fluent Bit). */
  public record Helo(byte[] nonce, byte[] authSalt, boolean keepalive) { }

  public static Helo parseHelo(byte[] frame) {
    try (MessageUnpacker in = MessagePack.newDefaultUnpacker(frame)) {
      int n = in.unpackArrayHeader();
      String kind = in.unpackString();
      if (!kind.equals("HELO") || n != 2) {
        throw new ForwardProtocolException("expected HELO from the server, got '" + kind + "' (is the server "
            + "configured with a shared_key?)");
      }
      int m = in.unpackMapHeader();
      byte[] nonce = null;
      byte[] auth = new byte[0];
      boolean keepalive = true;
      for (int i = 0; i < m; i++) {
        String k = in.unpackString();
        switch (k) {
          case "nonce" -> nonce = raw(in);
          case "auth" -> auth = raw(in);
          case "keepalive" -> keepalive = in.unpackBoolean();
          default -> in.skipValue();
        }
      }
      if (nonce == null) {
        throw new ForwardProtocolException("HELO without nonce");
      }
      return new Helo(nonce, auth, keepalive);
    } catch (IOException | MessagePackException e) {
      throw new ForwardProtocolException("malformed HELO: " + e.getMessage(), e);
    }
  }

  /** PING with the shared-key digest, and the password digest (of empty user and password when none). */
  public static byte[] ping(Helo helo, String selfHostname, byte[] salt, String sharedKey, String username,
      String password) {
    try (MessageBufferPacker p = MessagePack.newDefaultBufferPacker()) {
      p.packArrayHeader(6);
      p.packString("PING");
      p.packString(selfHostname);
      p.packRawStringHeader(salt.length);
      p.writePayload(salt);
      p.packString(sha512Hex(salt, utf8(selfHostname), helo.nonce(), utf8(sharedKey)));
      p.packString(username);
      p.packString(sha512Hex(helo.authSalt(), utf8(username), utf8(password)));
      return p.toByteArray();
    } catch (IOException e) {
      throw new IllegalStateException(e);
    }
  }

  /**
   * Checks the server's PONG: accepted, and the digest proves the server holds the same key.
   *
   * @return null when fine, else why the server or its answer was refused
   */
  public static String checkPong(byte[] frame, Helo helo, byte[] salt, String sharedKey) {
    try (MessageUnpacker in = MessagePack.newDefaultUnpacker(frame)) {
      int n = in.unpackArrayHeader();
      String kind = in.unpackString();
      if (!kind.equals("PONG") || n != 5) {
        return "expected PONG, got '" + kind + "' with " + n + " elements";
      }
      boolean ok = in.unpackBoolean();
      String reason = new String(raw(in), StandardCharsets.UTF_8);
      String host = new String(raw(in), StandardCharsets.UTF_8);
      String digest = new String(raw(in), StandardCharsets.US_ASCII);
      if (!ok) {
        return "the server refused the handshake: " + reason;
      }
      String expected = sha512Hex(salt, utf8(host), helo.nonce(), utf8(sharedKey));
      if (!MessageDigest.isEqual(utf8(expected), utf8(digest))) {
        return "the server's PONG digest does not match our shared_key (server " + host + ")";
      }
      return null;
    } catch (IOException | MessagePackException e) {
      return "malformed PONG: " + e.getMessage();
    }
  }

  /** A str or bin value as raw bytes. */
  static byte[] raw(MessageUnpacker in) throws IOException {
    ValueType t = in.getNextFormat().getValueType();
    int len;
    if (t == ValueType.STRING) {
      len = in.unpackRawStringHeader();
    } else if (t == ValueType.BINARY) {
      len = in.unpackBinaryHeader();
    } else if (t == ValueType.NIL) {
      in.unpackNil();
      return new byte[0];
    } else {
      throw new ForwardProtocolException("expected a string, got " + t);
    }
    return in.readPayload(len);
  }
}
