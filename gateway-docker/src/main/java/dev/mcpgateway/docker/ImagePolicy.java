package dev.mcpgateway.docker;

import com.github.dockerjava.api.DockerClient;
import com.github.dockerjava.api.command.InspectImageResponse;
import com.github.dockerjava.api.command.PullImageResultCallback;
import com.github.dockerjava.api.exception.NotFoundException;
import java.io.IOException;
import java.time.Duration;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Makes sure a server's image is on the engine (per the {@link PullPolicy}), warns once per
 * image when it is not pinned to a tag or digest, and checks a configured digest.
 */
final class ImagePolicy {
  private static final Logger LOG = LoggerFactory.getLogger(ImagePolicy.class);

  private final DockerClient docker;
  private final PullPolicy pullPolicy;
  private final Set<String> warned = ConcurrentHashMap.newKeySet();

  ImagePolicy(DockerClient docker, PullPolicy pullPolicy) {
    this.docker = docker;
    this.pullPolicy = pullPolicy;
  }

  /** Whether {@code image} names a fixed tag ({@code :1.2.3}, not {@code :latest}) or a digest. */
  static boolean isPinned(String image) {
    if (image.contains("@sha256:")) {
      return true;
    }
    String tag = tag(image);
    return tag != null && !tag.equals("latest");
  }

  /** The tag of a reference without a digest, or null. */
  static String tag(String image) {
    int colon = image.lastIndexOf(':');
    return colon > image.lastIndexOf('/') ? image.substring(colon + 1) : null;
  }

  /** Logs a WARN the first time an unpinned image is used. */
  void warnIfUnpinned(String server, String image) {
    if (!isPinned(image) && warned.add(image)) {
      LOG.warn("Server '{}' uses image '{}' without a pinned tag or digest; pin a version so what runs cannot change "
          + "under you", server, image);
    }
  }

  /** Pulls as the policy says and checks the digest; blocks up to {@code timeout} for a pull. */
  void prepare(ContainerSpec spec, Duration timeout) throws IOException {
    String where = "server '" + spec.server() + "' (image '" + spec.image() + "')";
    warnIfUnpinned(spec.server(), spec.image());
    InspectImageResponse image = pullPolicy == PullPolicy.ALWAYS ? null : inspect(spec.image());
    if (image == null) {
      if (pullPolicy == PullPolicy.NEVER) {
        throw new IOException(where + ": the image is not on the Docker engine and the pull policy is NEVER");
      }
      pull(spec.image(), timeout, where);
      image = inspect(spec.image());
      if (image == null) {
        throw new IOException(where + ": the image is missing after pulling it");
      }
    }
    if (spec.imageDigest().isPresent()) {
      String digest = spec.imageDigest().get();
      List<String> repoDigests = image.getRepoDigests() == null ? List.of() : image.getRepoDigests();
      if (!digest.equals(image.getId()) && repoDigests.stream().noneMatch(d -> d.endsWith("@" + digest))) {
        throw new IOException(where + ": the image's digest is " + image.getId() + ", not the pinned " + digest);
      }
    }
  }

  private InspectImageResponse inspect(String image) {
    try {
      return docker.inspectImageCmd(image).exec();
    } catch (NotFoundException e) {
      return null;
    }
  }

  private void pull(String image, Duration timeout, String where) throws IOException {
    LOG.info("Pulling image '{}' for {}", image, where);
    try {
      String tag = image.contains("@") ? null : tag(image);
      String repository = tag == null ? image : image.substring(0, image.length() - tag.length() - 1);
      var cmd = docker.pullImageCmd(repository);
      if (tag != null) {
        cmd.withTag(tag);
      } else if (!image.contains("@")) {
        cmd.withTag("latest");
      }
      if (!cmd.exec(new PullImageResultCallback()).awaitCompletion(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
        throw new IOException(where + ": pulling the image took longer than " + timeout.toSeconds() + " s");
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IOException(where + ": interrupted while pulling the image", e);
    } catch (RuntimeException e) {
      throw new IOException(where + ": pulling the image failed: " + e.getMessage(), e);
    }
  }
}
