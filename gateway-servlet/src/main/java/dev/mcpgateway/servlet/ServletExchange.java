package dev.mcpgateway.servlet;

import dev.mcpgateway.Admission;
import dev.mcpgateway.EventStream;
import dev.mcpgateway.GatewayRequest;
import dev.mcpgateway.GatewayResponse;
import dev.mcpgateway.McpGateway;
import jakarta.servlet.AsyncContext;
import jakarta.servlet.AsyncEvent;
import jakarta.servlet.AsyncListener;
import jakarta.servlet.ServletInputStream;
import jakarta.servlet.ServletOutputStream;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.EOFException;
import java.io.IOException;
import java.util.Optional;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLongFieldUpdater;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One HTTP request on its way through the gateway: asks the gateway to admit it, reads the
 * body within the servlet's budget and deadline, calls the gateway, writes the answer, and
 * completes the async context exactly once.
 *
 * <p>Callbacks arrive on container threads (body, write, async events), on the deadline's
 * thread and on whatever thread completes the gateway's stage; the atomics decide which of them
 * answers and which finishes. The body's reservation is given back exactly once, when the
 * gateway has answered or the exchange ended otherwise.
 */
final class ServletExchange implements AsyncListener {
  private static final Logger LOG = LoggerFactory.getLogger(ServletExchange.class);
  private static final AtomicLongFieldUpdater<ServletExchange> RESERVED =
      AtomicLongFieldUpdater.newUpdater(ServletExchange.class, "reservedBodyBytes");

  private final McpGateway gateway;
  private final AsyncContext async;
  private final HttpServletResponse response;
  private final GatewayRequest head;
  private final String description;
  private final Limits limits;
  private final long expectedBodyBytes;
  /** Whether the client has body bytes to send, as far as the head says. */
  private final boolean bodyExpected;
  private volatile Admission admission;
  private volatile BodyReader reader;
  private long startedNanos;
  private volatile Future<?> deadline;
  /** Bytes of the servlet's body budget this exchange holds; -1 once given back for good. */
  private volatile long reservedBodyBytes;
  /** Set by whoever writes the answer: the gateway's, the servlet's own error, or the timeout's. */
  private final AtomicBoolean answering = new AtomicBoolean();
  private final AtomicBoolean completed = new AtomicBoolean();
  private volatile boolean clientGone;
  private volatile EventStreamWriter streamWriter;
  /** Whether this exchange is counted in {@link Limits#awaiting}. */
  private final AtomicBoolean awaitingCounted = new AtomicBoolean();
  private final AnswerSlot slot = new AnswerSlot(this);

  /** What one servlet sets for all its exchanges. */
  record Limits(long maxBufferedEventBytes, long timeoutMillis, BodyBudget budget, long bodyTimeoutNanos,
      BodyDeadlines deadlines, AtomicInteger awaiting) {}

  /**
   * The most other exchanges that may await the gateway while the thread completing an answer
   * writes it itself. With few, the client waits on that thread and a hand-off to a container
   * thread would only add a wake-up; with more, the completing thread (often the one reader of a
   * busy backend) passes the write on, so that the writes of many answers spread over the cores.
   */
  private static final int WRITE_IN_PLACE_MAX_AWAITING = 1;

  ServletExchange(McpGateway gateway, AsyncContext async, GatewayRequest head, HttpServletRequest request,
      HttpServletResponse response, Limits limits) {
    this.gateway = gateway;
    this.async = async;
    this.response = response;
    this.head = head;
    this.description = request.getMethod() + " " + request.getRequestURI();
    this.limits = limits;
    this.expectedBodyBytes = request.getContentLengthLong();
    this.bodyExpected = expectedBodyBytes > 0 || expectedBodyBytes < 0 && head.header("transfer-encoding").isPresent();
  }

