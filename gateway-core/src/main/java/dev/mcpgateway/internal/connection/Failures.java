package dev.mcpgateway.internal.connection;

import dev.mcpgateway.GatewayException;
import java.util.concurrent.CompletionException;

/** Turns what a backend's start failed with into the error a client gets. */
public final class Failures {
  private Failures() {}

  /** The gateway error inside {@code failure}; else a 503 that names the server and nothing else. */
  public static GatewayException of(Throwable failure, String server) {
    Throwable cause = failure instanceof CompletionException && failure.getCause() != null ? failure.getCause() : failure;
    if (cause instanceof GatewayException) {
      return (GatewayException) cause;
    }
    return new GatewayException(503, GatewayException.BACKEND_ERROR, "server '" + server + "' is unavailable");
  }
}
