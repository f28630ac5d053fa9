package dev.mcpgateway.backend;

import dev.mcpgateway.config.BackendKind;
import dev.mcpgateway.config.ServerConfig;
import java.io.IOException;

/**
 * Starts a backend MCP server and hands back its JSON-RPC message channel.
 *
 * <p>The gateway calls {@link #launch(LaunchRequest)} on its own launch threads, never on a
 * transport thread, so an implementation may block while it starts a process or container.
 * The returned {@link Backend} is owned by the gateway, which closes it when the last session
 * using it ends. Launchers are registered per {@link BackendKind}:
 *
 * <pre>{@code
 * McpGateway gateway = McpGateway.builder(config)
 *     .launcher(BackendKind.CONTAINER, DockerBackendLauncher.create())
 *     .launcher(BackendKind.COMMAND, BackendLauncher.process())   // opt-in: runs on the host
 *     .launcher(BackendKind.HTTP, BackendLauncher.http())         // remote servers
 *     .build();
 * }</pre>
 */
@FunctionalInterface
public interface BackendLauncher extends AutoCloseable {

  /**
   * Starts the server described by {@code request} and returns its channel, with the reader
   * already delivering to {@link LaunchRequest#listener()}.
   *
   * @param request what to start and where its messages go
   * @return the running backend
   * @throws IOException when the backend cannot be started; the message reaches the client,
   *     so it must name the server and must not contain environment values
   */
  Backend launch(LaunchRequest request) throws IOException;

  /**
   * Checks, when the gateway is built, that this launcher can run {@code server} (for example
   * that its container arguments and mounts are allowed), so that a configuration it would refuse
   * fails at start rather than at first use. The default accepts everything.
   *
   * @param server the server's configuration
   * @throws dev.mcpgateway.config.ConfigException naming the JSON path of the problem and the fix
   */
  default void validate(ServerConfig server) {}

  /**
   * Releases what the launcher holds (for example a Docker client); called by the gateway when
   * it closes, after every backend it started is closed. The default does nothing.
   */
  @Override
  default void close() {}

  /**
   * The opt-in launcher that runs {@code command} servers as child processes of the gateway,
   * without isolation. Use containers where you can.
   *
   * @return a process launcher with the defaults of {@link ProcessBackendLauncher#builder()}
   */
  static BackendLauncher process() {
    return ProcessBackendLauncher.builder().build();
  }

  /**
   * The launcher that reaches {@code "type": "http"} servers over Streamable HTTP (with the
   * HTTP+SSE fallback); see {@link HttpBackendLauncher}.
   *
   * @return an HTTP launcher with the defaults of {@link HttpBackendLauncher#create()}
   */
  static BackendLauncher http() {
    return HttpBackendLauncher.create();
  }
}
