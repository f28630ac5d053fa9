package dev.mcpgateway.spring.boot;

import static org.assertj.core.api.Assertions.assertThat;

import dev.mcpgateway.McpGateway;
import dev.mcpgateway.auth.AuthResult;
import dev.mcpgateway.auth.Authenticator;
import dev.mcpgateway.auth.Identity;
import dev.mcpgateway.config.BackendKind;
import dev.mcpgateway.policy.Interceptor;
import dev.mcpgateway.policy.McpCall;
import dev.mcpgateway.session.SessionStore;
import dev.mcpgateway.testing.InMemoryBackendLauncher;
import dev.mcpgateway.testsupport.RecordingSessionStore;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.springframework.boot.web.servlet.ServletRegistrationBean;
import org.springframework.context.ConfigurableApplicationContext;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

/**
 * The auto-configured gateway takes the application's beans: its Authenticator (and not the
 * configuration's API key), its launcher for {@code command} servers, its session store, its
 * interceptors and its MeterRegistry; and it is mounted, async, at {@code mcp.gateway.path}.
 */
class ApplicationBeansTest {
  private static final String CONFIG = """
      {"gateway": {"apiKey": "configured-key-that-the-application-replaces-0123", "payloadDir": "PAYLOADS"},
       "mcpServers": {"echo": {"type": "stdio", "command": "in-memory"}}}
      """;

  @TempDir
  Path dir;
  private ConfigurableApplicationContext context;

  @AfterEach
  void close() {
    if (context != null) {
      context.close();
    }
  }

  /** Lets in {@code Bearer let-me-in} only, as the caller "tester". */
  static final class TokenAuthenticator implements Authenticator {
    @Override
    public AuthResult authenticate(dev.mcpgateway.auth.AuthRequest request) {
      return request.authorization().filter("Bearer let-me-in"::equals).isPresent()
          ? AuthResult.success(Identity.of("tester", "let-me-in"))
          : AuthResult.denied(401, "say the word");
    }
  }

  /** Remembers the tools called through the gateway. */
  static final class CallRecorder implements Interceptor {
    final List<String> tools = new CopyOnWriteArrayList<>();

    @Override
    public Verdict onRequest(McpCall call) {
      call.toolName().ifPresent(tools::add);
      return Verdict.pass();
    }
  }

  @Configuration(proxyBeanMethods = false)
  static class Beans {
    @Bean
    Authenticator tokenAuthenticator() {
      return new TokenAuthenticator();
    }

    @Bean
    InMemoryBackendLauncher inMemory() {
      return new InMemoryBackendLauncher();
    }

    @Bean
    BackendLauncherRegistration commandLauncher(InMemoryBackendLauncher inMemory) {
      return BackendLauncherRegistration.of(BackendKind.COMMAND, inMemory);
    }

    @Bean
    RecordingSessionStore sessions() {
      return new RecordingSessionStore(SessionStore.caffeine(Duration.ofMinutes(5), 100), System::nanoTime);
    }

    @Bean
    CallRecorder callRecorder() {
      return new CallRecorder();
    }

    @Bean
    MeterRegistry meterRegistry() {
      return new SimpleMeterRegistry();
    }
  }

  @Test
  void theApplicationsBeansServeTheGatewayAtItsPath() throws Exception {
    Path file = Apps.configFile(dir, CONFIG);
    context = Apps.run(List.of(Beans.class), "mcp.gateway.config-file=" + file, "mcp.gateway.path=/tools");
    String url = Apps.base(context) + "/tools/mcp/echo";

    // the application's authenticator decides, not the configuration's apiKey
    assertThat(new Mcp(url, "configured-key-that-the-application-replaces-0123").initialize().status()).isEqualTo(401);
    Mcp client = new Mcp(url, "Bearer let-me-in");
    Mcp.Answer initialized = client.initialize();
    assertThat(initialized.status()).as(initialized.response().body()).isEqualTo(200);
    Mcp.Answer echo = client.callTool("echo", "{\"message\":\"from Spring\"}");
    assertThat(echo.status()).as(echo.response().body()).isEqualTo(200);
    assertThat(echo.json().path("result").path("content").get(0).path("text").asText()).contains("from Spring");

    InMemoryBackendLauncher launcher = context.getBean(InMemoryBackendLauncher.class);
    assertThat(launcher.launched()).extracting(request -> request.server().name()).containsExactly("echo");
    assertThat(launcher.launched().get(0).sessionKey()).isEqualTo(Identity.of("tester", "let-me-in").sessionKey());
    String sessionId = initialized.response().headers().firstValue("Mcp-Session-Id").orElseThrow();
    assertThat(context.getBean(RecordingSessionStore.class).holds(sessionId)).isTrue();
    assertThat(context.getBean(CallRecorder.class).tools).containsExactly("echo");
    assertThat(context.getBean(MeterRegistry.class).find("mcp.gateway.requests").tag("server", "echo")
        .tag("method", "tools/call").timer()).isNotNull()
        .satisfies(timer -> assertThat(timer.count()).isEqualTo(1));

    ServletRegistrationBean<?> servlet = context.getBean("mcpGatewayServlet", ServletRegistrationBean.class);
    assertThat(servlet.getUrlMappings()).containsExactly("/tools/*");
    assertThat(servlet.isAsyncSupported()).isTrue();
    assertThat(Mcp.get(Apps.base(context) + "/tools/health").statusCode()).isEqualTo(200);
    assertThat(context.getBean(McpGateway.class).isClosed()).isFalse();
  }

  @Test
  void withoutAnAuthenticatorBeanTheConfigurationsKeyIsAsked() throws Exception {
    Path file = Apps.configFile(dir, CONFIG);
    context = Apps.run(List.of(LauncherOnly.class), "mcp.gateway.config-file=" + file);
    String url = Apps.base(context) + "/mcp-gateway/mcp/echo";

    assertThat(new Mcp(url, "Bearer let-me-in").initialize().status()).isEqualTo(401);
    assertThat(new Mcp(url, "configured-key-that-the-application-replaces-0123").initialize().status()).isEqualTo(200);
  }

  @Configuration(proxyBeanMethods = false)
  static class LauncherOnly {
    @Bean
    BackendLauncherRegistration commandLauncher() {
      return BackendLauncherRegistration.of(BackendKind.COMMAND, new InMemoryBackendLauncher());
    }
  }
}
