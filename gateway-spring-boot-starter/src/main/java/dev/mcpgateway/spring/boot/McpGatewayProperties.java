package dev.mcpgateway.spring.boot;

import java.nio.file.Path;
import java.time.Duration;
import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.util.unit.DataSize;

/**
 * The {@code mcp.gateway.*} settings of the auto-configured gateway. The gateway itself (servers,
 * API key, limits, cluster) is configured by the JSON file {@link #getConfigFile() config-file},
 * the same file the standalone runner reads; these settings say where to find it and how to
 * mount it.
 */
@ConfigurationProperties(prefix = McpGatewayProperties.PREFIX)
public class McpGatewayProperties {
  /** The prefix of these settings. */
  public static final String PREFIX = "mcp.gateway";

  /** The default {@link #getPath() path}. */
  public static final String DEFAULT_PATH = "/mcp-gateway";

  /** Whether to auto-configure the gateway. */
  private boolean enabled = true;

  /**
   * The gateway's JSON configuration (the standalone runner's format). Without it, the gateway is
   * built only when the application declares a GatewayConfig bean.
   */
  private Path configFile;

  /**
   * Where the gateway is mounted in the servlet context: it serves {path}/mcp/{server} and
   * {path}/health. "/" mounts it at the root.
   */
  private String path = DEFAULT_PATH;

  /**
   * Whether to also serve the unified endpoint {path}/mcp, which offers the tools and prompts of
   * every server the caller may use as {server}___{name}.
   */
  private boolean unifiedEndpoint = false;

  /** Options of the servlet that serves the gateway. */
  private final Servlet servlet = new Servlet();

  /**
   * Whether to auto-configure the gateway: {@code mcp.gateway.enabled}, default true.
   *
   * @return whether the gateway is auto-configured
   */
  public boolean isEnabled() {
    return enabled;
  }

  /**
   * Sets {@code mcp.gateway.enabled}.
   *
   * @param enabled whether to auto-configure the gateway
   */
  public void setEnabled(boolean enabled) {
    this.enabled = enabled;
  }

  /**
   * The gateway's JSON configuration file: {@code mcp.gateway.config-file}.
   *
   * @return the file, or null when not set
   */
  public Path getConfigFile() {
    return configFile;
  }

  /**
   * Sets {@code mcp.gateway.config-file}.
   *
   * @param configFile the gateway's JSON configuration file
   */
  public void setConfigFile(Path configFile) {
    this.configFile = configFile;
  }

  /**
   * Where the gateway is mounted in the servlet context: {@code mcp.gateway.path}.
   *
   * @return the path, default {@value #DEFAULT_PATH}
   */
  public String getPath() {
    return path;
  }

  /**
   * Sets {@code mcp.gateway.path}.
   *
   * @param path the path, starting with {@code /}; {@code /} for the root
   */
  public void setPath(String path) {
    this.path = path;
  }

  /**
   * Whether to also serve the unified endpoint: {@code mcp.gateway.unified-endpoint}.
   *
   * @return whether it is served, default false
   */
  public boolean isUnifiedEndpoint() {
    return unifiedEndpoint;
  }

  /**
   * Sets {@code mcp.gateway.unified-endpoint}.
   *
   * @param unifiedEndpoint whether to serve the unified endpoint
   */
  public void setUnifiedEndpoint(boolean unifiedEndpoint) {
    this.unifiedEndpoint = unifiedEndpoint;
  }

  /**
   * The options of the servlet: {@code mcp.gateway.servlet.*}.
   *
   * @return the options, never null
   */
  public Servlet getServlet() {
    return servlet;
  }

  /**
   * The servlet mapping for {@link #getPath()}: {@code /mcp-gateway} becomes
   * {@code /mcp-gateway/*}, {@code /} (or empty) becomes {@code /*}.
   *
   * @throws IllegalArgumentException when the path does not start with {@code /} or holds a wildcard
   */
  String urlMapping() {
    String p = path == null ? "" : path.strip();
    while (p.endsWith("/")) {
      p = p.substring(0, p.length() - 1);
    }
    if (p.isEmpty()) {
      return "/*";
    }
    if (!p.startsWith("/") || p.contains("*")) {
      throw new IllegalArgumentException(PREFIX + ".path must start with '/' and hold no '*': '" + path + "'");
    }
    return p + "/*";
  }

  /** Options of McpGatewayServlet; unset ones keep the servlet's defaults (see docs/servlet.md). */
  public static class Servlet {
    /** Event bytes that may wait for a slow client before its stream is cancelled (servlet default 4MB). */
    private DataSize maxBufferedEventBytes;

    /** Servlet async timeout of a whole exchange, streams included (servlet default: none). */
    private Duration asyncTimeout;

    /** Request body bytes all requests together may hold before new ones get 503 (servlet default 64MB). */
    private DataSize maxInFlightBodyBytes;

    /** How long a request body may take to arrive, counted from the headers (servlet default 30s). */
    private Duration bodyTimeout;

    /**
     * Event bytes that may wait for a slow client: {@code mcp.gateway.servlet.max-buffered-event-bytes}.
     *
     * @return the bound, or null for the servlet's default
     */
    public DataSize getMaxBufferedEventBytes() {
      return maxBufferedEventBytes;
    }

    /**
     * Sets {@code mcp.gateway.servlet.max-buffered-event-bytes}.
     *
     * @param maxBufferedEventBytes the bound, or null for the servlet's default
     */
    public void setMaxBufferedEventBytes(DataSize maxBufferedEventBytes) {
      this.maxBufferedEventBytes = maxBufferedEventBytes;
    }

    /**
     * Servlet async timeout of a whole exchange: {@code mcp.gateway.servlet.async-timeout}.
     *
     * @return the timeout, or null for the servlet's default (none)
     */
    public Duration getAsyncTimeout() {
      return asyncTimeout;
    }

    /**
     * Sets {@code mcp.gateway.servlet.async-timeout}.
     *
     * @param asyncTimeout the timeout, or null for the servlet's default (none)
     */
    public void setAsyncTimeout(Duration asyncTimeout) {
      this.asyncTimeout = asyncTimeout;
    }

    /**
     * Request body bytes all requests together may hold: {@code mcp.gateway.servlet.max-in-flight-body-bytes}.
     *
     * @return the budget, or null for the servlet's default
     */
    public DataSize getMaxInFlightBodyBytes() {
      return maxInFlightBodyBytes;
    }

    /**
     * Sets {@code mcp.gateway.servlet.max-in-flight-body-bytes}.
     *
     * @param maxInFlightBodyBytes the budget, or null for the servlet's default
     */
    public void setMaxInFlightBodyBytes(DataSize maxInFlightBodyBytes) {
      this.maxInFlightBodyBytes = maxInFlightBodyBytes;
    }

    /**
     * How long a request body may take to arrive: {@code mcp.gateway.servlet.body-timeout}.
     *
     * @return the timeout, or null for the servlet's default
     */
    public Duration getBodyTimeout() {
      return bodyTimeout;
    }

    /**
     * Sets {@code mcp.gateway.servlet.body-timeout}.
     *
     * @param bodyTimeout the timeout, or null for the servlet's default
     */
    public void setBodyTimeout(Duration bodyTimeout) {
      this.bodyTimeout = bodyTimeout;
    }
  }
}
