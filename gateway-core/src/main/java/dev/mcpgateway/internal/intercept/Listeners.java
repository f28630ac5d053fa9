package dev.mcpgateway.internal.intercept;

import dev.mcpgateway.GatewayListener;
import dev.mcpgateway.auth.Identity;
import dev.mcpgateway.config.GatewayConfig;
import java.util.List;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** Tells every listener of an event; one that throws is logged and the others still hear it. */
public final class Listeners implements GatewayListener {
  private static final Logger LOG = LoggerFactory.getLogger(Listeners.class);

  private final List<GatewayListener> listeners;

  public Listeners(List<GatewayListener> listeners) {
    this.listeners = List.copyOf(listeners);
  }

  private void each(Consumer<GatewayListener> event) {
    for (GatewayListener listener : listeners) {
      try {
        event.accept(listener);
      } catch (RuntimeException e) {
        LOG.error("Gateway listener {} failed", listener, e);
      }
    }
  }

  @Override
  public void configLoaded(GatewayConfig config) {
    each(l -> l.configLoaded(config));
  }

  @Override
  public void gatewayStarted(dev.mcpgateway.McpGateway gateway) {
    each(l -> l.gatewayStarted(gateway));
  }

  @Override
  public void rateLimited(String server, String identity) {
    each(l -> l.rateLimited(server, identity));
  }

  @Override
  public void authenticated(Identity identity, String server, String remoteAddress) {
    each(l -> l.authenticated(identity, server, remoteAddress));
  }

  @Override
  public void authenticationFailed(String reason, String remoteAddress, String path) {
    each(l -> l.authenticationFailed(reason, remoteAddress, path));
  }

  @Override
  public void serverStarted(String server, String identity, String backend) {
    each(l -> l.serverStarted(server, identity, backend));
  }

  @Override
  public void serverStopped(String server, String identity, String reason) {
    each(l -> l.serverStopped(server, identity, reason));
  }

  @Override
  public void error(String server, String message) {
    each(l -> l.error(server, message));
  }
}
