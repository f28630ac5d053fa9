package dev.mcpgateway.config;

import java.io.IOException;
import java.io.Reader;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Collections;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;

/**
 * The whole gateway configuration: the {@code gateway} section and the {@code mcpServers}.
 *
 * <p>Immutable. Load it from JSON with {@link #parse(String)}, {@link #read(Reader)} or
 * {@link #read(Path)} (the seed's shape, see {@link ConfigLoader}), or build it in code:
 *
 * <pre>{@code
 * GatewayConfig config = GatewayConfig.builder()
 *     .apiKey(System.getenv("MCP_GATEWAY_API_KEY"))
 *     .server(ServerConfig.container("ghcr.io/github/github-mcp-server:v1.2.3")
 *         .passEnv("GITHUB_PERSONAL_ACCESS_TOKEN")
 *         .build("github"))
 *     .build();
 * }</pre>
 */
public final class GatewayConfig {
  /** Default port of the standalone runner. */
  public static final int DEFAULT_PORT = 8000;
  /** Default time a backend may take to start and answer {@code initialize}. */
  public static final Duration DEFAULT_STARTUP_TIMEOUT = Duration.ofSeconds(60);
  /** Default time one request may wait for its answer. */
  public static final Duration DEFAULT_TOOL_TIMEOUT = Duration.ofSeconds(600);
  /** Default directory of offloaded payloads. */
  public static final Path DEFAULT_PAYLOAD_DIR = Path.of("/tmp/jq-payloads");
  /** Default size above which a tool result is offloaded to the payload store. */
  public static final long DEFAULT_PAYLOAD_SIZE_THRESHOLD = 512 * 1024;
  /** Default most bytes of offloaded payloads one caller may keep on disk: 1 GiB. */
  public static final long DEFAULT_PAYLOAD_QUOTA_BYTES = 1L << 30;
  /** Default largest message taken from a backend: 64 MiB. */
  public static final int DEFAULT_MAX_MESSAGE_BYTES = 64 * 1024 * 1024;
  /** Default idle time after which an MCP session expires. */
  public static final Duration DEFAULT_SESSION_TIMEOUT = Duration.ofMinutes(30);
  /** Default most MCP sessions held at once. */
  public static final int DEFAULT_MAX_SESSIONS = 10_000;
  /** Default most MCP sessions one caller (one key) holds at once. */
  public static final int DEFAULT_MAX_SESSIONS_PER_CALLER = 100;
  /** Default most backend instances of one server that one caller's sessions run at once to receive server requests. */
  public static final int DEFAULT_MAX_BACKENDS_PER_CALLER = 4;

  private final String apiKey;
  private final List<String> agentIds;
  private final List<String> ignoredSettings;
  private final String adminKey;
  private final boolean closeWithoutAuthentication;
  private final int maxSessionsPerCaller;
  private final int maxBackendsPerCaller;
  private final ClusterConfig cluster;
  private final int port;
  private final String domain;
  private final Duration startupTimeout;
  private final Duration toolTimeout;
  private final Path payloadDir;
  private final long payloadSizeThreshold;
  private final String payloadPathPrefix;
  private final long payloadQuotaBytes;
  private final int maxMessageBytes;
  private final Duration sessionTimeout;
  private final int maxSessions;
  private final RateLimit rateLimit;
  private final Map<String, ServerConfig> servers;
  private final boolean redactPrivateAddresses;
  private final boolean redactInternalHostNames;
  private final int maxTextChars;
  private final ToolPinningMode toolPinning;
  private final Path auditFile;

  private GatewayConfig(Builder b) {
    this.apiKey = b.apiKey;
    this.agentIds = List.copyOf(b.agentIds);
    this.ignoredSettings = List.copyOf(b.ignoredSettings);
    this.adminKey = b.adminKey;
    this.closeWithoutAuthentication = b.closeWithoutAuthentication;
    this.maxSessionsPerCaller = b.maxSessionsPerCaller;
    this.maxBackendsPerCaller = b.maxBackendsPerCaller;
    this.cluster = b.cluster;
    this.port = b.port;
    this.domain = b.domain;
    this.startupTimeout = b.startupTimeout;
    this.toolTimeout = b.toolTimeout;
    this.payloadDir = b.payloadDir;
    this.payloadSizeThreshold = b.payloadSizeThreshold;
    this.payloadPathPrefix = b.payloadPathPrefix;
    this.payloadQuotaBytes = b.payloadQuotaBytes;
    this.maxMessageBytes = b.maxMessageBytes;
    this.sessionTimeout = b.sessionTimeout;
    this.maxSessions = b.maxSessions;
    this.rateLimit = b.rateLimit;
    this.servers = Collections.unmodifiableMap(new LinkedHashMap<>(b.servers));
    this.redactPrivateAddresses = b.redactPrivateAddresses;
    this.redactInternalHostNames = b.redactInternalHostNames;
    this.maxTextChars = b.maxTextChars;
    this.toolPinning = b.toolPinning;
    this.auditFile = b.auditFile;
  }

