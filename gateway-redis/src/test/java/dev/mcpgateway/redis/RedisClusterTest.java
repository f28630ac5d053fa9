package dev.mcpgateway.redis;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.mcpgateway.session.McpSession;
import dev.mcpgateway.session.SessionStore;
import dev.mcpgateway.testing.TestSessions;
import java.net.URI;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The Redis URI, logging in, reachability and ownership. */
class RedisClusterTest {

  @Test
  void readsTheUriAndNeverShowsThePassword() {
    RedisEndpoint endpoint = RedisEndpoint.parse(URI.create("rediss://gw:p%40ss:word@redis.internal:6380/2"));

    assertThat(endpoint).extracting(RedisEndpoint::host, RedisEndpoint::port, RedisEndpoint::user, RedisEndpoint::password,
        RedisEndpoint::database, RedisEndpoint::tls).containsExactly("redis.internal", 6380, "gw", "p@ss:word", 2, true);
    assertThat(endpoint.toString()).isEqualTo("rediss://redis.internal:6380/2").doesNotContain("p@ss");
    assertThat(RedisEndpoint.parse(URI.create("redis://secret@localhost"))).extracting(RedisEndpoint::user,
        RedisEndpoint::password, RedisEndpoint::port, RedisEndpoint::tls).containsExactly(null, "secret", 6379, false);
    assertThat(RedisCluster.builder(URI.create("redis://:pw@h:1")).build().toString()).isEqualTo("RedisCluster{redis://h:1/0, prefix mcpgw:}");
  }

  @Test
  void refusesUrisItCannotRead() {
    for (String bad : List.of("http://localhost", "redis:///0", "redis://h/x", "redis://h?timeout=1")) {
      assertThatThrownBy(() -> RedisCluster.builder(URI.create(bad))).as(bad).isInstanceOf(IllegalArgumentException.class);
    }
  }

  @Test
  void logsInWithThePasswordOfTheUriAndSaysClearlyWhenItIsWrong() {
    try (RedisServer server = RedisServer.start(List.of("--requirepass", "s3cret pass"));
         RedisCluster right = RedisCluster.builder(URI.create("redis://:s3cret%20pass@127.0.0.1:" + server.port())).build();
         RedisCluster wrong = RedisCluster.builder(URI.create("redis://:wrong@127.0.0.1:" + server.port())).build()) {
      SessionStore sessions = right.sessionStore(Duration.ofMinutes(1), 10);
      McpSession session = TestSessions.of("a", "k");
      assertThat(sessions.add(session)).isTrue();
      assertThat(sessions.get(session.id())).contains(session);

      assertThat(wrong.isReachable()).isFalse();
      assertThatThrownBy(() -> wrong.sessionStore(Duration.ofMinutes(1), 10).get(session.id()))
          .isInstanceOf(RedisUnavailableException.class)
          .hasMessageStartingWith("session store: Redis refused the command")
          .hasMessageNotContaining("wrong");
    }
  }

  @Test
  void anUnreachableRedisIsReportedNotThrown() throws Exception {
    int closedPort;
    try (java.net.ServerSocket socket = new java.net.ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
      closedPort = socket.getLocalPort();
    }
    try (RedisCluster cluster = RedisCluster.builder(URI.create("redis://127.0.0.1:" + closedPort)).build()) {
      assertThat(cluster.isReachable()).isFalse();
      assertThat(cluster.eventStore().replay("s", "1", 0)).as("best effort: nothing to replay").isEmpty();
    }
  }

  @Test
  void closingTheClusterClosesWhatItHandedOut() {
    RedisServer server = RedisServer.shared();
    RedisCluster cluster = RedisCluster.builder(server.uri()).prefix(TestClusters.newPrefix()).clusterSecret(TestClusters.SECRET).build();
    SessionStore sessions = cluster.sessionStore(Duration.ofMinutes(1), 10);
    var bus = cluster.bus();
    McpSession session = TestSessions.of("a", "k");
    sessions.add(session);
    List<String> heard = new java.util.ArrayList<>();
    sessions.onRemoval((s, cause) -> heard.add(s.id() + ":" + cause));

    cluster.close();
    cluster.close();

    assertThat(heard).containsExactly(session.id() + ":CLOSED");
    assertThat(sessions.add(TestSessions.of("a", "k"))).isFalse();
    assertThatThrownBy(() -> bus.publish("t", new byte[1])).isInstanceOf(IllegalStateException.class);
    assertThatThrownBy(cluster::bus).isInstanceOf(IllegalStateException.class);
    assertThat(cluster.isReachable()).isFalse();
  }
}