  /**
   * Answers what the admission decided, or reads the body within the limit, the budget and the
   * deadline and hands it to the gateway. Called once, on the container thread in {@code service}.
   */
  void start(Admission admitted) throws IOException {
    async.addListener(this);
    async.setTimeout(limits.timeoutMillis());
    // Set now, on the container thread, so that whichever thread has the answer writes it.
    response.getOutputStream().setWriteListener(slot);
    Optional<GatewayResponse> decided = admitted.answer();
    if (decided.isPresent()) {
      // Refused (or answered, like /health) on its head: the body is never read.
      answer(bodyExpected ? decided.get().withHeader("Connection", "close") : decided.get());
      return;
    }
    long limit = gateway.maxRequestBytes();
    if (expectedBodyBytes > limit) {
      bodyTooLarge(limit);
      return;
    }
    if (expectedBodyBytes > 0 && !reserveBody(expectedBodyBytes)) {
      bodyOverBudget();
      return;
    }
    this.admission = admitted;
    this.startedNanos = bodyExpected ? System.nanoTime() : 0;
    ServletInputStream in = async.getRequest().getInputStream();
    if (expectedBodyBytes > 0 && in.available() >= expectedBodyBytes) {
      // The whole body came with the head, as it mostly does: reading it cannot block, and
      // handing it on here spares the container a read callback on another of its threads.
      // (A container that reports fewer bytes than it holds takes the listener below, as before.)
      byte[] body = in.readNBytes((int) expectedBodyBytes);
      if (body.length < expectedBodyBytes) {
        bodyFailed(new EOFException("the body ended after " + body.length + " of " + expectedBodyBytes + " bytes"));
      } else {
        bodyRead(body);
      }
      return;
    }
    BodyReader body = new BodyReader(this, in, limit, expectedBodyBytes, Math.max(0, expectedBodyBytes));
    this.reader = body;
    in.setReadListener(body);
  }

  /** Takes {@code bytes} more of the servlet's body budget; false when it has too few left or the exchange ended. */
  boolean reserveBody(long bytes) {
    if (!limits.budget().tryReserve(bytes)) {
      return false;
    }
    for (;;) {
      long held = reservedBodyBytes;
      if (held < 0) {
        limits.budget().release(bytes);
        return false;
      }
      if (RESERVED.compareAndSet(this, held, held + bytes)) {
        return true;
      }
    }
  }

  /** Gives the body's reservation back; idempotent. */
  private void releaseBody() {
    if (reservedBodyBytes < 0) {
      return;
    }
    long held = RESERVED.getAndSet(this, -1);
    if (held > 0) {
      limits.budget().release(held);
    }
  }

  /** The body did not arrive with the headers: it must be complete by the servlet's body deadline. */
  void startBodyDeadline() {
    long remaining = limits.bodyTimeoutNanos() - (System.nanoTime() - startedNanos);
    deadline = limits.deadlines().schedule(this::bodyDeadlinePassed, remaining);
    if (reservedBodyBytes < 0 || answering.get()) {
      stopBodyDeadline(); // the exchange ended while the deadline was being set
    }
  }

  private void stopBodyDeadline() {
    Future<?> pending = deadline;
    if (pending != null) {
      deadline = null;
      pending.cancel(false);
    }
  }

  private void bodyDeadlinePassed() {
    BodyReader body = reader;
    if (body == null || !body.abandon()) {
      return; // complete or failed just now
    }
    long millis = limits.bodyTimeoutNanos() / 1_000_000L;
    String within = millis % 1000 == 0 ? millis / 1000 + " s" : millis + " ms";
    LOG.debug("{}: the request body was not complete within {}; answering 408", description, within);
    answer(ErrorResponses.response(408, "the request body did not arrive within " + within
        + "; send it at a steady pace", true));
  }

  void bodyOverBudget() {
    if (limits.budget().warnNow()) {
      LOG.warn("{}: the request bodies being received already take the servlet's budget of {} bytes; answering 503"
          + " (further refusals within a minute are logged at DEBUG)", description, limits.budget().capacity());
    } else {
      LOG.debug("{}: the body budget of {} bytes is spent; answering 503", description, limits.budget().capacity());
    }
    answer(ErrorResponses.response(503, "the gateway is receiving too many request bodies at once; retry shortly", true)
        .withHeader("Retry-After", "1"));
  }

  void bodyRead(byte[] body) {
    stopBodyDeadline();
    CompletionStage<GatewayResponse> stage;
    limits.awaiting().incrementAndGet();
    awaitingCounted.set(true);
    try {
      stage = gateway.handle(head.withBody(body), admission);
      if (stage == null) {
        throw new IllegalStateException("McpGateway.handle returned null");
      }
    } catch (RuntimeException e) {
      LOG.error("gateway failed on {}", description, e);
      answer(ErrorResponses.response(500, ErrorResponses.INTERNAL_ERROR, false));
      return;
    }
    stage.whenComplete(this::answered);
  }

  void bodyTooLarge(long limit) {
    LOG.debug("{}: request body exceeds {} bytes; answering 413", description, limit);
    answer(ErrorResponses.response(413, ErrorResponses.tooLarge(limit), true));
  }

  void bodyFailed(Throwable failure) {
    stopBodyDeadline();
    if (isTimeout(failure)) {
      // a client that stopped sending mid-body; without this the container would end it with an empty 200
      LOG.debug("{}: the request body stopped arriving (idle timeout); answering 408", description);
      answer(ErrorResponses.response(408, "the request body stopped arriving before it was complete; send it without pauses", true));
      return;
    }
    LOG.debug("{}: reading the request body failed; the client is probably gone", description, failure);
    clientGone = true;
    complete();
  }

