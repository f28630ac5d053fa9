package dev.mcpgateway.backend;

import dev.mcpgateway.config.ServerConfig;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.net.URI;
import java.net.URISyntaxException;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.time.Duration;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicInteger;
import org.slf4j.LoggerFactory;

/**
 * Reaches remote MCP servers ({@code "type": "http"}) over Streamable HTTP, with the older
 * HTTP+SSE transport (2024-11-05) as a fallback for remotes that refuse it. Uses the JDK's
 * {@link HttpClient} only.
 *
 * <p>The first launch for a server url probes it with a {@code server/discover} POST of revision
 * 2026-07-28, and the launcher remembers the answer: a server that answers it as a 2026-07-28
 * server (stateless: no {@code initialize}, no session) is spoken to in that revision, its
 * requests, multi-round-trip results and subscriptions translated to and from the session-based
 * messages the gateway uses; any other answer (400, 404, 405, an error of an initialize-era
 * server) means a session-based server, reached as described below. When the probe gets no
 * answer (unreachable, 5xx, 401), the launch goes the session-based way and the next one probes
 * again.
 *
 * <p>Each launch is one remote session: the gateway launches one backend per (caller, server),
 * so callers never share a remote session. {@link Backend#send(byte[])} POSTs the message
 * without waiting for the answer; answers, whether a JSON body or an SSE stream, reach the
 * listener as they arrive, and so do messages the remote sends on its own GET stream (reopened
 * with {@code Last-Event-ID} when it drops). Closing the backend sends {@code DELETE} for the
 * remote session. The server's {@code headers} go with every request; their values are secrets
 * and never logged.
 *
 * <p>When the remote cannot be reached (connection refused, connect timeout, unknown host) the
 * backend tells the listener {@link BackendListener#onUnavailable(String)} and ends: the
 * gateway answers 503 {@code backend_unavailable} and tries again in the background.
 *
 * <pre>{@code
 * McpGateway gateway = McpGateway.builder(config)
 *     .launcher(BackendKind.HTTP, HttpBackendLauncher.create())
 *     .build();
 * }</pre>
 *
 * <p>Thread-safe; one instance serves every server. Launching blocks only for the probe, once per
 * server url (within the launch's start-up timeout).
 */
public final class HttpBackendLauncher implements BackendLauncher {
  /** The connect timeout unless the server's {@code connectTimeout} or {@link Builder#connectTimeout} says otherwise. */
  public static final Duration DEFAULT_CONNECT_TIMEOUT = Duration.ofSeconds(10);

  private final Duration connectTimeout;
  private final Duration closeTimeout;
  private final ExecutorService executor;
  private final Map<Duration, HttpClient> clients = new ConcurrentHashMap<>();
  /** What the probe found out about each server url: its revision's era. */
  private final Map<String, StatelessDiscovery.Era> eras = new ConcurrentHashMap<>();

  private HttpBackendLauncher(Builder b) {
    this.connectTimeout = b.connectTimeout;
    this.closeTimeout = b.closeTimeout;
    AtomicInteger count = new AtomicInteger();
    this.executor = Executors.newCachedThreadPool(task -> {
      Thread thread = new Thread(task, "mcp-http-" + count.incrementAndGet());
      thread.setDaemon(true);
      return thread;
    });
  }

  /**
   * A launcher with the defaults: connect timeout {@link #DEFAULT_CONNECT_TIMEOUT}, 2 s to end a remote session on close.
   *
   * @return the launcher
   */
  public static HttpBackendLauncher create() {
    return builder().build();
  }

  /**
   * Starts a builder with the defaults of {@link #create()}.
   *
   * @return a new builder
   */
  public static Builder builder() {
    return new Builder();
  }

