package dev.mcpgateway.redis;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.mcpgateway.await.Await;
import dev.mcpgateway.cluster.ClusterBus;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import redis.clients.jedis.UnifiedJedis;

/** The bus between replicas: delivery across nodes, signatures, namespaces. */
class RedisClusterBusTest {
  private static final Duration WAIT = Duration.ofSeconds(10);
  private final TestClusters clusters = new TestClusters(RedisServer.shared());

  @AfterEach
  void closeClusters() {
    clusters.close();
  }

  private static byte[] bytes(String text) {
    return text.getBytes(StandardCharsets.UTF_8);
  }

  private static String next(BlockingQueue<byte[]> queue) throws InterruptedException {
    byte[] message = queue.poll(WAIT.toSeconds(), TimeUnit.SECONDS);
    assertThat(message).as("a message within " + WAIT).isNotNull();
    return new String(message, StandardCharsets.UTF_8);
  }

  @Test
  void aMessageReachesEveryReplicaPublisherIncluded() throws Exception {
    String prefix = TestClusters.newPrefix();
    ClusterBus a = clusters.cluster(prefix).bus();
    ClusterBus b = clusters.cluster(prefix).bus();
    BlockingQueue<byte[]> atA = new LinkedBlockingQueue<>();
    BlockingQueue<byte[]> atB = new LinkedBlockingQueue<>();
    a.subscribe("session.ended", atA::add);
    b.subscribe("session.ended", atB::add);

    a.publish("session.ended", bytes("s1"));

    assertThat(next(atA)).isEqualTo("s1");
    assertThat(next(atB)).isEqualTo("s1");
  }

  @Test
  void dropsMessagesWhoseSignatureDoesNotHold() throws Exception {
    String prefix = TestClusters.newPrefix();
    RedisClusterBus bus = (RedisClusterBus) clusters.cluster(prefix).bus();
    ClusterBus sameSecret = clusters.cluster(prefix).bus();
    ClusterBus otherSecret = clusters.track(RedisCluster.builder(RedisServer.shared().uri()).prefix(prefix)
        .clusterSecret(bytes("another secret, also 32 bytes or longer")).build()).bus();
    UnifiedJedis plain = clusters.plain();
    BlockingQueue<byte[]> received = new LinkedBlockingQueue<>();
    bus.subscribe("answers", received::add);

    otherSecret.publish("answers", bytes("from another cluster"));
    plain.publish(bytes(prefix + "bus:answers"), bytes("not signed at all"));
    plain.publish(bytes(prefix + "bus:answers"), new byte[0]);
    // a genuine message of another topic, published again on this one
    byte[] signedOther = new MessageSigner(TestClusters.SECRET).sign(bytes(prefix + "bus:other"), bytes("moved"));
    plain.publish(bytes(prefix + "bus:answers"), signedOther);
    byte[] tampered = new MessageSigner(TestClusters.SECRET).sign(bytes(prefix + "bus:answers"), bytes("original"));
    tampered[tampered.length - 1] ^= 1;
    plain.publish(bytes(prefix + "bus:answers"), tampered);
    sameSecret.publish("answers", bytes("genuine"));

    assertThat(next(received)).isEqualTo("genuine");
    assertThat(received).isEmpty();
    Await.until(WAIT, "five messages dropped", () -> bus.rejectedMessages() == 5);
  }

  @Test
  void prefixesKeepGatewaysApart() throws Exception {
    ClusterBus one = clusters.cluster().bus();
    ClusterBus other = clusters.cluster().bus();
    BlockingQueue<byte[]> received = new LinkedBlockingQueue<>();
    one.subscribe("t", received::add);

    other.publish("t", bytes("other gateway"));
    one.publish("t", bytes("own gateway"));

    assertThat(next(received)).isEqualTo("own gateway");
    assertThat(received).isEmpty();
  }

  @Test
  void theBusNeedsAClusterSecretOfAtLeast32Bytes() {
    RedisCluster withoutSecret = clusters.track(RedisCluster.builder(RedisServer.shared().uri()).build());

    assertThatThrownBy(withoutSecret::bus).isInstanceOf(IllegalStateException.class).hasMessageContaining("clusterSecret");
    assertThatThrownBy(() -> RedisCluster.builder(RedisServer.shared().uri()).clusterSecret(new byte[31]))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("at least 32 bytes");
  }

  @Test
  void oneBusPerClusterUntilItIsClosed() {
    RedisCluster cluster = clusters.cluster();
    ClusterBus bus = cluster.bus();
    assertThat(cluster.bus()).isSameAs(bus);

    bus.close();

    assertThat(cluster.bus()).isNotSameAs(bus);
  }
}
