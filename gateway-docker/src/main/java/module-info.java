/**
 * A {@code BackendLauncher} that runs each stdio MCP server in a hardened Docker container,
 * through docker-java (none of whose types appear in this module's API).
 *
 * <p>docker-java's jars are automatic modules; their names are the stable
 * {@code Automatic-Module-Name}s of their manifests, hence the suppressed warning.
 */
@SuppressWarnings("requires-automatic")
module dev.mcpgateway.docker {
  requires transitive dev.mcpgateway.core;
  requires com.github.dockerjava.api;
  requires com.github.dockerjava.core;
  requires com.github.dockerjava.transport.httpclient5;
  requires org.slf4j;

  exports dev.mcpgateway.docker;
}
