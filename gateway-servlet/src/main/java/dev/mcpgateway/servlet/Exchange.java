package dev.mcpgateway.servlet;

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
import java.io.IOException;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.atomic.AtomicBoolean;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One HTTP request on its way through the gateway: reads the body, calls the gateway, writes
 * the answer, and completes the async context exactly once.
 *
 * <p>Callbacks arrive on container threads (body, write, async events) and on whatever thread
 * completes the gateway's stage; the atomics decide which of them answers and which finishes.
 */
final class Exchange implements AsyncListener {
  private static final Logger LOG = LoggerFactory.getLogger(Exchange.class);

  private final McpGateway gateway;
  private final AsyncContext async;
  private final HttpServletResponse response;
  private final GatewayRequest.Builder request;
  private final String description;
  private final long maxBufferedEventBytes;
  private final long timeoutMillis;
  private final long expectedBodyBytes;
  /** Set by whoever writes the answer: the gateway's, the servlet's own error, or the timeout's. */
  private final AtomicBoolean answering = new AtomicBoolean();
  private final AtomicBoolean completed = new AtomicBoolean();
  private volatile boolean clientGone;
  private volatile EventStreamWriter streamWriter;

  Exchange(McpGateway gateway, AsyncContext async, HttpServletRequest request, HttpServletResponse response,
      long maxBufferedEventBytes, long timeoutMillis) {
    this.gateway = gateway;
    this.async = async;
    this.response = response;
    this.request = RequestTranslator.translate(request);
    this.description = request.getMethod() + " " + request.getRequestURI();
    this.maxBufferedEventBytes = maxBufferedEventBytes;
    this.timeoutMillis = timeoutMillis;
    this.expectedBodyBytes = request.getContentLengthLong();
  }

  void start() throws IOException {
    async.addListener(this);
    async.setTimeout(timeoutMillis);
    ServletInputStream in = async.getRequest().getInputStream();
    in.setReadListener(new BodyReader(this, in, gateway.maxRequestBytes(), expectedBodyBytes));
  }

  void bodyRead(byte[] body) {
    CompletionStage<GatewayResponse> stage;
    try {
      stage = gateway.handle(request.body(body).build());
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

  /** Writes {@code answer} unless another answer started or the client is gone; never throws. */
  private void answer(GatewayResponse answer) {
    EventStream stream = answer.stream().orElse(null);
    if (clientGone || !answering.compareAndSet(false, true)) {
      if (stream != null) {
        cancelQuietly(stream);
      }
      return;
    }
    try {
      response.setStatus(answer.status());
      answer.headers().forEach(response::setHeader);
      ServletOutputStream out = response.getOutputStream();
      if (stream != null) {
        EventStreamWriter writer = new EventStreamWriter(this, out, stream, maxBufferedEventBytes, description);
        streamWriter = writer;
        if (clientGone) {
          // onError or onComplete ran before streamWriter was visible to them.
          writer.release();
          return;
        }
        out.setWriteListener(writer);
      } else {
        response.setContentLength(answer.body().length);
        out.setWriteListener(new BodyWriter(this, out, answer.body()));
      }
    } catch (Exception | Error e) {
      LOG.debug("{}: could not write the answer; the client is probably gone", description, e);
      if (stream != null) {
        cancelQuietly(stream);
      }
      complete();
    }
  }

  /** The answer was written, or writing it failed; ends the exchange. Idempotent. */
  void complete() {
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
    releaseStream();
  }

  @Override
  public void onTimeout(AsyncEvent event) {
    LOG.warn("{} timed out after {} ms", description, timeoutMillis);
    if (answering.compareAndSet(false, true)) {
      try {
        ErrorResponses.writeNow(response, 504, "gateway timed out after " + timeoutMillis + " ms", false);
      } catch (IOException | RuntimeException e) {
        LOG.debug("{}: could not answer 504", description, e);
      }
    }
    clientGone = true;
    releaseStream();
    complete();
  }

  @Override
  public void onError(AsyncEvent event) {
    LOG.debug("{}: connection error; the client is probably gone", description, event.getThrowable());
    clientGone = true;
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
