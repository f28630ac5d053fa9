package dev.mcpgateway.auth.apikey;

import static dev.mcpgateway.auth.apikey.ApiKeyAuthenticatorTest.KEY;
import static dev.mcpgateway.auth.apikey.ApiKeyAuthenticatorTest.OTHER_KEY;
import static dev.mcpgateway.auth.apikey.ApiKeyAuthenticatorTest.request;
import static org.assertj.core.api.Assertions.assertThat;

import dev.mcpgateway.auth.Authenticator;
import dev.mcpgateway.auth.Identity;
import dev.mcpgateway.config.ConfigLoader;
import dev.mcpgateway.config.GatewayConfig;
import java.util.Map;
import java.util.function.Function;
import org.junit.jupiter.api.Test;

class ConfiguredKeyTest {
  private static final Function<String, String> NO_ENV = name -> null;

  private static Function<String, String> env(String value) {
    return name -> name.equals("MCP_GATEWAY_API_KEY") ? value : null;
  }

  @Test
  void usesTheConfiguredKey() {
    GatewayConfig config = GatewayConfig.builder().apiKey(KEY).build();

    Authenticator auth = ApiKeyAuthenticator.fromConfig(config, NO_ENV);

    assertThat(auth).isInstanceOf(ApiKeyAuthenticator.class);
    assertThat(auth.isOpen()).isFalse();
    assertThat(auth.authenticate(request(KEY)).identity().map(Identity::name)).contains("default");
  }

  @Test
  void usesTheEnvironmentVariableWhenTheConfigHasNoKey() {
    Authenticator auth = ApiKeyAuthenticator.fromConfig(GatewayConfig.builder().build(), env(KEY));

    assertThat(auth.authenticate(request(KEY)).isSuccess()).isTrue();
  }

  @Test
  void prefersTheConfigsKeyWhenBothAreSet() {
    GatewayConfig config = GatewayConfig.builder().apiKey(KEY).build();

    Authenticator auth = ApiKeyAuthenticator.fromConfig(config, env(OTHER_KEY));

    assertThat(auth.authenticate(request(KEY)).isSuccess()).isTrue();
    assertThat(auth.authenticate(request(OTHER_KEY)).isSuccess()).isFalse();
  }

  @Test
  void expandsAVariableInTheConfigsKey() {
    GatewayConfig config = ConfigLoader.withEnvironment(Map.of("GATEWAY_KEY", KEY))
        .parse("{\"gateway\":{\"apiKey\":\"${GATEWAY_KEY}\"},\"mcpServers\":{}}");

    Authenticator auth = ApiKeyAuthenticator.fromConfig(config, NO_ENV);

    assertThat(auth.authenticate(request(KEY)).isSuccess()).isTrue();
  }

  @Test
  void turnsAuthenticationOffWithoutAnyKey() {
    Authenticator auth = ApiKeyAuthenticator.fromConfig(GatewayConfig.builder().build(), NO_ENV);

    assertThat(auth.isOpen()).isTrue();
    assertThat(auth.authenticate(request(null)).isSuccess()).isTrue();
  }

  @Test
  void treatsAnEmptyEnvironmentVariableAsUnset() {
    Authenticator auth = ApiKeyAuthenticator.fromConfig(GatewayConfig.builder().build(), env(""));

    assertThat(auth.isOpen()).isTrue();
  }

  @Test
  void offersTheConfiguredKeyForAnAuthenticatorWithOtherSettings() {
    GatewayConfig config = GatewayConfig.builder().build();

    assertThat(ApiKeyAuthenticator.configuredKey(config, env(KEY))).contains(KEY);
    assertThat(ApiKeyAuthenticator.configuredKey(config, NO_ENV)).isEmpty();
  }
}
