package dev.mcpgateway;

/**
 * The one unchecked exception root of the gateway: carries the HTTP status and the JSON-RPC
 * error code with which the failure is answered.
 *
 * <p>Messages are written for the client and must never contain secrets.
 */
public class GatewayException extends RuntimeException {
  private static final long serialVersionUID = 1L;

  /** JSON-RPC: invalid JSON. */
  public static final int PARSE_ERROR = -32700;
  /** JSON-RPC: not a valid request object. */
  public static final int INVALID_REQUEST = -32600;
  /** JSON-RPC: the method does not exist. */
  public static final int METHOD_NOT_FOUND = -32601;
  /** JSON-RPC: invalid method parameters. */
  public static final int INVALID_PARAMS = -32602;
  /** JSON-RPC: internal error. */
  public static final int INTERNAL_ERROR = -32603;
  /** Implementation-defined: a backend server failed, stopped or is unavailable. */
  public static final int BACKEND_ERROR = -32000;
  /** Implementation-defined: the request timed out. */
  public static final int TIMEOUT = -32001;
  /** Implementation-defined: a gateway policy refused the request. */
  public static final int DENIED = -32003;
  /** Implementation-defined: a per-caller quota is used up (such as the payload disk quota). */
  public static final int QUOTA_EXCEEDED = -32004;
  /** Implementation-defined: a call inside a batch was over the caller's rate limit and did not run. */
  public static final int RATE_LIMITED = -32005;

  /** The HTTP status with which this failure is answered. */
  private final int httpStatus;
  /** The JSON-RPC error code with which this failure is answered. */
  private final int jsonRpcCode;

  /**
   * Creates an exception answered with the given HTTP status and JSON-RPC code.
   *
   * @param httpStatus the HTTP status of the answer
   * @param jsonRpcCode the JSON-RPC error code, such as one of the constants of this class
   * @param message the message for the client
   */
  public GatewayException(int httpStatus, int jsonRpcCode, String message) {
    super(message);
    this.httpStatus = httpStatus;
    this.jsonRpcCode = jsonRpcCode;
  }

  /**
   * Creates an exception with a cause, for logs; the cause never reaches a client.
   *
   * @param httpStatus the HTTP status of the answer
   * @param jsonRpcCode the JSON-RPC error code
   * @param message the message for the client
   * @param cause the underlying failure
   */
  public GatewayException(int httpStatus, int jsonRpcCode, String message, Throwable cause) {
    super(message, cause);
    this.httpStatus = httpStatus;
    this.jsonRpcCode = jsonRpcCode;
  }

  /** {@return the HTTP status with which this failure is answered} */
  public int httpStatus() {
    return httpStatus;
  }

  /** {@return the JSON-RPC error code with which this failure is answered} */
  public int jsonRpcCode() {
    return jsonRpcCode;
  }
}
