package dev.mcpgateway.auth.apikey;

import dev.mcpgateway.auth.AuthRequest;
import dev.mcpgateway.auth.AuthResult;
import dev.mcpgateway.auth.Authenticator;
import dev.mcpgateway.config.GatewayConfig;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Function;
import java.util.function.LongSupplier;

/**
 * Authenticates callers by the API key of the MCP gateway specification, section 7.1: the
 * client sends {@code Authorization: <api-key>}, the plain key without a scheme. The agent ids
 * of the specification's version 1.17 ({@code gateway.agentId}, {@code gateway.agentIds}) are
 * such keys, one per agent (see {@link #fromConfig(GatewayConfig, Function)}).
 *
 * <p>The comparison is exact (no trimming, no case folding) and takes the same time whichever
 * key, or part of one, matches: the SHA-256 digest of the value is compared with the digest of
 * every key. Keys have names, which are the identities shown in logs and audit, and may be
 * limited to some servers. Keys can be added and revoked while the gateway runs; revoking a
 * key ends its sessions. A remote host that fails too often within a window is answered 429
 * without its keys being checked. Failures are logged at WARN in the {@code auth} category
 * with the remote address and path, never with any part of a key.
 *
 * <p>Answers: 401 {@code authentication failed: missing API key} without a header, 401
 * {@code authentication failed: invalid API key} for a wrong one, 401 with a hint for the
 * Bearer scheme, 400 for a value with control characters (tab is allowed), 429 when throttled.
 *
 * <p>Thread-safe. Only digests of the keys are kept.
 *
 * <pre>{@code
 * ApiKeyAuthenticator auth = ApiKeyAuthenticator.builder()
 *     .key("ci", System.getenv("CI_GATEWAY_KEY"), Set.of("github"))
 *     .key("alice", System.getenv("ALICE_GATEWAY_KEY"))
 *     .throttling(5, Duration.ofMinutes(1))
 *     .weakKeys(WeakKeyPolicy.REFUSE)
 *     .build();
 * auth.addKey("alice-2", newKey);   // rotation: add the new key,
 * auth.revokeKey("alice");          // then revoke the old one; its sessions end
 * }</pre>
 */
public final class ApiKeyAuthenticator implements Authenticator {
  /** Keys shorter than this are weak (see {@link WeakKeyPolicy}). */
  public static final int MIN_STRONG_KEY_LENGTH = 32;
  /** Keys made of fewer distinct characters than this are weak (see {@link WeakKeyPolicy}). */
  public static final int MIN_DISTINCT_CHARACTERS = 8;
  /** Failures from one host within {@link #DEFAULT_FAILURE_WINDOW} before it is throttled. */
  public static final int DEFAULT_MAX_FAILURES = 10;
  /** The default window in which failures count, which is also how long a lock-out lasts. */
  public static final Duration DEFAULT_FAILURE_WINDOW = Duration.ofMinutes(1);
  /** The default number of remote hosts whose failures are remembered. */
  public static final long DEFAULT_MAX_TRACKED_HOSTS = 10_000;
  /** The environment variable that holds the key when the configuration has none. */
  public static final String API_KEY_VARIABLE = "MCP_GATEWAY_API_KEY";
  /** The name of the key taken from the configuration or the environment. */
  public static final String CONFIGURED_KEY_NAME = "default";
  /**
   * The prefix of the names of the agent ids from {@code gateway.agentId} and
   * {@code gateway.agentIds}: {@code agent-1}, {@code agent-2}, ... in the order listed.
   */
  public static final String AGENT_KEY_PREFIX = "agent-";
  /** The name of the admin key from {@code gateway.adminKey}. */
  public static final String ADMIN_KEY_NAME = "admin";

  static final String MISSING = "authentication failed: missing API key";
  static final String INVALID = "authentication failed: invalid API key";
  static final String BEARER = "authentication failed: use the plain API key in Authorization, not the Bearer scheme";
  static final String CONTROL = "authentication failed: Authorization header contains control characters";

  private final KeyRing keys;
  private final FailureThrottle throttle;
  private final int maxFailures;
  private final Duration window;
  private final WeakKeyPolicy weakKeys;
  private final AuthLog log = new AuthLog();
  private final List<RevocationListener> listeners = new CopyOnWriteArrayList<>();

