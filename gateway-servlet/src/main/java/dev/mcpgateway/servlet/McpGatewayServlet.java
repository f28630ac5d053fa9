package dev.mcpgateway.servlet;

import dev.mcpgateway.Admission;
import dev.mcpgateway.GatewayRequest;
import dev.mcpgateway.McpGateway;
import jakarta.servlet.AsyncContext;
import jakarta.servlet.ServletException;
import jakarta.servlet.http.HttpServlet;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.time.Duration;
import java.util.Objects;
import java.util.concurrent.atomic.AtomicInteger;
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
 * <p>Before it reads a body, the servlet asks the gateway to {@link McpGateway#admit admit} the
 * request from its head: a caller who is not authenticated (or otherwise refused) is answered
 * at once and its body is never read. Bodies are then bounded one by one by
 * {@link McpGateway#maxRequestBytes()} (413 beyond it, without reading the rest), all together
 * by a budget of bytes in flight (503 with {@code Retry-After} when it is spent), and in time by
 * a deadline for the whole upload (408). Such refusals close the connection.
 *
 * <p>The caller owns the gateway: destroying the servlet does not close it. Thread-safe, like
 * every servlet.
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
 * {@link #MAX_BUFFERED_EVENT_BYTES_PARAM}, {@link #ASYNC_TIMEOUT_MILLIS_PARAM},
 * {@link #MAX_IN_FLIGHT_BODY_BYTES_PARAM} and {@link #BODY_TIMEOUT_MILLIS_PARAM} set the options.
 */
public final class McpGatewayServlet extends HttpServlet {
  /** The servlet context attribute holding the {@link McpGateway} for the no-argument constructor. */
  public static final String GATEWAY_ATTRIBUTE = "dev.mcpgateway.McpGateway";
  /** The init parameter that sets {@link Builder#maxBufferedEventBytes(long)}. */
  public static final String MAX_BUFFERED_EVENT_BYTES_PARAM = "maxBufferedEventBytes";
  /** The init parameter that sets {@link Builder#asyncTimeout(Duration)}, in milliseconds. */
  public static final String ASYNC_TIMEOUT_MILLIS_PARAM = "asyncTimeoutMillis";
  /** The init parameter that sets {@link Builder#maxInFlightBodyBytes(long)}. */
  public static final String MAX_IN_FLIGHT_BODY_BYTES_PARAM = "maxInFlightBodyBytes";
  /** The init parameter that sets {@link Builder#bodyTimeout(Duration)}, in milliseconds. */
  public static final String BODY_TIMEOUT_MILLIS_PARAM = "bodyTimeoutMillis";
  /** The default bound of event bytes queued for one slow client: 4 MiB. */
  public static final long DEFAULT_MAX_BUFFERED_EVENT_BYTES = 4L * 1024 * 1024;
  /** The default budget of request body bytes held at once by all requests: 64 MiB. */
  public static final long DEFAULT_MAX_IN_FLIGHT_BODY_BYTES = 64L * 1024 * 1024;
  /** The default time a request body may take to arrive: 30 seconds. */
  public static final Duration DEFAULT_BODY_TIMEOUT = Duration.ofSeconds(30);

  private static final long serialVersionUID = 1L;
  private static final Logger LOG = LoggerFactory.getLogger(McpGatewayServlet.class);

  /** Whether the gateway comes from the servlet context attribute rather than the constructor. */
  private final boolean fromContext;
  private transient volatile McpGateway gateway;
  private transient volatile ServletExchange.Limits limits;
  private final transient BodyDeadlines deadlines = new BodyDeadlines();

  /**
   * Creates a servlet for {@code web.xml} deployments that takes its gateway from the servlet
   * context attribute {@link #GATEWAY_ATTRIBUTE} when it initializes.
   */
  public McpGatewayServlet() {
    this.fromContext = true;
  }

  /**
   * Creates a servlet serving {@code gateway} with default options; the caller keeps ownership of it.
   *
   * @param gateway the gateway to serve
   */
  public McpGatewayServlet(McpGateway gateway) {
    this(builder(gateway));
  }

  private McpGatewayServlet(Builder builder) {
    this.fromContext = false;
    this.gateway = builder.gateway;
    this.limits = new ServletExchange.Limits(builder.maxBufferedEventBytes, builder.asyncTimeout.toMillis(),
        new BodyBudget(builder.maxInFlightBodyBytes), builder.bodyTimeout.toNanos(), deadlines, new AtomicInteger());
  }

  /**
   * Starts a builder for a servlet serving {@code gateway}, to set options.
   *
   * @param gateway the gateway to serve; the caller keeps ownership of it
   * @return a new builder
   */
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
    long maxBufferedEventBytes = numberParam(MAX_BUFFERED_EVENT_BYTES_PARAM, DEFAULT_MAX_BUFFERED_EVENT_BYTES, 1);
    long asyncTimeoutMillis = numberParam(ASYNC_TIMEOUT_MILLIS_PARAM, 0, 0);
    long maxInFlightBodyBytes = numberParam(MAX_IN_FLIGHT_BODY_BYTES_PARAM, DEFAULT_MAX_IN_FLIGHT_BODY_BYTES, 1024);
    long bodyTimeoutMillis = numberParam(BODY_TIMEOUT_MILLIS_PARAM, DEFAULT_BODY_TIMEOUT.toMillis(), 1);
    limits = new ServletExchange.Limits(maxBufferedEventBytes, asyncTimeoutMillis, new BodyBudget(maxInFlightBodyBytes),
        Duration.ofMillis(bodyTimeoutMillis).toNanos(), deadlines, new AtomicInteger());
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
      GatewayRequest head = RequestTranslator.translate(request).build();
      // From the head alone: an unauthenticated caller is answered before a byte of its body is read.
      Admission admission = current.admit(head);
      if (admission == null) {
        throw new IllegalStateException("McpGateway.admit returned null");
      }
      AsyncContext async = request.startAsync();
      new ServletExchange(current, async, head, request, response, limits).start(admission);
    } catch (Exception | Error e) {
      // Nothing may reach the container: it would answer with its own page or a stack trace.
      LOG.error("failed to serve {} {}", request.getMethod(), request.getRequestURI(), e);
      ErrorResponses.failQuietly(request, response);
    }
  }

  /**
   * The request body bytes held now by requests whose body is arriving or waiting for the
   * gateway's answer, out of the budget set with {@link Builder#maxInFlightBodyBytes(long)};
   * for monitoring and tests.
   *
   * @return the bytes reserved now; 0 before the servlet initialized
   */
  public long inFlightBodyBytes() {
    ServletExchange.Limits current = limits;
    return current == null ? 0 : current.budget().used();
  }

  /** Stops the thread that enforces body deadlines; the gateway stays open (its owner closes it). */
  @Override
  public void destroy() {
    deadlines.shutdown();
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
    private long maxInFlightBodyBytes = DEFAULT_MAX_IN_FLIGHT_BODY_BYTES;
    private Duration bodyTimeout = DEFAULT_BODY_TIMEOUT;

    private Builder(McpGateway gateway) {
      this.gateway = Objects.requireNonNull(gateway, "gateway");
    }

    /**
     * Sets how many bytes of events may wait for one client that reads slower than the gateway
     * writes (default 4 MiB); past it the stream is cancelled and the response ended. A single
     * event larger than the bound is still delivered when nothing else waits.
     *
     * @param bytes the bound, at least 1
     * @return this builder
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
     *
     * @param timeout the timeout, not negative; {@link Duration#ZERO} for none
     * @return this builder
     */
    public Builder asyncTimeout(Duration timeout) {
      Objects.requireNonNull(timeout, "asyncTimeout");
      if (timeout.isNegative()) {
        throw new IllegalArgumentException("asyncTimeout must not be negative: " + timeout);
      }
      this.asyncTimeout = timeout;
      return this;
    }

    /**
     * Sets how many request body bytes all requests together may hold at once, from when their
     * body starts to arrive until the gateway has answered them (default 64 MiB). A request
     * announcing a {@code Content-Length} reserves it before its body is read; a chunked body
     * reserves as it arrives. A request that finds the budget spent gets 503 with
     * {@code Retry-After: 1} and its connection is closed. Keep it at least
     * {@link McpGateway#maxRequestBytes()}, or the largest bodies can never be read. Bodies of
     * unknown length may take up to about twice their size in heap while they arrive.
     *
     * @param bytes the budget, at least 1024
     * @return this builder
     */
    public Builder maxInFlightBodyBytes(long bytes) {
      if (bytes < 1024) {
        throw new IllegalArgumentException("maxInFlightBodyBytes must be at least 1024: " + bytes);
      }
      this.maxInFlightBodyBytes = bytes;
      return this;
    }

    /**
     * Sets how long a request body may take to arrive, counted from the request's headers
     * (default 30 s): a client that sends its body slowly, a byte now and then, gets 408 when
     * it passes, its buffer is dropped and its connection closed. A body that arrives with its
     * headers, the common case, starts no timer.
     *
     * @param timeout the time allowed, at least 1 ms
     * @return this builder
     */
    public Builder bodyTimeout(Duration timeout) {
      Objects.requireNonNull(timeout, "bodyTimeout");
      if (timeout.toMillis() < 1) {
        throw new IllegalArgumentException("bodyTimeout must be at least 1 ms: " + timeout);
      }
      this.bodyTimeout = timeout;
      return this;
    }

    /**
     * Builds the servlet.
     *
     * @return a servlet with this builder's options
     */
    public McpGatewayServlet build() {
      return new McpGatewayServlet(this);
    }
  }
}
