/**
 * Redis for a gateway that runs as several replicas: {@code RedisCluster} owns the connections
 * and hands out a shared {@code SessionStore}, a shared {@code EventStore} and a signed
 * {@code ClusterBus}.
 *
 * <p>No Jedis type appears in the API, so only the core is required transitively. Jedis is an
 * automatic module; its name is the stable {@code Automatic-Module-Name} of its manifest, hence
 * the suppressed warning.
 */
@SuppressWarnings("requires-automatic")
module dev.mcpgateway.redis {
  requires transitive dev.mcpgateway.core;
  requires redis.clients.jedis;
  requires org.slf4j;

  exports dev.mcpgateway.redis;
}