  private ApiKeyAuthenticator(Builder b, KeyRing keys) {
    this.keys = keys;
    this.maxFailures = b.maxFailures == null ? DEFAULT_MAX_FAILURES : b.maxFailures;
    this.window = b.window == null ? DEFAULT_FAILURE_WINDOW : b.window;
    this.throttle = maxFailures == 0 ? null : new FailureThrottle(maxFailures, window,
        b.maxTrackedHosts == null ? DEFAULT_MAX_TRACKED_HOSTS : b.maxTrackedHosts,
        b.ticker == null ? System::nanoTime : b.ticker);
    this.weakKeys = b.weakKeys == null ? WeakKeyPolicy.WARN : b.weakKeys;
  }

  /** Starts a builder without keys, throttling {@value #DEFAULT_MAX_FAILURES} failures a minute. */
  public static Builder builder() {
    return new Builder();
  }

  /**
   * The authenticator a configuration asks for, reading the environment of this process:
   * see {@link #fromConfig(GatewayConfig, Function)}.
   */
  public static Authenticator fromConfig(GatewayConfig config) {
    return fromConfig(config, System::getenv);
  }

  /**
   * The authenticator a configuration asks for: the keys of {@link #configuredKeys} with default
   * settings (one named {@value #CONFIGURED_KEY_NAME} for {@code gateway.apiKey}, or one per
   * agent id named {@code agent-1}, {@code agent-2}, ...), plus the admin key named
   * {@value #ADMIN_KEY_NAME} when {@code gateway.adminKey} is set, or
   * {@link Authenticator#none()} when no key is configured (the gateway then warns at start
   * that it is open to anyone). Each agent id is an identity of its own, so agents share no
   * session, backend or payload.
   *
   * @param env reads environment variables; see {@link #configuredKeys} for which keys win
   */
  public static Authenticator fromConfig(GatewayConfig config, Function<String, String> env) {
    Map<String, String> keys = configuredKeys(config, env);
    if (keys.isEmpty() && config.adminKey().isEmpty()) {
      return Authenticator.none();
    }
    Builder builder = builder();
    keys.forEach(builder::key);
    config.adminKey().ifPresent(secret -> builder.adminKey(ADMIN_KEY_NAME, secret));
    return builder.build();
  }

  /**
   * The keys a configuration asks for, by name, in order: {@code gateway.apiKey} named
   * {@value #CONFIGURED_KEY_NAME} when set (after its {@code ${VAR}} was expanded), else the
   * agent ids of {@code gateway.agentId} or {@code gateway.agentIds} named {@code agent-1},
   * {@code agent-2}, ..., else {@value #API_KEY_VARIABLE} from {@code env} named
   * {@value #CONFIGURED_KEY_NAME}, else none. Use it to build an authenticator with other
   * settings. The values are secrets.
   */
  public static Map<String, String> configuredKeys(GatewayConfig config, Function<String, String> env) {
    Objects.requireNonNull(config, "config");
    Objects.requireNonNull(env, "env");
    Map<String, String> keys = new LinkedHashMap<>();
    Optional<String> apiKey = config.apiKey().filter(key -> !key.isEmpty());
    if (apiKey.isPresent()) {
      keys.put(CONFIGURED_KEY_NAME, apiKey.get());
    } else if (!config.agentIds().isEmpty()) {
      List<String> ids = config.agentIds();
      for (int i = 0; i < ids.size(); i++) {
        keys.put(AGENT_KEY_PREFIX + (i + 1), ids.get(i));
      }
    } else {
      Optional.ofNullable(env.apply(API_KEY_VARIABLE)).filter(key -> !key.isEmpty())
          .ifPresent(key -> keys.put(CONFIGURED_KEY_NAME, key));
    }
    return keys;
  }

  /**
   * The first key of {@link #configuredKeys}: the API key, or the first agent id (the primary
   * agent's), or empty. The standalone runner prints it in the client configuration it writes.
   * The result is a secret.
   */
  public static Optional<String> configuredKey(GatewayConfig config, Function<String, String> env) {
    return configuredKeys(config, env).values().stream().findFirst();
  }

