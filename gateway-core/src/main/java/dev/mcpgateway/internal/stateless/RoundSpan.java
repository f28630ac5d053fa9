package dev.mcpgateway.internal.stateless;

import dev.mcpgateway.GatewayException;
import dev.mcpgateway.GatewayResponse;
import dev.mcpgateway.internal.intercept.Tracer;
import dev.mcpgateway.trace.TraceOutcome;
import dev.mcpgateway.trace.TraceSpan;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * The span of one HTTP request of the stateless revision, ended exactly once with the answer
 * that request gets: by its {@link Leg} when one answers it (a call, each round of a
 * multi-round-trip call), else with the response. A call's backend span is a child of the span
 * of the request that started the call and lasts until the call ends, across its rounds.
 */
final class RoundSpan {
  /** Untraced. */
  static final RoundSpan NONE = new RoundSpan(TraceSpan.NONE);

  private final TraceSpan span;
  private final AtomicBoolean ended = new AtomicBoolean();
  /** A leg answers the request, on its own stream or response: it ends the span. */
  private volatile boolean legAnswers;

  RoundSpan(TraceSpan span) {
    this.span = span;
  }

  /** The parent of the backend call this request starts; the call does not end this span. */
  TraceSpan parent() {
    return Tracer.parentOnly(span);
  }

  /** A leg took the request: the leg's answer ends the span. */
  void answeredByLeg() {
    legAnswers = true;
  }

  /** Ends the span with the JSON-RPC answer {@code json} (once; later calls do nothing). */
  void end(byte[] json) {
    if (span != TraceSpan.NONE && !ended.get()) {
      end(Tracer.outcome(json));
    }
  }

  void end(TraceOutcome outcome) {
    if (span != TraceSpan.NONE && ended.compareAndSet(false, true)) {
      Tracer.end(span, outcome);
    }
  }

  /**
   * {@code response} that ends the span, before the client has it, unless a leg does: with its
   * JSON answer, or as a success for a stream no leg answers on (a {@code subscriptions/listen}
   * stream, from its acknowledgment; a retry another replica answers).
   */
  CompletionStage<GatewayResponse> endWith(CompletionStage<GatewayResponse> response) {
    if (span == TraceSpan.NONE) {
      return response;
    }
    return response.whenComplete((answer, failure) -> {
      if (failure != null) {
        end(TraceOutcome.error(GatewayException.INTERNAL_ERROR));
      } else if (answer.stream().isEmpty()) {
        byte[] body = answer.body();
        if (body != null && body.length > 0) {
          end(body);
        } else {
          end(TraceOutcome.success());
        }
      } else if (!legAnswers) {
        end(TraceOutcome.success());
      }
    });
  }
}
