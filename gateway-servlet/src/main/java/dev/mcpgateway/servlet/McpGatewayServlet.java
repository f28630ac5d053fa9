package dev.mcpgateway.servlet;

import dev.mcpgateway.McpGateway;
import jakarta.servlet.AsyncContext;
import jakarta.servlet.ServletException;
import jakarta.servlet.http.HttpServlet;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.time.Duration;
import java.util.Objects;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A Jakarta Servlet 6 servlet that serves an {@link McpGateway} over HTTP: it translates each
 * HTTP request to a {@link dev.mcpgateway.GatewayRequest} and writes the gateway's answer back,
 * as a complete JSON body or as a stream of server-sent events.
 *
 * <p>Everything runs asynchronously: the request body is read with a {@code ReadListener},
 * answers are written with a {@code WriteListener}, and no container thread waits while a
 * backend works. The servlet must therefore be registered with {@code asyncSupported=true}.
 *
 * <p>Map it at {@code /*} (the gateway then serves {@code <context>/health},
 * {@code <context>/mcp/{server}}) or below a prefix such as {@code /gateway/*} (then
 * {@code <context>/gateway/mcp/{server}}); the gateway sees the part after the mapping, the
 * path info. Mapped as the default servlet {@code /}, it sees the whole path in the context.
 *
 * <p>The caller owns the gateway: destroying the servlet does not close it. Request bodies are
 * bounded by {@link McpGateway#maxRequestBytes()} (413 beyond it, without reading the rest).
 * Thread-safe, like every servlet.
 *
 * <pre>{@code
 * ServletContextHandler context = new ServletContextHandler("/gw");
 * ServletHolder holder = new ServletHolder(new McpGatewayServlet(gateway));
 * holder.setAsyncSupported(true);
 * context.addServlet(holder, "/*");
 * }</pre>
 *
 * <p>In a {@code web.xml} deployment, declare the servlet class with {@code <async-supported>true}
 * and store the gateway in the servlet context attribute {@link #GATEWAY_ATTRIBUTE} before the
 * servlet initializes (for example from a {@code ServletContextListener}); the init parameters
 * {@link #MAX_BUFFERED_EVENT_BYTES_PARAM} and {@link #ASYNC_TIMEOUT_MILLIS_PARAM} set the options.
 */
public final class McpGatewayServlet extends HttpServlet {
  /** The servlet context attribute holding the {@link McpGateway} for the no-argument constructor. */
  public static final String GATEWAY_ATTRIBUTE = "dev.mcpgateway.McpGateway";
  /** The init parameter that sets {@link Builder#maxBufferedEventBytes(long)}. */
  public static final String MAX_BUFFERED_EVENT_BYTES_PARAM = "maxBufferedEventBytes";
  /** The init parameter that sets {@link Builder#asyncTimeout(Duration)}, in milliseconds. */
  public static final String ASYNC_TIMEOUT_MILLIS_PARAM = "asyncTimeoutMillis";
  /** The default bound of event bytes queued for one slow client: 4 MiB. */
  public static final long DEFAULT_MAX_BUFFERED_EVENT_BYTES = 4L * 1024 * 1024;

  private static final long serialVersionUID = 1L;
  private static final Logger LOG = LoggerFactory.getLogger(McpGatewayServlet.class);

  private final boolean fromContext;
  private transient volatile McpGateway gateway;
  private volatile long maxBufferedEventBytes;
  private volatile long asyncTimeoutMillis;

  /**
   * Creates a servlet for {@code web.xml} deployments that takes its gateway from the servlet
   * context attribute {@link #GATEWAY_ATTRIBUTE} when it initializes.
   */
  public McpGatewayServlet() {
    this.fromContext = true;
    this.maxBufferedEventBytes = DEFAULT_MAX_BUFFERED_EVENT_BYTES;
  }

  /** Creates a servlet serving {@code gateway} with default options; the caller keeps ownership of it. */
  public McpGatewayServlet(McpGateway gateway) {
    this(builder(gateway));
  }

  private McpGatewayServlet(Builder builder) {
    this.fromContext = false;
    this.gateway = builder.gateway;
    this.maxBufferedEventBytes = builder.maxBufferedEventBytes;
    this.asyncTimeoutMillis = builder.asyncTimeout.toMillis();
  }

  /** Starts a builder for a servlet serving {@code gateway}, to set options. */
  public static Builder builder(McpGateway gateway) {
    return new Builder(gateway);
  }

  /**
   * Initializes the servlet; for the no-argument constructor, looks the gateway up in the
   * servlet context and reads the init parameters.
   *
   * @throws ServletException when the context attribute is missing or not an {@link McpGateway},
   *     or an init parameter is not a valid number
   */
  @Override
  public void init() throws ServletException {
    if (!fromContext) {
      return;
    }
    Object attribute = getServletContext().getAttribute(GATEWAY_ATTRIBUTE);
    if (!(attribute instanceof McpGateway)) {
      throw new ServletException("servlet '" + getServletName() + "' needs an McpGateway in the servlet context"
          + " attribute '" + GATEWAY_ATTRIBUTE + "', " + (attribute == null ? "which is not set" : "which holds a "
          + attribute.getClass().getName()) + "; set it before the servlet initializes (for example in a"
          + " ServletContextListener) or construct the servlet with the gateway");
    }
    maxBufferedEventBytes = numberParam(MAX_BUFFERED_EVENT_BYTES_PARAM, DEFAULT_MAX_BUFFERED_EVENT_BYTES, 1);
    asyncTimeoutMillis = numberParam(ASYNC_TIMEOUT_MILLIS_PARAM, 0, 0);
    gateway = (McpGateway) attribute;
  }

  private long numberParam(String name, long defaultValue, long min) throws ServletException {
    String text = getInitParameter(name);
    if (text == null || text.isBlank()) {
      return defaultValue;
    }
    try {
      long value = Long.parseLong(text.trim());
      if (value >= min) {
        return value;
      }
    } catch (NumberFormatException e) {
      // answered below with the parameter's name
    }
    throw new ServletException("init parameter '" + name + "' must be a whole number of at least " + min + ": " + text);
  }

  /** Hands the request to the gateway asynchronously; the answer is written when the gateway completes it. */
  @Override
  protected void service(HttpServletRequest request, HttpServletResponse response) {
    McpGateway current = gateway;
    try {
      if (current == null) {
        LOG.error("McpGatewayServlet got a request before init() found its gateway");
        ErrorResponses.writeNow(response, 503, "gateway is not available", false);
        return;
      }
      if (!request.isAsyncSupported()) {
        LOG.error("McpGatewayServlet must be registered with asyncSupported=true (a filter in front of it"
            + " may also need it); answering 500");
        ErrorResponses.writeNow(response, 500, ErrorResponses.INTERNAL_ERROR, false);
        return;
      }
      long limit = current.maxRequestBytes();
      if (request.getContentLengthLong() > limit) {
        ErrorResponses.writeNow(response, 413, ErrorResponses.tooLarge(limit), true);
        return;
      }
      AsyncContext async = request.startAsync();
      new Exchange(current, async, request, response, maxBufferedEventBytes, asyncTimeoutMillis).start();
    } catch (Exception | Error e) {
      // Nothing may reach the container: it would answer with its own page or a stack trace.
      LOG.error("failed to serve {} {}", request.getMethod(), request.getRequestURI(), e);
      ErrorResponses.failQuietly(request, response);
    }
  }

  /** Returns the servlet's name and mode, for logs. */
  @Override
  public String getServletInfo() {
    return "McpGatewayServlet (" + (fromContext ? "gateway from context attribute " + GATEWAY_ATTRIBUTE : "gateway given") + ")";
  }

  /**
   * Builds a {@link McpGatewayServlet} with options. Not thread-safe.
   *
   * <pre>{@code
   * McpGatewayServlet servlet = McpGatewayServlet.builder(gateway)
   *     .maxBufferedEventBytes(1024 * 1024)
   *     .build();
   * }</pre>
   */
  public static final class Builder {
    private final McpGateway gateway;
    private long maxBufferedEventBytes = DEFAULT_MAX_BUFFERED_EVENT_BYTES;
    private Duration asyncTimeout = Duration.ZERO;

    private Builder(McpGateway gateway) {
      this.gateway = Objects.requireNonNull(gateway, "gateway");
    }

    /**
     * Sets how many bytes of events may wait for one client that reads slower than the gateway
     * writes (default 4 MiB); past it the stream is cancelled and the response ended. A single
     * event larger than the bound is still delivered when nothing else waits.
     */
    public Builder maxBufferedEventBytes(long bytes) {
      if (bytes < 1) {
        throw new IllegalArgumentException("maxBufferedEventBytes must be positive: " + bytes);
      }
      this.maxBufferedEventBytes = bytes;
      return this;
    }

    /**
     * Sets the servlet async timeout of a whole exchange, event streams included; default
     * {@link Duration#ZERO}, no timeout, since the gateway bounds how long a backend may take.
     * A request that times out before its answer starts gets 504.
     */
    public Builder asyncTimeout(Duration timeout) {
      Objects.requireNonNull(timeout, "asyncTimeout");
      if (timeout.isNegative()) {
        throw new IllegalArgumentException("asyncTimeout must not be negative: " + timeout);
      }
      this.asyncTimeout = timeout;
      return this;
    }

    /** Builds the servlet. */
    public McpGatewayServlet build() {
      return new McpGatewayServlet(this);
    }
  }
}
