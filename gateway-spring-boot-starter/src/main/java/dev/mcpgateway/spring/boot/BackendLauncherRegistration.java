package dev.mcpgateway.spring.boot;

import dev.mcpgateway.backend.BackendLauncher;
import dev.mcpgateway.config.BackendKind;
import java.util.Objects;

/**
 * A {@link BackendLauncher} bean together with the {@link BackendKind} of servers it starts: how
 * an application hands launchers to the auto-configured gateway.
 *
 * <pre>{@code
 * @Bean
 * BackendLauncherRegistration containers() {
 *   return BackendLauncherRegistration.of(BackendKind.CONTAINER,
 *       DockerBackendLauncher.builder().pullPolicy(PullPolicy.NEVER).build());
 * }
 * }</pre>
 *
 * <p>At most one registration per kind. A kind without one gets the standalone runner's
 * default when the configuration has servers of that kind: {@code command} servers the process
 * launcher, {@code container} servers Docker (with {@code gateway-docker} on the class path),
 * {@code http} servers the HTTP launcher. The gateway owns the launcher and closes it when it
 * closes. A bare {@code BackendLauncher} bean, which says no kind, fails the start.
 *
 * @param kind the kind of servers the launcher starts
 * @param launcher the launcher
 */
public record BackendLauncherRegistration(BackendKind kind, BackendLauncher launcher) {

  /**
   * Rejects nulls.
   *
   * @param kind the kind of servers the launcher starts
   * @param launcher the launcher
   */
  public BackendLauncherRegistration {
    Objects.requireNonNull(kind, "kind");
    Objects.requireNonNull(launcher, "launcher");
  }

  /**
   * {@code launcher} for the servers of {@code kind}.
   *
   * @param kind the kind of servers the launcher starts
   * @param launcher the launcher
   * @return the registration, to declare as a bean
   */
  public static BackendLauncherRegistration of(BackendKind kind, BackendLauncher launcher) {
    return new BackendLauncherRegistration(kind, launcher);
  }
}
