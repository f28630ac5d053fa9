package dev.mcpgateway.backend;

import dev.mcpgateway.config.ServerConfig;
import java.time.Duration;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;
import java.util.function.UnaryOperator;

/**
 * Everything a {@link BackendLauncher} needs to start one backend.
 *
 * <p>Immutable. {@link #environment()} holds secrets: a launcher passes them to the backend
 * and never logs them; whatever the backend writes that a launcher logs (its stderr) goes
 * through {@link #redactor()} first, best with {@link StderrLines}.
 */
public final class LaunchRequest {
  private final ServerConfig server;
  private final String sessionKey;
  private final Map<String, String> environment;
  private final BackendListener listener;
  private final int maxMessageBytes;
  private final Duration startupTimeout;
  private final UnaryOperator<String> redactor;

  private LaunchRequest(Builder b) {
    this.server = b.server;
    this.sessionKey = b.sessionKey;
    this.environment = Collections.unmodifiableMap(new LinkedHashMap<>(b.environment));
    this.listener = b.listener;
    this.maxMessageBytes = b.maxMessageBytes;
    this.startupTimeout = b.startupTimeout;
    this.redactor = b.redactor != null ? b.redactor : environmentRedactor(server.name(), environment);
  }

  /** Replaces the environment's values (of 6 characters or more) with {@code [REDACTED:secret]}. */
  private static UnaryOperator<String> environmentRedactor(String server, Map<String, String> environment) {
    dev.mcpgateway.policy.Redaction redaction = dev.mcpgateway.policy.Redaction.builder().credentials(false)
        .secrets(server, environment.values()).build();
    return text -> redaction.redact(server, text);
  }

  /**
   * Starts a request for {@code server}, delivering to {@code listener}.
   *
   * @param server the server to start
   * @param listener where the backend's messages and exit go
   * @return a new builder
   */
  public static Builder builder(ServerConfig server, BackendListener listener) {
    return new Builder(server, listener);
  }

  /** {@return the server to start} */
  public ServerConfig server() {
    return server;
  }

  /**
   * {@return the one-way digest that identifies whose backend this is (a caller's session key, or an
   * MCP session for per-session servers); safe for labels and logs}
   */
  public String sessionKey() {
    return sessionKey;
  }

  /**
   * {@return the backend's environment with pass-through values resolved: exactly the variables the
   * configuration names} Values are secrets.
   */
  public Map<String, String> environment() {
    return environment;
  }

  /** {@return where the backend's messages and exit go} */
  public BackendListener listener() {
    return listener;
  }

  /** {@return the largest message the launcher delivers; longer lines are discarded with a log line} */
  public int maxMessageBytes() {
    return maxMessageBytes;
  }

  /** {@return how long starting may take before the launch fails} */
  public Duration startupTimeout() {
    return startupTimeout;
  }

  /**
   * Redacts a text the backend produced before a launcher logs it (a stderr line): the gateway's
   * redaction for this server, which always covers the {@link #environment()} values. By default
   * (a request not built by a gateway) the environment's values alone. Thread-safe.
   *
   * @return the redaction, applied to each text before it is logged
   */
  public UnaryOperator<String> redactor() {
    return redactor;
  }

  @Override
  public String toString() {
    return "LaunchRequest{" + server.name() + ", sessionKey=" + sessionKey + ", env=" + environment.keySet() + "}";
  }

  /** Builds a {@link LaunchRequest}. */
  public static final class Builder {
    private final ServerConfig server;
    private final BackendListener listener;
    private String sessionKey = "anonymous";
    private final Map<String, String> environment = new LinkedHashMap<>();
    private int maxMessageBytes = 64 * 1024 * 1024;
    private Duration startupTimeout = Duration.ofSeconds(60);
    private UnaryOperator<String> redactor;

    private Builder(ServerConfig server, BackendListener listener) {
      this.server = Objects.requireNonNull(server, "server");
      this.listener = Objects.requireNonNull(listener, "listener");
    }

    /**
     * Sets whose backend this is (a digest, never a credential).
     *
     * @param sessionKey the digest
     * @return this builder
     */
    public Builder sessionKey(String sessionKey) {
      this.sessionKey = Objects.requireNonNull(sessionKey, "sessionKey");
      return this;
    }

    /**
     * Sets the resolved environment.
     *
     * @param environment the variables and their values
     * @return this builder
     */
    public Builder environment(Map<String, String> environment) {
      this.environment.clear();
      this.environment.putAll(environment);
      return this;
    }

    /**
     * Sets the largest message delivered.
     *
     * @param bytes the limit
     * @return this builder
     */
    public Builder maxMessageBytes(int bytes) {
      if (bytes < 1024) {
        throw new IllegalArgumentException("maxMessageBytes must be at least 1024: " + bytes);
      }
      this.maxMessageBytes = bytes;
      return this;
    }

    /**
     * Sets the start-up timeout.
     *
     * @param timeout the timeout
     * @return this builder
     */
    public Builder startupTimeout(Duration timeout) {
      this.startupTimeout = Objects.requireNonNull(timeout, "startupTimeout");
      return this;
    }

    /**
     * Sets how the backend's texts are redacted before they are logged (default: the environment's values).
     *
     * @param redactor returns its argument with secrets replaced
     * @return this builder
     */
    public Builder redactor(UnaryOperator<String> redactor) {
      this.redactor = Objects.requireNonNull(redactor, "redactor");
      return this;
    }

    /**
     * Builds the request.
     *
     * @return the request
     */
    public LaunchRequest build() {
      return new LaunchRequest(this);
    }
  }
}
