package dev.mcpgateway.docker;

/** When {@link DockerBackendLauncher} pulls a server's image before starting a container. */
public enum PullPolicy {
  /** Never pull: the image must already be on the engine, or the launch fails naming it. */
  NEVER,
  /** Pull only when the engine does not have the image (the default). */
  IF_MISSING,
  /** Pull before every launch, so a moved tag is followed. */
  ALWAYS
}