  /**
   * Starts an empty configuration.
   *
   * @return a new builder
   */
  public static Builder builder() {
    return new Builder();
  }

  /**
   * Parses JSON text, expanding {@code ${VAR}} from the process environment.
   *
   * @param json the configuration's JSON text
   * @return the configuration
   * @throws ConfigException when the configuration is invalid, naming the JSON path at fault
   */
  public static GatewayConfig parse(String json) {
    return ConfigLoader.withSystemEnvironment().parse(json);
  }

  /**
   * Reads JSON from {@code reader} (not closed), expanding {@code ${VAR}} from the process environment.
   *
   * @param reader where to read the JSON
   * @return the configuration
   * @throws IOException when reading fails
   * @throws ConfigException when the configuration is invalid, naming the JSON path at fault
   */
  public static GatewayConfig read(Reader reader) throws IOException {
    return ConfigLoader.withSystemEnvironment().read(reader);
  }

  /**
   * Reads a JSON file, expanding {@code ${VAR}} from the process environment.
   *
   * @param file the file to read
   * @return the configuration
   * @throws IOException when the file cannot be read
   * @throws ConfigException when the configuration is invalid, naming the JSON path at fault
   */
  public static GatewayConfig read(Path file) throws IOException {
    return ConfigLoader.withSystemEnvironment().read(file);
  }

  /** {@return the gateway API key from {@code gateway.apiKey}; empty when not configured} A secret. */
  public Optional<String> apiKey() {
    return Optional.ofNullable(apiKey);
  }

  /**
   * {@return the agent identifiers from {@code gateway.agentId} (one) or {@code gateway.agentIds}
   * (several), in order; empty when none is configured} Clients send one of them in
   * {@code Authorization}, like an API key, and each is an identity of its own: its sessions,
   * backends and payloads are apart from every other agent's. Secrets.
   */
  public List<String> agentIds() {
    return agentIds;
  }

  /**
   * {@return the JSON paths of settings of the MCP gateway specification that were accepted but that
   * this gateway does not act on (such as {@code $.gateway.trustedBots}), in the order they
   * were read; empty for a configuration built in code} The loader logs them in one WARN.
   */
  public List<String> ignoredSettings() {
    return ignoredSettings;
  }

  /**
   * {@return the admin key from {@code gateway.adminKey}: the only key that may use {@code POST /close};
   * empty when not configured (then no key may)} A secret.
   */
  public Optional<String> adminKey() {
    return Optional.ofNullable(adminKey);
  }

  /**
   * {@return whether {@code POST /close} is served while authentication is off
   * ({@code gateway.closeWithoutAuthentication}; default no: refused with 403)}
   */
  public boolean closeWithoutAuthentication() {
    return closeWithoutAuthentication;
  }

  /**
   * {@return the most MCP sessions one caller holds at once ({@code gateway.maxSessionsPerCaller}; default
   * {@value #DEFAULT_MAX_SESSIONS_PER_CALLER}, never more than {@link #maxSessions()}); a caller
   * past it gets 429 until it ends sessions}
   */
  public int maxSessionsPerCaller() {
    return Math.min(maxSessionsPerCaller, maxSessions);
  }

  /**
   * {@return the most backend instances of one server that one caller's sessions may run at once for
   * sessions that can receive server-to-client requests ({@code gateway.maxBackendsPerCaller};
   * default {@value #DEFAULT_MAX_BACKENDS_PER_CALLER}); a server may set its own,
   * {@link ServerConfig#maxBackendsPerCaller()}} Such a session holds an instance exclusively
   * while it has calls in flight; past the bound, a call waits for one to free, within its tool
   * timeout. The one instance shared by sessions that declared no such capability is not counted.
   */
  public int maxBackendsPerCaller() {
    return maxBackendsPerCaller;
  }

