package dev.mcpgateway.redis;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.mcpgateway.session.McpSession;
import dev.mcpgateway.session.SessionStore;
import dev.mcpgateway.testing.TestSessions;
import java.io.IOException;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Assertions;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code rediss://} against a redis-server with TLS, with certificates of a test CA made by
 * {@code openssl}: the certificate must chain to a trusted one and name the host.
 */
class RedisTlsTest {
  private static final char[] PASSWORD = "changeit".toCharArray();
  @TempDir
  static Path dir;
  private static RedisServer server;
  private static int tlsPort;

  @BeforeAll
  static void startRedisWithTls() throws Exception {
    if (!onPath("openssl")) {
      if ("true".equalsIgnoreCase(System.getenv("CI"))) {
        Assertions.fail("CI=true, so the TLS tests must run, but openssl is not on the PATH");
      }
      Assumptions.abort("TLS tests skipped: openssl is not on the PATH");
    }
    run("openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-keyout", "ca.key", "-out", "ca.crt", "-days", "2",
        "-subj", "/CN=gateway-redis test CA");
    run("openssl", "req", "-newkey", "rsa:2048", "-nodes", "-keyout", "server.key", "-out", "server.csr", "-subj", "/CN=redis");
    Files.writeString(dir.resolve("san.cnf"), "subjectAltName=IP:127.0.0.1\n");
    run("openssl", "x509", "-req", "-in", "server.csr", "-CA", "ca.crt", "-CAkey", "ca.key", "-CAcreateserial", "-out",
        "server.crt", "-days", "2", "-extfile", "san.cnf");
    run(Path.of(System.getProperty("java.home"), "bin", "keytool").toString(), "-importcert", "-noprompt", "-alias", "test-ca",
        "-file", "ca.crt", "-keystore", "trust.p12", "-storetype", "PKCS12", "-storepass", new String(PASSWORD));
    tlsPort = RedisServer.freePort();
    server = RedisServer.start(List.of("--tls-port", Integer.toString(tlsPort), "--tls-cert-file", dir.resolve("server.crt").toString(),
        "--tls-key-file", dir.resolve("server.key").toString(), "--tls-ca-cert-file", dir.resolve("ca.crt").toString(),
        "--tls-auth-clients", "no"));
  }

  @AfterAll
  static void stopRedis() {
    if (server != null) {
      server.close();
    }
  }

  private static boolean onPath(String name) {
    for (String path : System.getenv().getOrDefault("PATH", "").split(java.io.File.pathSeparator)) {
      if (Files.isExecutable(Path.of(path.isEmpty() ? "." : path, name))) {
        return true;
      }
    }
    return false;
  }

  private static void run(String... command) throws IOException, InterruptedException {
    Process process = new ProcessBuilder(List.of(command)).directory(dir.toFile()).redirectErrorStream(true)
        .redirectOutput(dir.resolve("openssl.log").toFile()).start();
    assertThat(process.waitFor()).as(String.join(" ", command) + ": " + Files.readString(dir.resolve("openssl.log"))).isZero();
  }

  private static URI rediss(String host) {
    return URI.create("rediss://" + host + ":" + tlsPort);
  }

  @Test
  void talksTlsToACertificateOfATrustedCaForTheHost() {
    try (RedisCluster cluster = RedisCluster.builder(rediss("127.0.0.1")).prefix(TestClusters.newPrefix())
        .trustStore(dir.resolve("trust.p12"), PASSWORD).build()) {
      SessionStore sessions = cluster.sessionStore(Duration.ofMinutes(1), 10);
      McpSession session = TestSessions.of("a", "k");

      assertThat(sessions.add(session)).isTrue();
      assertThat(sessions.get(session.id())).contains(session);
      assertThat(cluster.isReachable()).isTrue();
    }
  }

  @Test
  void refusesACertificateItDoesNotTrust() {
    try (RedisCluster cluster = RedisCluster.builder(rediss("127.0.0.1")).prefix(TestClusters.newPrefix()).build()) {
      assertThat(cluster.isReachable()).isFalse();
      assertThatThrownBy(() -> cluster.sessionStore(Duration.ofMinutes(1), 10).get("x"))
          .isInstanceOf(RedisUnavailableException.class)
          .hasMessage("session store: the TLS handshake with Redis failed (is its certificate trusted and issued for this host?)");
    }
  }

  @Test
  void refusesACertificateIssuedForAnotherHost() {
    // localhost is this host too, but the certificate names only 127.0.0.1
    try (RedisCluster cluster = RedisCluster.builder(rediss("localhost")).prefix(TestClusters.newPrefix())
        .trustStore(dir.resolve("trust.p12"), PASSWORD).build()) {
      assertThat(cluster.isReachable()).isFalse();
      assertThatThrownBy(() -> cluster.sessionStore(Duration.ofMinutes(1), 10).get("x"))
          .isInstanceOf(RedisUnavailableException.class).hasMessageContaining("TLS handshake");
    }
  }
}