  private static boolean isTimeout(Throwable failure) {
    for (Throwable t = failure; t != null; t = t.getCause() == t ? null : t.getCause()) {
      if (t instanceof java.util.concurrent.TimeoutException) {
        return true;
      }
    }
    return false;
  }

  private void answered(GatewayResponse answer, Throwable failure) {
    releaseBody(); // the gateway is done with the body
    if (failure != null) {
      // McpGateway promises never to do this; the client still gets a clean answer.
      LOG.error("gateway completed {} exceptionally", description, failure);
      answer = ErrorResponses.response(500, ErrorResponses.INTERNAL_ERROR, false);
    } else if (answer == null) {
      LOG.error("gateway completed {} without a response", description);
      answer = ErrorResponses.response(500, ErrorResponses.INTERNAL_ERROR, false);
    }
    answer(answer);
  }

  /** This exchange no longer awaits the gateway; idempotent. */
  private void stopAwaiting() {
    if (awaitingCounted.compareAndSet(true, false)) {
      limits.awaiting().decrementAndGet();
    }
  }

  /** Writes {@code answer} unless another answer started or the client is gone; never throws. */
  private void answer(GatewayResponse answer) {
    releaseBody();
    stopAwaiting();
    EventStream stream = answer.stream().orElse(null);
    if (clientGone || !answering.compareAndSet(false, true)) {
      if (stream != null) {
        cancelQuietly(stream);
      }
      return;
    }
    write(answer, stream);
  }

  /** Writes {@code answer}, whose writing this thread has claimed; never throws. */
  private void write(GatewayResponse answer, EventStream stream) {
    try {
      response.setStatus(answer.status());
      answer.headers().forEach(response::setHeader);
      ServletOutputStream out = response.getOutputStream();
      if (stream != null) {
        EventStreamWriter writer = new EventStreamWriter(this, out, stream, limits.maxBufferedEventBytes(), description);
        streamWriter = writer;
        if (clientGone) {
          // onError or onComplete ran before streamWriter was visible to them.
          writer.release();
          return;
        }
        slot.answer(writer, inPlace(), async::start);
      } else {
        response.setContentLength(answer.body().length);
        slot.answer(new BodyWriter(this, out, answer.body()), inPlace(), async::start);
      }
    } catch (Exception | Error e) {
      LOG.debug("{}: could not write the answer; the client is probably gone", description, e);
      if (stream != null) {
        cancelQuietly(stream);
      }
      complete();
    }
  }

  private boolean inPlace() {
    return limits.awaiting().get() <= WRITE_IN_PLACE_MAX_AWAITING;
  }

  /** The answer was written, or writing it failed; ends the exchange. Idempotent. */
  void complete() {
    releaseBody();
    stopAwaiting();
    stopBodyDeadline();
    if (!completed.compareAndSet(false, true)) {
      return;
    }
    try {
      async.complete();
    } catch (IllegalStateException e) {
      // The container already completed it after an error.
      LOG.trace("async context of {} already completed", description, e);
    }
  }

  void writeFailed(Throwable failure) {
    LOG.debug("{}: writing the answer failed; the client is probably gone", description, failure);
    clientGone = true;
  }

  @Override
  public void onComplete(AsyncEvent event) {
    completed.set(true);
    clientGone = true;
    releaseBody();
    stopAwaiting();
    stopBodyDeadline();
    releaseStream();
  }

  @Override
  public void onTimeout(AsyncEvent event) {
    long timeoutMillis = limits.timeoutMillis();
    LOG.warn("{} timed out after {} ms", description, timeoutMillis);
    if (answering.compareAndSet(false, true)) {
      write(ErrorResponses.response(504, "gateway timed out after " + timeoutMillis + " ms", false), null);
    }
    clientGone = true;
    if (reader != null) {
      reader.abandon();
    }
    releaseStream();
    complete();
  }

  @Override
  public void onError(AsyncEvent event) {
    LOG.debug("{}: connection error; the client is probably gone", description, event.getThrowable());
    clientGone = true;
    if (reader != null) {
      reader.abandon();
    }
    releaseStream();
    complete();
  }

  @Override
  public void onStartAsync(AsyncEvent event) {
    // Not restarted: the servlet never dispatches.
  }

  private void releaseStream() {
    EventStreamWriter writer = streamWriter;
    if (writer != null) {
      writer.release();
    }
  }

  static void cancelQuietly(EventStream stream) {
    try {
      stream.cancel();
    } catch (RuntimeException e) {
      LOG.warn("event stream failed to cancel", e);
    }
  }
}