  /**
   * Cluster mode ({@code gateway.cluster}): replicas sharing sessions through Redis; empty for a
   * gateway on its own. The runner, and host applications that add {@code gateway-redis}, build
   * the shared stores from it.
   *
   * @return the cluster settings; empty when not configured
   */
  public Optional<ClusterConfig> cluster() {
    return Optional.ofNullable(cluster);
  }

  /** {@return the port a standalone runner listens on} */
  public int port() {
    return port;
  }

  /** {@return the host name clients use to reach the gateway, if configured} */
  public Optional<String> domain() {
    return Optional.ofNullable(domain);
  }

  /** {@return the default start-up timeout of a backend} */
  public Duration startupTimeout() {
    return startupTimeout;
  }

  /** {@return the default time one request may wait for its answer} */
  public Duration toolTimeout() {
    return toolTimeout;
  }

  /** {@return the directory of offloaded payloads} */
  public Path payloadDir() {
    return payloadDir;
  }

  /** {@return the size in bytes above which a tool result is offloaded} */
  public long payloadSizeThreshold() {
    return payloadSizeThreshold;
  }

  /** {@return the prefix that replaces {@link #payloadDir()} in paths shown to clients} */
  public Optional<String> payloadPathPrefix() {
    return Optional.ofNullable(payloadPathPrefix);
  }

  /**
   * {@return the most bytes of offloaded payloads one caller (one session key) may keep on disk
   * ({@code payloadQuotaBytes}; default 1 GiB)} A result that would go over it is answered with
   * a JSON-RPC error; a caller's payloads are deleted when its last session ends.
   */
  public long payloadQuotaBytes() {
    return payloadQuotaBytes;
  }

  /**
   * {@return the largest message taken from a backend ({@code maxMessageBytes}; default 64 MiB); longer
   * ones are discarded and logged} A {@code tools/call} result over the payload threshold is
   * streamed to the payload store as it arrives and never held, so raising this costs disk (up to
   * the caller's quota), not heap; other messages are handled in memory, up to this size.
   */
  public int maxMessageBytes() {
    return maxMessageBytes;
  }

  /** {@return how long an MCP session may stay idle before it expires; empty means never} */
  public Optional<Duration> sessionTimeout() {
    return Optional.ofNullable(sessionTimeout);
  }

  /** {@return the most MCP sessions held at once; new ones beyond it get 503} */
  public int maxSessions() {
    return maxSessions;
  }

  /**
   * {@return the rate limit per caller across servers ({@code gateway.rateLimit}); empty means no limit}
   * A server with its own {@link ServerConfig#rateLimit()} uses that instead.
   */
  public Optional<RateLimit> rateLimit() {
    return Optional.ofNullable(rateLimit);
  }

  /** {@return the servers, by name, in configuration order} */
  public Map<String, ServerConfig> servers() {
    return servers;
  }

  /** {@return whether answers also lose private IPv4 addresses ({@code redaction.privateAddresses}; default no)} */
  public boolean redactPrivateAddresses() {
    return redactPrivateAddresses;
  }

  /** {@return whether answers also lose internal host names ({@code redaction.internalHostNames}; default no)} */
  public boolean redactInternalHostNames() {
    return redactInternalHostNames;
  }

  /**
   * Texts in answers longer than this are truncated ({@code redaction.maxTextChars}); 0, the default, keeps all.
   *
   * @return the limit in characters; 0 for none
   */
  public int maxTextChars() {
    return maxTextChars;
  }

  /** {@return whether and how tool definitions are pinned ({@code toolPinning}; default {@link ToolPinningMode#OFF})} */
  public ToolPinningMode toolPinning() {
    return toolPinning;
  }

  /** {@return a file the audit trail is also appended to ({@code auditFile}); empty when only the {@code audit} logger gets it} */
  public Optional<Path> auditFile() {
    return Optional.ofNullable(auditFile);
  }

