package dev.mcpgateway.auth.apikey;

import dev.mcpgateway.auth.AuthRequest;
import dev.mcpgateway.auth.AuthResult;
import dev.mcpgateway.auth.Authenticator;
import dev.mcpgateway.cluster.SharedFailureCounts;
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
 * with the remote address and path, never with any part of a key. The replicas of a cluster
 * count failures together with {@link Builder#sharedFailureCounts(SharedFailureCounts)}.
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
  private final SharedFailures shared;
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
    this.shared = throttle == null || b.sharedFailures == null ? null : new SharedFailures(b.sharedFailures, maxFailures,
        window, b.ticker == null ? System::nanoTime : b.ticker, log);
    this.weakKeys = b.weakKeys == null ? WeakKeyPolicy.WARN : b.weakKeys;
  }

  /**
   * Starts a builder without keys, throttling {@value #DEFAULT_MAX_FAILURES} failures a minute.
   *
   * @return a new builder
   */
  public static Builder builder() {
    return new Builder();
  }

  /**
   * The authenticator a configuration asks for, reading the environment of this process:
   * see {@link #fromConfig(GatewayConfig, Function)}.
   *
   * @param config the gateway configuration
   * @return the API-key authenticator, or {@link Authenticator#none()} when no key is configured
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
   * @param config the gateway configuration
   * @param env reads environment variables; see {@link #configuredKeys} for which keys win
   * @return the API-key authenticator, or {@link Authenticator#none()} when no key is configured
   */
  public static Authenticator fromConfig(GatewayConfig config, Function<String, String> env) {
    return fromConfig(config, env, null);
  }

  /**
   * As {@link #fromConfig(GatewayConfig, Function)}, counting failures together with the other
   * replicas of a cluster ({@link Builder#sharedFailureCounts(SharedFailureCounts)}).
   *
   * @param config the gateway configuration
   * @param env reads environment variables
   * @param sharedFailures the cluster's failure counts, or {@code null} to count on this replica only
   * @return the API-key authenticator, or {@link Authenticator#none()} when no key is configured
   */
  public static Authenticator fromConfig(GatewayConfig config, Function<String, String> env,
      SharedFailureCounts sharedFailures) {
    Map<String, String> keys = configuredKeys(config, env);
    if (keys.isEmpty() && config.adminKey().isEmpty()) {
      return Authenticator.none();
    }
    Builder builder = builder();
    if (sharedFailures != null) {
      builder.sharedFailureCounts(sharedFailures);
    }
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
   *
   * @param config the gateway configuration
   * @param env reads environment variables, for {@value #API_KEY_VARIABLE}
   * @return the secrets by key name, in the order above; empty when none is configured
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
   *
   * @param config the gateway configuration
   * @param env reads environment variables, for {@value #API_KEY_VARIABLE}
   * @return the first configured secret, or empty
   */
  public static Optional<String> configuredKey(GatewayConfig config, Function<String, String> env) {
    return configuredKeys(config, env).values().stream().findFirst();
  }

  /**
   * Authenticates one request; never throws for bad input. Never blocks, except with
   * {@linkplain Builder#sharedFailureCounts shared failure counts}: then one round trip to their
   * store (a failure is counted, a success is checked for a lock-out), bounded by its timeout.
   */
  @Override
  public AuthResult authenticate(AuthRequest request) {
    String host = request.remoteHost();
    if (throttle != null) {
      Optional<Duration> wait = throttle.retryAfter(host);
      if (wait.isPresent()) {
        return throttled(request, wait.get());
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
      Duration locked = shared == null ? Duration.ZERO : shared.lockedFor(host);
      if (!locked.isZero()) {
        return throttled(request, locked); // failures on other replicas locked the host out
      }
      log.succeeded(key.get().name(), request);
      return AuthResult.success(key.get().identity());
    }
    if (AuthorizationValue.isBearer(value)) {
      return fail(request, host, 401, BEARER, "Bearer scheme instead of the plain API key");
    }
    return fail(request, host, 401, INVALID, "invalid API key");
  }

  private AuthResult fail(AuthRequest request, String host, int status, String message, String reason) {
    SharedFailureCounts.Failures across = shared == null ? null : shared.record(host);
    if (across != null && across.count() == 0 && !across.lockedFor().isZero()) {
      return throttled(request, across.lockedFor()); // locked out by failures on other replicas
    }
    log.failed(reason, request);
    boolean lockedHere = throttle != null && throttle.recordFailure(host);
    if (lockedHere || across != null && across.lockedNow(maxFailures)) {
      log.lockedOut(host, maxFailures, window);
    }
    return AuthResult.denied(status, message);
  }

  private AuthResult throttled(AuthRequest request, Duration wait) {
    log.throttled(request, wait);
    return AuthResult.throttled(Duration.ofSeconds(AuthLog.seconds(wait)));
  }

  /**
   * Adds a key allowed every server, effective for the next request.
   *
   * @param name the key's name, its identity in logs and audit
   * @param secret the key itself
   * @throws IllegalArgumentException when the name or secret is already in use, the key is
   *     malformed, or it is weak and weak keys are refused
   */
  public void addKey(String name, String secret) {
    add(name, secret, null);
  }

  /**
   * Adds a key allowed only {@code servers}; otherwise like {@link #addKey(String, String)}.
   *
   * @param name the key's name, its identity in logs and audit
   * @param secret the key itself
   * @param servers the names of the servers the key may use
   */
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
   * @param name the name the key was added with
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

  /**
   * The names of the keys that authenticate now, sorted.
   *
   * @return the key names, a snapshot
   */
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
        + (throttle == null ? "off" : maxFailures + " failures per " + window.toSeconds() + "s"
            + (shared == null ? "" : " across replicas")) + "}";
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
    private SharedFailureCounts sharedFailures;

    private Builder() {}

    /** A key as given, checked at build; {@code servers} is {@code null} for all. */
    private record PendingKey(String name, String secret, Set<String> servers, boolean admin) {
      @Override
      public String toString() {
        return name;
      }
    }

    /**
     * Adds a key named {@code name} (its identity in logs and audit) allowed every server.
     *
     * @param name the key's name
     * @param secret the key itself
     * @return this builder
     */
    public Builder key(String name, String secret) {
      return addKey(name, secret, null);
    }

    /**
     * Adds a key named {@code name} allowed only {@code servers} (others answer 403).
     *
     * @param name the key's name
     * @param secret the key itself
     * @param servers the names of the servers the key may use
     * @return this builder
     */
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
     *
     * @param name the key's name
     * @param secret the key itself
     * @return this builder
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
     *
     * @param maxFailures failures that trip the limit, at least 1
     * @param window how long a failure counts, and how long a host that tripped the limit waits; positive
     * @return this builder
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

    /**
     * Turns throttling off, for gateways behind a proxy that limits rates itself.
     *
     * @return this builder
     */
    public Builder withoutThrottling() {
      this.throttling = once(this.throttling, "off", "throttling");
      this.maxFailures = 0;
      return this;
    }

    /**
     * Counts failures together with the other replicas of a cluster in {@code counts} (such as
     * {@code RedisCluster.failureCounts()} of gateway-redis), so that a host that fails
     * {@code maxFailures} times across all of them is locked out on all of them. Each replica
     * also counts on its own, and goes by its own count alone while {@code counts} cannot be
     * reached (one WARN, one INFO when they answer again): it never lets through more than it
     * would alone. Asking {@code counts} takes one round trip per authentication.
     * Not set: each replica counts its own failures.
     *
     * @param counts the cluster's shared counts
     * @return this builder
     */
    public Builder sharedFailureCounts(SharedFailureCounts counts) {
      this.sharedFailures = once(this.sharedFailures, Objects.requireNonNull(counts, "sharedFailureCounts"),
          "sharedFailureCounts");
      return this;
    }

    /**
     * Sets how many remote hosts' failures are remembered at most; default 10,000.
     *
     * @param hosts at least 1
     * @return this builder
     */
    public Builder maxTrackedHosts(long hosts) {
      if (hosts < 1) {
        throw new IllegalArgumentException("maxTrackedHosts must be at least 1: " + hosts);
      }
      this.maxTrackedHosts = once(this.maxTrackedHosts, hosts, "maxTrackedHosts");
      return this;
    }

    /**
     * Sets the source of nanosecond time used by throttling; default {@link System#nanoTime()}.
     *
     * @param nanoTicker returns the time in nanoseconds, as {@link System#nanoTime()}
     * @return this builder
     */
    public Builder ticker(LongSupplier nanoTicker) {
      this.ticker = once(this.ticker, Objects.requireNonNull(nanoTicker, "ticker"), "ticker");
      return this;
    }

    /**
     * Sets what happens to weak keys, at build and when added later; default {@link WeakKeyPolicy#WARN}.
     *
     * @param policy the policy
     * @return this builder
     */
    public Builder weakKeys(WeakKeyPolicy policy) {
      this.weakKeys = once(this.weakKeys, Objects.requireNonNull(policy, "weakKeys"), "weakKeys");
      return this;
    }

    /**
     * Validates the keys and builds the authenticator. A weak key logs a WARN, or fails with
     * {@link WeakKeyPolicy#REFUSE}. An authenticator without keys denies everyone until keys
     * are added.
     *
     * @return the authenticator
     * @throws IllegalArgumentException naming the key (never showing it) when a key is
     *     malformed, weak and refused, or a name or secret is used twice
     * @throws IllegalStateException when shared failure counts are set and throttling is off
     */
    public ApiKeyAuthenticator build() {
      if (sharedFailures != null && maxFailures != null && maxFailures == 0) {
        throw new IllegalStateException("sharedFailureCounts is set, but throttling is off (withoutThrottling)");
      }
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
