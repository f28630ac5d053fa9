package dev.mcpgateway.testing;

import org.junit.jupiter.api.Test;

/**
 * The contract of launchers that give their servers an environment (processes, containers):
 * everything {@link BackendLauncherContract} checks, and that the launch's environment values
 * reach the server.
 *
 * <pre>{@code
 * class MyLauncherTest extends StdioLauncherContract {
 *   // ... as for BackendLauncherContract, and:
 *   protected String environmentProbe(String variable) {
 *     return "{\"name\":\"env\",\"arguments\":{\"name\":\"" + variable + "\"}}";
 *   }
 * }
 * }</pre>
 */
public abstract class StdioLauncherContract extends BackendLauncherContract {

  /** For subclasses. */
  protected StdioLauncherContract() {}

  /**
   * The params of a {@code tools/call} that makes {@link #server()} say the value of the
   * environment variable {@code variable} in its result, such as
   * {@code {"name":"env","arguments":{"name":"<variable>"}}}.
   *
   * @param variable the name of the environment variable
   * @return the params, as JSON text
   */
  protected abstract String environmentProbe(String variable);

  @Test
  void environmentValuesReachTheServer() throws Exception {
    checkEnvironmentValuesReachTheServer(environmentProbe(SECRET_VARIABLE));
  }
}