  /** {@return a builder holding this configuration's values} */
  public Builder toBuilder() {
    Builder b = new Builder();
    b.apiKey = apiKey;
    b.agentIds.addAll(agentIds);
    b.ignoredSettings.addAll(ignoredSettings);
    b.adminKey = adminKey;
    b.closeWithoutAuthentication = closeWithoutAuthentication;
    b.maxSessionsPerCaller = maxSessionsPerCaller;
    b.maxBackendsPerCaller = maxBackendsPerCaller;
    b.cluster = cluster;
    b.port = port;
    b.domain = domain;
    b.startupTimeout = startupTimeout;
    b.toolTimeout = toolTimeout;
    b.payloadDir = payloadDir;
    b.payloadSizeThreshold = payloadSizeThreshold;
    b.payloadPathPrefix = payloadPathPrefix;
    b.payloadQuotaBytes = payloadQuotaBytes;
    b.maxMessageBytes = maxMessageBytes;
    b.sessionTimeout = sessionTimeout;
    b.maxSessions = maxSessions;
    b.rateLimit = rateLimit;
    b.servers.putAll(servers);
    b.redactPrivateAddresses = redactPrivateAddresses;
    b.redactInternalHostNames = redactInternalHostNames;
    b.maxTextChars = maxTextChars;
    b.toolPinning = toolPinning;
    b.auditFile = auditFile;
    return b;
  }

  @Override
  public String toString() {
    return "GatewayConfig{apiKey=" + (apiKey == null ? "none" : "set") + ", agentIds=" + agentIds.size()
        + ", adminKey=" + (adminKey == null ? "none" : "set")
        + ", port=" + port
        + ", servers=" + servers.values() + "}";
  }

  /** Builds a {@link GatewayConfig}. Not thread-safe. */
  public static final class Builder {
    private String apiKey;
    private final List<String> agentIds = new java.util.ArrayList<>();
    private final List<String> ignoredSettings = new java.util.ArrayList<>();
    private String adminKey;
    private boolean closeWithoutAuthentication;
    private int maxSessionsPerCaller = DEFAULT_MAX_SESSIONS_PER_CALLER;
    private int maxBackendsPerCaller = DEFAULT_MAX_BACKENDS_PER_CALLER;
    private ClusterConfig cluster;
    private int port = DEFAULT_PORT;
    private String domain;
    private Duration startupTimeout = DEFAULT_STARTUP_TIMEOUT;
    private Duration toolTimeout = DEFAULT_TOOL_TIMEOUT;
    private Path payloadDir = DEFAULT_PAYLOAD_DIR;
    private long payloadSizeThreshold = DEFAULT_PAYLOAD_SIZE_THRESHOLD;
    private String payloadPathPrefix;
    private long payloadQuotaBytes = DEFAULT_PAYLOAD_QUOTA_BYTES;
    private int maxMessageBytes = DEFAULT_MAX_MESSAGE_BYTES;
    private Duration sessionTimeout = DEFAULT_SESSION_TIMEOUT;
    private int maxSessions = DEFAULT_MAX_SESSIONS;
    private RateLimit rateLimit;
    private final Map<String, ServerConfig> servers = new LinkedHashMap<>();
    private boolean redactPrivateAddresses;
    private boolean redactInternalHostNames;
    private int maxTextChars;
    private ToolPinningMode toolPinning = ToolPinningMode.OFF;
    private Path auditFile;

    private Builder() {}

    /**
     * Sets the API key clients must send; {@code null} or empty turns authentication off.
     *
     * @param apiKey the key, a secret
     * @return this builder
     */
    public Builder apiKey(String apiKey) {
      this.apiKey = apiKey == null || apiKey.isEmpty() ? null : apiKey;
      return this;
    }

    /**
     * Sets the one agent identifier clients send in {@code Authorization}
     * ({@code gateway.agentId}); {@code null} or empty for none. Replaces earlier agent ids.
     *
     * @param agentId the identifier, a secret
     * @return this builder
     */
    public Builder agentId(String agentId) {
      return agentIds(agentId == null || agentId.isEmpty() ? List.of() : List.of(agentId));
    }

    /**
     * Sets the agent identifiers ({@code gateway.agentIds}), each an identity of its own;
     * replaces earlier ones. Each must be non-empty and different from the others.
     *
     * @param ids the identifiers, secrets
     * @return this builder
     */
    public Builder agentIds(List<String> ids) {
      Objects.requireNonNull(ids, "agentIds");
      java.util.Set<String> seen = new HashSet<>();
      for (int i = 0; i < ids.size(); i++) {
        String id = ids.get(i);
        if (id == null || id.isEmpty()) {
          throw new IllegalArgumentException("agentIds[" + i + "] is empty");
        }
        if (!seen.add(id)) {
          throw new IllegalArgumentException("agentIds[" + i + "] repeats an earlier agent id");
        }
      }
      this.agentIds.clear();
      this.agentIds.addAll(ids);
      return this;
    }

