package dev.mcpgateway.redis;

import dev.mcpgateway.GatewayException;

/**
 * Redis could not serve a store or bus operation: it did not answer within the timeout, refused
 * the connection, or answered with an error. Answered as 503 (the request may be retried, on this
 * replica or another), with JSON-RPC code {@link GatewayException#INTERNAL_ERROR}.
 *
 * <p>The message says what failed, without addresses or credentials; the cause, for logs, has
 * the client's details. Nothing needs to be rebuilt after it: the connections come back by
 * themselves when Redis does.
 */
public final class RedisUnavailableException extends GatewayException {
  private static final long serialVersionUID = 1L;

  /**
   * Creates the exception; {@code message} is shown to clients.
   *
   * @param message what failed, without addresses or credentials
   * @param cause the Redis client's error, for logs
   */
  public RedisUnavailableException(String message, Throwable cause) {
    super(503, INTERNAL_ERROR, message, cause);
  }
}