  /** Authenticates one request; never blocks and never throws for bad input. */
  @Override
  public AuthResult authenticate(AuthRequest request) {
    String host = request.remoteHost();
    if (throttle != null) {
      Optional<Duration> wait = throttle.retryAfter(host);
      if (wait.isPresent()) {
        log.throttled(request, wait.get());
        return AuthResult.throttled(Duration.ofSeconds(AuthLog.seconds(wait.get())));
      }
    }
    String value = request.authorization().orElse("");
    if (value.isEmpty()) {
      return fail(request, host, 401, MISSING, "missing API key");
    }
    if (AuthorizationValue.hasControlCharacters(value)) {
      return fail(request, host, 400, CONTROL, "Authorization header contains control characters");
    }
    Optional<ApiKey> key = keys.match(value);
    if (key.isPresent()) {
      log.succeeded(key.get().name(), request);
      return AuthResult.success(key.get().identity());
    }
    if (AuthorizationValue.isBearer(value)) {
      return fail(request, host, 401, BEARER, "Bearer scheme instead of the plain API key");
    }
    return fail(request, host, 401, INVALID, "invalid API key");
  }

  private AuthResult fail(AuthRequest request, String host, int status, String message, String reason) {
    log.failed(reason, request);
    if (throttle != null && throttle.recordFailure(host)) {
      log.lockedOut(host, maxFailures, window);
    }
    return AuthResult.denied(status, message);
  }

  /**
   * Adds a key allowed every server, effective for the next request.
   *
   * @throws IllegalArgumentException when the name or secret is already in use, the key is
   *     malformed, or it is weak and weak keys are refused
   */
  public void addKey(String name, String secret) {
    add(name, secret, null);
  }

  /** Adds a key allowed only {@code servers}; otherwise like {@link #addKey(String, String)}. */
  public void addKey(String name, String secret, Set<String> servers) {
    add(name, secret, Objects.requireNonNull(servers, "servers"));
  }

  private void add(String name, String secret, Set<String> servers) {
    keys.add(checked(name, secret, servers, weakKeys, log));
    log.added(name);
  }

  /**
   * Revokes the key named {@code name}: it no longer authenticates, and every registered
   * {@link RevocationListener} is told its session key so that its sessions end.
   *
   * @return whether there was such a key
   */
  public boolean revokeKey(String name) {
    Optional<ApiKey> removed = keys.remove(Objects.requireNonNull(name, "name"));
    removed.ifPresent(key -> {
      log.revoked(name);
      for (RevocationListener listener : listeners) {
        try {
          listener.revoked(key.identity().sessionKey());
        } catch (RuntimeException e) {
          log.listenerFailed(name, e);
        }
      }
    });
    return removed.isPresent();
  }

  /** The names of the keys that authenticate now, sorted. */
  public Set<String> keyNames() {
    return keys.names();
  }

  /** Registers a listener told the session key of every key revoked from now on. */
  @Override
  public void onRevoked(RevocationListener listener) {
    listeners.add(Objects.requireNonNull(listener, "listener"));
  }

  @Override
  public String toString() {
    return "ApiKeyAuthenticator{keys=" + keys.names() + ", throttling="
        + (throttle == null ? "off" : maxFailures + " failures per " + window.toSeconds() + "s") + "}";
  }

  private static ApiKey checked(String name, String secret, Set<String> servers, WeakKeyPolicy policy, AuthLog log) {
    return checked(name, secret, servers, false, policy, log);
  }

  private static ApiKey checked(String name, String secret, Set<String> servers, boolean admin, WeakKeyPolicy policy,
      AuthLog log) {
    ApiKey key = ApiKey.of(name, secret, servers, admin);
    Optional<String> weakness = KeyStrength.weakness(secret);
    if (weakness.isPresent()) {
      if (policy == WeakKeyPolicy.REFUSE) {
        throw new IllegalArgumentException("key '" + name + "' is weak: it " + weakness.get());
      }
      log.weakKey(name, weakness.get());
    }
    return key;
  }

  /**
   * Builds an {@link ApiKeyAuthenticator}. Each setting may be given once; a repeated one
   * fails naming both values. Not thread-safe.
   */
  public static final class Builder {
    private final List<PendingKey> keys = new ArrayList<>();
    private String throttling;
    private Integer maxFailures;
    private Duration window;
    private Long maxTrackedHosts;
    private LongSupplier ticker;
    private WeakKeyPolicy weakKeys;

    private Builder() {}