    /**
     * Records the JSON path of a specification setting accepted but not acted on; see {@link GatewayConfig#ignoredSettings()}.
     *
     * @param jsonPath the setting's JSON path, such as {@code $.gateway.trustedBots}
     * @return this builder
     */
    public Builder ignoredSetting(String jsonPath) {
      this.ignoredSettings.add(Objects.requireNonNull(jsonPath, "jsonPath"));
      return this;
    }

    /**
     * Sets the admin key, the only key allowed {@code POST /close}; {@code null} or empty for none.
     *
     * @param adminKey the key, a secret
     * @return this builder
     */
    public Builder adminKey(String adminKey) {
      this.adminKey = adminKey == null || adminKey.isEmpty() ? null : adminKey;
      return this;
    }

    /**
     * Serves {@code POST /close} while authentication is off (default: refused).
     *
     * @param allow {@code true} to serve it
     * @return this builder
     */
    public Builder closeWithoutAuthentication(boolean allow) {
      this.closeWithoutAuthentication = allow;
      return this;
    }

    /**
     * Sets the most MCP sessions one caller holds at once.
     *
     * @param max the limit, at least 1
     * @return this builder
     */
    public Builder maxSessionsPerCaller(int max) {
      if (max < 1) {
        throw new IllegalArgumentException("maxSessionsPerCaller must be at least 1: " + max);
      }
      this.maxSessionsPerCaller = max;
      return this;
    }

    /**
     * Turns on cluster mode; see {@link GatewayConfig#cluster()}. Null turns it off.
     *
     * @param cluster the cluster settings, or {@code null}
     * @return this builder
     */
    public Builder cluster(ClusterConfig cluster) {
      this.cluster = cluster;
      return this;
    }

    /**
     * Sets the most backend instances of one server per caller; see {@link GatewayConfig#maxBackendsPerCaller()}.
     *
     * @param max the bound, at least 1
     * @return this builder
     */
    public Builder maxBackendsPerCaller(int max) {
      if (max < 1) {
        throw new IllegalArgumentException("maxBackendsPerCaller must be at least 1: " + max);
      }
      this.maxBackendsPerCaller = max;
      return this;
    }

    /**
     * Sets the runner's port (1-65535, or 0 for any free port).
     *
     * @param port the port, or 0 for any free port
     * @return this builder
     */
    public Builder port(int port) {
      if (port < 0 || port > 65535) {
        throw new IllegalArgumentException("port must be 0-65535: " + port);
      }
      this.port = port;
      return this;
    }

    /**
     * Sets the host name clients use.
     *
     * @param domain the host name
     * @return this builder
     */
    public Builder domain(String domain) {
      this.domain = domain;
      return this;
    }

    /**
     * Sets the default start-up timeout of backends.
     *
     * @param timeout a positive duration
     * @return this builder
     */
    public Builder startupTimeout(Duration timeout) {
      this.startupTimeout = positive(timeout, "startupTimeout");
      return this;
    }

    /**
     * Sets the default time one request may wait for its answer.
     *
     * @param timeout a positive duration
     * @return this builder
     */
    public Builder toolTimeout(Duration timeout) {
      this.toolTimeout = positive(timeout, "toolTimeout");
      return this;
    }

    /**
     * Sets the payload directory.
     *
     * @param dir the directory
     * @return this builder
     */
    public Builder payloadDir(Path dir) {
      this.payloadDir = Objects.requireNonNull(dir, "payloadDir");
      return this;
    }

    /**
     * Sets the offload threshold in bytes.
     *
     * @param bytes the threshold, positive
     * @return this builder
     */
    public Builder payloadSizeThreshold(long bytes) {
      if (bytes <= 0) {
        throw new IllegalArgumentException("payloadSizeThreshold must be positive: " + bytes);
      }
      this.payloadSizeThreshold = bytes;
      return this;
    }

    /**
     * Sets the prefix shown to clients instead of the payload directory.
     *
     * @param prefix the prefix
     * @return this builder
     */
    public Builder payloadPathPrefix(String prefix) {
      this.payloadPathPrefix = prefix;
      return this;
    }

    /**
     * Sets the most bytes of payloads one caller may keep on disk (default 1 GiB); at least
     * {@link #payloadSizeThreshold(long)}, since every stored payload is larger than that.
     *
     * @param bytes the quota, positive
     * @return this builder
     */
    public Builder payloadQuotaBytes(long bytes) {
      if (bytes <= 0) {
        throw new IllegalArgumentException("payloadQuotaBytes must be positive: " + bytes);
      }
      this.payloadQuotaBytes = bytes;
      return this;
    }

