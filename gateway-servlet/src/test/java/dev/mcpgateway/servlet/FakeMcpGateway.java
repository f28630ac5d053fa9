package dev.mcpgateway.servlet;

import static org.assertj.core.api.Assertions.fail;

import dev.mcpgateway.Admission;
import dev.mcpgateway.GatewayRequest;
import dev.mcpgateway.GatewayResponse;
import dev.mcpgateway.McpGateway;
import dev.mcpgateway.config.GatewayConfig;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;

/** An {@link McpGateway} that records requests and answers with whatever the test sets. */
final class FakeMcpGateway implements McpGateway {
  private final long maxRequestBytes;
  private final BlockingQueue<GatewayRequest> unseen = new LinkedBlockingQueue<>();
  private final List<GatewayRequest> requests = new CopyOnWriteArrayList<>();
  private final List<GatewayRequest> heads = new CopyOnWriteArrayList<>();
  private final List<Admission> admissionsHandedBack = new CopyOnWriteArrayList<>();
  private volatile Function<GatewayRequest, Admission> admitter = head -> Admission.proceed();
  private volatile Function<GatewayRequest, CompletionStage<GatewayResponse>> handler =
      request -> CompletableFuture.completedFuture(GatewayResponse.json(200, "{\"ok\":true}"));

  FakeMcpGateway(long maxRequestBytes) {
    this.maxRequestBytes = maxRequestBytes;
  }

  /** Answers every following request with what {@code handler} returns. */
  FakeMcpGateway answerWith(Function<GatewayRequest, CompletionStage<GatewayResponse>> handler) {
    this.handler = handler;
    return this;
  }

  /** Decides every following request's admission with {@code admitter}. */
  FakeMcpGateway admitWith(Function<GatewayRequest, Admission> admitter) {
    this.admitter = admitter;
    return this;
  }

  /** Every head the servlet asked to admit, in order. */
  List<GatewayRequest> heads() {
    return heads;
  }

  /** The admissions handed back with requests, in order. */
  List<Admission> admissionsHandedBack() {
    return admissionsHandedBack;
  }

  @Override
  public Admission admit(GatewayRequest head) {
    heads.add(head);
    return admitter.apply(head);
  }

  @Override
  public CompletionStage<GatewayResponse> handle(GatewayRequest request, Admission admission) {
    admissionsHandedBack.add(admission);
    return handle(request);
  }

  /** Answers every following request with {@code response}. */
  FakeMcpGateway answer(GatewayResponse response) {
    return answerWith(request -> CompletableFuture.completedFuture(response));
  }

  /** The next request the gateway got that this method has not returned yet; fails after 10 seconds. */
  GatewayRequest takeRequest() throws InterruptedException {
    GatewayRequest request = unseen.poll(10, TimeUnit.SECONDS);
    if (request == null) {
      fail("the gateway got no request within 10 seconds");
    }
    return request;
  }

  /** Every request the gateway got, in order. */
  List<GatewayRequest> requests() {
    return requests;
  }

  @Override
  public CompletionStage<GatewayResponse> handle(GatewayRequest request) {
    requests.add(request);
    unseen.add(request);
    return handler.apply(request);
  }

  @Override
  public GatewayConfig config() {
    return GatewayConfig.builder().build();
  }

  @Override
  public long maxRequestBytes() {
    return maxRequestBytes;
  }

  @Override
  public String version() {
    return "test";
  }

  @Override
  public boolean isClosed() {
    return false;
  }

  @Override
  public CompletionStage<Void> closed() {
    return new CompletableFuture<>();
  }

  @Override
  public void close() {}
}
