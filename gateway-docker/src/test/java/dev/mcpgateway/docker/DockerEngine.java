package dev.mcpgateway.docker;

import com.github.dockerjava.api.DockerClient;
import com.github.dockerjava.api.async.ResultCallback;
import com.github.dockerjava.api.model.Container;
import com.github.dockerjava.api.model.Frame;
import dev.mcpgateway.await.Await;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Assertions;
import org.junit.jupiter.api.Assumptions;

/**
 * The real Docker engine the container tests run against. Where none answers the tests are
 * skipped with the reason printed, except under {@code CI=true}, where that is a failure.
 */
final class DockerEngine {
  static final String EVERYTHING_IMAGE = "mcp-gateway-test/server-everything:1";
  static final String BASE_IMAGE = "mcp-gateway-test/node-base:1";
  private static final String SETUP = "run .ci/docker-setup.sh to start an engine and build the test images";

  private static volatile String unavailableReason;

  private DockerEngine() {}

  /**
   * A client for the engine, or null when none answers (printed with the reason, so every test
   * of the class skips in {@link #assumeAvailable}); under {@code CI=true} that fails instead.
   */
  static DockerClient require() {
    String host = DockerClients.resolveHost(null);
    DockerClient docker = DockerClients.connect(host);
    String reason = null;
    try {
      docker.pingCmd().exec();
      for (String image : List.of(BASE_IMAGE, EVERYTHING_IMAGE)) {
        if (docker.listImagesCmd().withImageNameFilter(image).exec().isEmpty()) {
          reason = "the test image " + image + " is missing; " + SETUP;
        }
      }
    } catch (RuntimeException e) {
      reason = "no Docker engine answers at " + host + " (" + e.getMessage() + "); " + SETUP;
    }
    unavailableReason = reason;
    if (reason == null) {
      return docker;
    }
    DockerClients.closeQuietly(docker);
    if ("true".equalsIgnoreCase(System.getenv("CI"))) {
      Assertions.fail("CI=true, so the Docker tests must run, but " + reason);
    }
    System.out.println("SKIPPED Docker engine tests: " + reason);
    return null;
  }

  /** Skips the current test, with the reason, when {@link #require()} found no engine. */
  static void assumeAvailable() {
    String reason = unavailableReason;
    Assumptions.assumeTrue(reason == null, () -> "Docker engine tests skipped: " + reason);
  }

  /** Containers carrying {@code label} ({@code key=value} or {@code key}), running or not. */
  static List<Container> containers(DockerClient docker, String label) {
    return docker.listContainersCmd().withShowAll(true).withLabelFilter(List.of(label)).exec();
  }

  /** The owner label of containers this test JVM starts; other builds may share the engine. */
  static String ownLabel() {
    return ContainerJanitor.OWNER + "=" + ContainerJanitor.ownerLabel(ContainerJanitor.localHostName(), ProcessHandle.current());
  }

  /** Containers this test JVM started with the given extra label, running or not. */
  static List<Container> own(DockerClient docker, String label) {
    return docker.listContainersCmd().withShowAll(true).withLabelFilter(List.of(ownLabel(), label)).exec();
  }

  /** Asserts that no container with the gateway's labels that this test JVM started is left. */
  static void assertNoGatewayContainers(DockerClient docker) {
    String managed = ContainerJanitor.MANAGED + "=true";
    Await.until(Duration.ofSeconds(30), "no container with the gateway's labels is left", () -> own(docker, managed),
        List::isEmpty);
  }

  /** Runs {@code sh -c script} inside a running container and returns its stdout and stderr. */
  static String exec(DockerClient docker, String containerId, String script) throws InterruptedException {
    String exec = docker.execCreateCmd(containerId).withCmd("/bin/sh", "-c", script)
        .withAttachStdout(true).withAttachStderr(true).exec().getId();
    StringBuilder out = new StringBuilder();
    ResultCallback.Adapter<Frame> callback = new ResultCallback.Adapter<>() {
      @Override
      public void onNext(Frame frame) {
        synchronized (out) {
          out.append(new String(frame.getPayload(), StandardCharsets.UTF_8));
        }
      }
    };
    docker.execStartCmd(exec).exec(callback).awaitCompletion(30, TimeUnit.SECONDS);
    synchronized (out) {
      return out.toString();
    }
  }
}
