package dev.mcpgateway.spring.boot;

import dev.mcpgateway.McpGateway;
import java.util.Objects;
import org.springframework.boot.web.server.context.WebServerApplicationContext;
import org.springframework.context.SmartLifecycle;

/**
 * Closes the gateway when the application stops, before the web server's graceful shutdown
 * begins: the gateway lets requests in flight finish (its drain timeout), answers new ones with
 * 503, ends every event stream and session and stops every backend, while the web server still
 * serves; the graceful shutdown that follows then finds no open stream to wait for.
 *
 * <p>Its {@link #PHASE} lies above {@link WebServerApplicationContext#GRACEFUL_SHUTDOWN_PHASE} (the
 * graceful shutdown; the web server itself stops later still, at
 * {@link WebServerApplicationContext#START_STOP_LIFECYCLE_PHASE}), since lifecycles stop from the
 * highest phase down, and below the default phase of application lifecycles, which stop first.
 */
public final class McpGatewayLifecycle implements SmartLifecycle {
  /** The phase: between the default phase and the web server's graceful shutdown. */
  public static final int PHASE = WebServerApplicationContext.GRACEFUL_SHUTDOWN_PHASE + 512;

  private final McpGateway gateway;
  private volatile boolean running;

  /**
   * Closes {@code gateway} when stopped.
   *
   * @param gateway the gateway to close
   */
  public McpGatewayLifecycle(McpGateway gateway) {
    this.gateway = Objects.requireNonNull(gateway, "gateway");
  }

  @Override
  public void start() {
    running = true;
  }

  /** Closes the gateway; returns when its backends are gone. */
  @Override
  public void stop() {
    running = false;
    gateway.close();
  }

  @Override
  public boolean isRunning() {
    return running;
  }

  @Override
  public int getPhase() {
    return PHASE;
  }
}
