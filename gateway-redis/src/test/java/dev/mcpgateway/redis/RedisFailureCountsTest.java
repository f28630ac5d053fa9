package dev.mcpgateway.redis;

import static org.assertj.core.api.Assertions.assertThat;

import dev.mcpgateway.await.Await;
import dev.mcpgateway.cluster.SharedFailureCounts;
import dev.mcpgateway.cluster.SharedFailureCounts.Failures;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import redis.clients.jedis.UnifiedJedis;

/** Failure counts of two replicas on one Redis: one count, one lock-out, keys that name digests and go away. */
class RedisFailureCountsTest {
  private static final String HOST = "apikey:203.0.113.7";
  private final TestClusters clusters = new TestClusters(RedisServer.shared());

  @AfterEach
  void closeClusters() {
    clusters.close();
  }

  @Test
  void failuresOnTwoReplicasCountTogetherAndTheOneThatReachesTheMaximumLocksTheKeyOut() {
    String prefix = TestClusters.newPrefix();
    SharedFailureCounts a = clusters.cluster(prefix).failureCounts();
    SharedFailureCounts b = clusters.cluster(prefix).failureCounts();
    Duration window = Duration.ofMinutes(1);

    assertThat(a.recordFailure(HOST, 3, window)).isEqualTo(new Failures(1, Duration.ZERO));
    assertThat(b.recordFailure(HOST, 3, window)).isEqualTo(new Failures(2, Duration.ZERO));
    assertThat(b.lockedFor(HOST)).isZero();
    Failures third = a.recordFailure(HOST, 3, window);

    assertThat(third.count()).isEqualTo(3);
    assertThat(third.lockedNow(3)).isTrue();
    assertThat(b.lockedFor(HOST)).isPositive().isLessThanOrEqualTo(window);
    Failures whileLocked = b.recordFailure(HOST, 3, window);
    assertThat(whileLocked.count()).as("not counted while locked out").isZero();
    assertThat(whileLocked.lockedFor()).isPositive();
    assertThat(a.lockedFor("apikey:203.0.113.8")).isZero();
  }

  @Test
  void aKeyNamesADigestOfTheHostAndHasATtl() {
    String prefix = TestClusters.newPrefix();
    RedisFailureCounts counts = clusters.cluster(prefix).failureCounts();
    counts.recordFailure(HOST, 3, Duration.ofMinutes(1));
    UnifiedJedis redis = clusters.plain();

    List<String> keys = TestClusters.keys(redis, prefix);
    assertThat(keys).containsExactly(prefix + "failures:" + counts.digest(HOST));
    assertThat(keys.get(0)).doesNotContain("203.0.113");
    assertThat(redis.hgetAll(keys.get(0)).toString()).doesNotContain("203.0.113");
    assertThat(redis.pttl(keys.get(0))).isPositive().isLessThanOrEqualTo(60_000);
    RedisCluster withoutSecret = clusters.track(RedisCluster.builder(RedisServer.shared().uri()).prefix(prefix).build());
    assertThat(withoutSecret.failureCounts().digest(HOST)).as("keyed by the cluster secret when there is one")
        .isNotEqualTo(counts.digest(HOST)).hasSize(32);
  }

  @Test
  void theCountAndTheLockOutGoAwayAfterTheWindow() {
    String prefix = TestClusters.newPrefix();
    SharedFailureCounts counts = clusters.cluster(prefix).failureCounts();
    Duration window = Duration.ofMillis(300);
    counts.recordFailure(HOST, 2, window);
    assertThat(counts.recordFailure(HOST, 2, window).lockedFor()).isPositive();

    Await.until(Duration.ofSeconds(10), "the lock-out ends", () -> counts.lockedFor(HOST).isZero());

    Await.until(Duration.ofSeconds(10), "the key goes with its TTL", () -> TestClusters.keys(clusters.plain(), prefix).isEmpty());
    assertThat(counts.recordFailure(HOST, 2, window).count()).as("counting starts again").isEqualTo(1);
    Await.until(Duration.ofSeconds(10), "a window without a lock-out ends too",
        () -> TestClusters.keys(clusters.plain(), prefix).isEmpty());
  }
}