  @Override
  public Backend launch(LaunchRequest request) throws IOException {
    ServerConfig server = request.server();
    String name = server.name();
    String text = server.url().orElseThrow(() -> new IOException(
        "server '" + name + "' has no url; the HTTP launcher only reaches \"type\": \"http\" servers"));
    URI url;
    try {
      url = new URI(text);
    } catch (URISyntaxException e) {
      throw new IOException("server '" + name + "' has a url that is not valid: " + e.getReason());
    }
    String scheme = url.getScheme() == null ? "" : url.getScheme().toLowerCase(Locale.ROOT);
    if (!scheme.equals("http") && !scheme.equals("https") || url.getHost() == null) {
      throw new IOException("server '" + name + "' needs an http:// or https:// url with a host");
    }
    for (Map.Entry<String, String> header : server.headers().entrySet()) {
      try {
        HttpRequest.newBuilder(url).header(header.getKey(), header.getValue());
      } catch (IllegalArgumentException e) {
        // The JDK's message may quote the value, which is a secret: name the header only.
        throw new IOException("server '" + name + "': header '" + header.getKey()
            + "' cannot be sent (a name the HTTP client sets itself, or a value with line breaks)");
      }
    }
    Duration timeout = server.connectTimeout().orElse(connectTimeout);
    HttpClient client = clients.computeIfAbsent(timeout, t -> HttpClient.newBuilder()
        .version(HttpClient.Version.HTTP_1_1)
        .connectTimeout(t)
        .followRedirects(HttpClient.Redirect.NEVER)
        .executor(executor)
        .build());
    String key = url.toString();
    StatelessDiscovery.Era era = eras.get(key);
    ObjectNode discovered = null;
    if (era == null) {
      StatelessDiscovery.Discovery probe = StatelessDiscovery.probe(client, url, server.headers(), request.startupTimeout(),
          request.maxMessageBytes());
      era = probe.era();
      discovered = probe.result();
      if (era != StatelessDiscovery.Era.UNKNOWN) {
        eras.put(key, era);
        String what = era == StatelessDiscovery.Era.STATELESS
            ? "speaks MCP " + StatelessHttpBackend.VERSION + " (it answered server/discover)" : "is session-based (initialize)";
        LoggerFactory.getLogger("dev.mcpgateway.server." + name).info("Server '{}' {}", name, what);
      }
    }
    if (era == StatelessDiscovery.Era.STATELESS) {
      return new StatelessHttpBackend(name, url, server.headers(), client, executor, request.listener(), request.maxMessageBytes(),
          discovered, () -> eras.remove(key, StatelessDiscovery.Era.STATELESS));
    }
    return new HttpBackend(name, url, server.headers(), client, executor, request.listener(), request.maxMessageBytes(),
        closeTimeout);
  }

  /** Stops the launcher's threads; called by the gateway after every backend is closed. */
  @Override
  public void close() {
    executor.shutdown();
    clients.clear();
  }

  @Override
  public String toString() {
    return "HttpBackendLauncher{connectTimeout=" + connectTimeout + "}";
  }

  /** Builds an {@link HttpBackendLauncher}. */
  public static final class Builder {
    private Duration connectTimeout = DEFAULT_CONNECT_TIMEOUT;
    private Duration closeTimeout = Duration.ofSeconds(2);

    private Builder() {}

    /**
     * How long connecting to a remote may take, for servers without their own {@code connectTimeout}.
     *
     * @param timeout a positive duration
     * @return this builder
     */
    public Builder connectTimeout(Duration timeout) {
      this.connectTimeout = positive(timeout, "connectTimeout");
      return this;
    }

    /**
     * How long {@link Backend#close()} waits for the remote to answer the {@code DELETE} of its session.
     *
     * @param timeout a positive duration
     * @return this builder
     */
    public Builder closeTimeout(Duration timeout) {
      this.closeTimeout = positive(timeout, "closeTimeout");
      return this;
    }

    private static Duration positive(Duration value, String name) {
      Objects.requireNonNull(value, name);
      if (value.isNegative() || value.isZero()) {
        throw new IllegalArgumentException(name + " must be positive: " + value);
      }
      return value;
    }

    /**
     * Builds the launcher.
     *
     * @return the launcher
     */
    public HttpBackendLauncher build() {
      return new HttpBackendLauncher(this);
    }
  }
}