    /** A key as given, checked at build; {@code servers} is {@code null} for all. */
    private record PendingKey(String name, String secret, Set<String> servers, boolean admin) {
      @Override
      public String toString() {
        return name;
      }
    }

    /** Adds a key named {@code name} (its identity in logs and audit) allowed every server. */
    public Builder key(String name, String secret) {
      return addKey(name, secret, null);
    }

    /** Adds a key named {@code name} allowed only {@code servers} (others answer 403). */
    public Builder key(String name, String secret, Set<String> servers) {
      return addKey(name, secret, Set.copyOf(Objects.requireNonNull(servers, "servers")));
    }

    private Builder addKey(String name, String secret, Set<String> allowed) {
      Objects.requireNonNull(name, "name");
      Objects.requireNonNull(secret, "secret of key '" + name + "'");
      keys.add(new PendingKey(name, secret, allowed, false));
      return this;
    }

    /**
     * Adds an admin key named {@code name}: allowed every server and the admin endpoint
     * ({@code POST /close}, which no other key may use).
     */
    public Builder adminKey(String name, String secret) {
      Objects.requireNonNull(name, "name");
      Objects.requireNonNull(secret, "secret of key '" + name + "'");
      keys.add(new PendingKey(name, secret, null, true));
      return this;
    }

    /**
     * Throttles a remote host that fails {@code maxFailures} times within {@code window}: it
     * is answered 429 with {@code Retry-After} until {@code window} has passed since the
     * failure that tripped the limit. Default: {@value ApiKeyAuthenticator#DEFAULT_MAX_FAILURES} failures within one
     * minute.
     */
    public Builder throttling(int maxFailures, Duration window) {
      if (maxFailures < 1) {
        throw new IllegalArgumentException("maxFailures must be at least 1: " + maxFailures);
      }
      Objects.requireNonNull(window, "window");
      if (window.isNegative() || window.isZero()) {
        throw new IllegalArgumentException("window must be positive: " + window);
      }
      this.throttling = once(this.throttling, maxFailures + " failures per " + window, "throttling");
      this.maxFailures = maxFailures;
      this.window = window;
      return this;
    }

    /** Turns throttling off, for gateways behind a proxy that limits rates itself. */
    public Builder withoutThrottling() {
      this.throttling = once(this.throttling, "off", "throttling");
      this.maxFailures = 0;
      return this;
    }

    /** Sets how many remote hosts' failures are remembered at most; default 10,000. */
    public Builder maxTrackedHosts(long hosts) {
      if (hosts < 1) {
        throw new IllegalArgumentException("maxTrackedHosts must be at least 1: " + hosts);
      }
      this.maxTrackedHosts = once(this.maxTrackedHosts, hosts, "maxTrackedHosts");
      return this;
    }

    /** Sets the source of nanosecond time used by throttling; default {@link System#nanoTime()}. */
    public Builder ticker(LongSupplier nanoTicker) {
      this.ticker = once(this.ticker, Objects.requireNonNull(nanoTicker, "ticker"), "ticker");
      return this;
    }

    /** Sets what happens to weak keys, at build and when added later; default {@link WeakKeyPolicy#WARN}. */
    public Builder weakKeys(WeakKeyPolicy policy) {
      this.weakKeys = once(this.weakKeys, Objects.requireNonNull(policy, "weakKeys"), "weakKeys");
      return this;
    }

    /**
     * Validates the keys and builds the authenticator. A weak key logs a WARN, or fails with
     * {@link WeakKeyPolicy#REFUSE}. An authenticator without keys denies everyone until keys
     * are added.
     *
     * @throws IllegalArgumentException naming the key (never showing it) when a key is
     *     malformed, weak and refused, or a name or secret is used twice
     */
    public ApiKeyAuthenticator build() {
      WeakKeyPolicy policy = weakKeys == null ? WeakKeyPolicy.WARN : weakKeys;
      AuthLog log = new AuthLog();
      KeyRing ring = new KeyRing(List.of());
      for (PendingKey key : keys) {
        ring.add(checked(key.name(), key.secret(), key.servers(), key.admin(), policy, log));
      }
      return new ApiKeyAuthenticator(this, ring);
    }

    private static <T> T once(T current, T value, String name) {
      if (current != null) {
        throw new IllegalStateException(name + " is set twice: " + current + " and " + value);
      }
      return value;
    }
  }
}