    /**
     * Sets the largest message taken from a backend (default 64 MiB, at least 1024); see {@link GatewayConfig#maxMessageBytes()}.
     *
     * @param bytes the limit, at least 1024
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
     * Sets how long a session may stay idle; {@code null} means sessions never expire.
     *
     * @param timeout a positive duration, or {@code null}
     * @return this builder
     */
    public Builder sessionTimeout(Duration timeout) {
      this.sessionTimeout = timeout == null ? null : positive(timeout, "sessionTimeout");
      return this;
    }

    /**
     * Sets the most MCP sessions held at once.
     *
     * @param maxSessions the limit, at least 1
     * @return this builder
     */
    public Builder maxSessions(int maxSessions) {
      if (maxSessions < 1) {
        throw new IllegalArgumentException("maxSessions must be at least 1: " + maxSessions);
      }
      this.maxSessions = maxSessions;
      return this;
    }

    /**
     * Also redacts private IPv4 addresses (10/8, 172.16/12, 192.168/16, 169.254/16) in answers.
     *
     * @param redact {@code true} to redact them
     * @return this builder
     */
    public Builder redactPrivateAddresses(boolean redact) {
      this.redactPrivateAddresses = redact;
      return this;
    }

    /**
     * Also redacts internal host names ({@code *.internal}, {@code *.local}, {@code *.corp}...) in answers.
     *
     * @param redact {@code true} to redact them
     * @return this builder
     */
    public Builder redactInternalHostNames(boolean redact) {
      this.redactInternalHostNames = redact;
      return this;
    }

    /**
     * Truncates texts in answers longer than this many characters; 0 keeps all.
     *
     * @param chars the limit, or 0
     * @return this builder
     */
    public Builder maxTextChars(int chars) {
      if (chars < 0) {
        throw new IllegalArgumentException("maxTextChars must not be negative: " + chars);
      }
      this.maxTextChars = chars;
      return this;
    }

    /**
     * Sets whether and how tool definitions are pinned.
     *
     * @param mode the mode
     * @return this builder
     */
    public Builder toolPinning(ToolPinningMode mode) {
      this.toolPinning = Objects.requireNonNull(mode, "toolPinning");
      return this;
    }

    /**
     * Also appends the audit trail to this absolute file ({@code null} for none).
     *
     * @param file an absolute path, or {@code null}
     * @return this builder
     */
    public Builder auditFile(Path file) {
      if (file != null && !file.isAbsolute()) {
        throw new IllegalArgumentException("auditFile must be an absolute path: " + file);
      }
      this.auditFile = file;
      return this;
    }

    /**
     * Sets the rate limit per caller across servers; {@code null} (the default) means none.
     *
     * @param rateLimit the limit, or {@code null}
     * @return this builder
     */
    public Builder rateLimit(RateLimit rateLimit) {
      this.rateLimit = rateLimit;
      return this;
    }

    /**
     * Adds a server; a second server with the same name is an error.
     *
     * @param server the server
     * @return this builder
     */
    public Builder server(ServerConfig server) {
      Objects.requireNonNull(server, "server");
      if (servers.putIfAbsent(server.name(), server) != null) {
        throw new IllegalArgumentException("server '" + server.name() + "' is configured twice");
      }
      return this;
    }

    /**
     * Builds the immutable configuration.
     *
     * @return the configuration
     */
    public GatewayConfig build() {
      if (apiKey != null && !agentIds.isEmpty()) {
        throw new IllegalArgumentException("apiKey and agentIds are both set: the agent id is the new name of the API key; "
            + "keep one");
      }
      if (adminKey != null && (adminKey.equals(apiKey) || agentIds.contains(adminKey))) {
        throw new IllegalArgumentException("adminKey must differ from the API key and from every agent id");
      }
      if (payloadQuotaBytes <= payloadSizeThreshold) {
        throw new IllegalArgumentException("payloadQuotaBytes (" + payloadQuotaBytes + ") must be larger than "
            + "payloadSizeThreshold (" + payloadSizeThreshold + "): every stored payload is larger than the threshold, "
            + "so each would be refused");
      }
      return new GatewayConfig(this);
    }

    private static Duration positive(Duration d, String what) {
      Objects.requireNonNull(d, what);
      if (d.isNegative() || d.isZero()) {
        throw new IllegalArgumentException(what + " must be positive: " + d);
      }
      return d;
    }
  }
}
