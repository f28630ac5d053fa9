package dev.mcpgateway.spring.boot;

import dev.mcpgateway.McpGateway;
import dev.mcpgateway.audit.RpcMessageLog;
import dev.mcpgateway.auth.Authenticator;
import dev.mcpgateway.auth.apikey.ApiKeyAuthenticator;
import dev.mcpgateway.backend.BackendLauncher;
import dev.mcpgateway.config.BackendKind;
import dev.mcpgateway.config.ConfigException;
import dev.mcpgateway.config.GatewayConfig;
import dev.mcpgateway.config.ServerConfig;
import dev.mcpgateway.micrometer.MicrometerMetrics;
import dev.mcpgateway.policy.Interceptor;
import dev.mcpgateway.policy.Policies;
import dev.mcpgateway.servlet.McpGatewayServlet;
import dev.mcpgateway.session.SessionStore;
import io.micrometer.core.instrument.MeterRegistry;
import java.io.IOException;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.Collections;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.beans.factory.ListableBeanFactory;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.beans.factory.config.ConfigurableBeanFactory;
import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.boot.autoconfigure.condition.ConditionalOnBean;
import org.springframework.boot.autoconfigure.condition.ConditionalOnClass;
import org.springframework.boot.autoconfigure.condition.ConditionalOnMissingBean;
import org.springframework.boot.autoconfigure.condition.ConditionalOnProperty;
import org.springframework.boot.autoconfigure.condition.ConditionalOnWebApplication;
import org.springframework.boot.context.properties.EnableConfigurationProperties;
import org.springframework.boot.web.servlet.ServletRegistrationBean;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.util.ClassUtils;

/**
 * Builds the MCP gateway from {@code mcp.gateway.config-file} (or a {@link GatewayConfig} bean)
 * and mounts {@link McpGatewayServlet} at {@code mcp.gateway.path}, as the standalone runner
 * does with its JSON configuration, with the application's beans:
 *
 * <ul>
 *   <li>an {@link Authenticator} bean, else the configuration's {@code apiKey} / {@code adminKey}
 *       ({@code ApiKeyAuthenticator.fromConfig});
 *   <li>{@link BackendLauncherRegistration} beans, one per {@link BackendKind}, else the
 *       runner's launchers for the kinds the configuration uses;
 *   <li>a {@link SessionStore} bean; in cluster mode ({@code gateway.cluster}, with
 *       {@code gateway-redis}) the sessions, events, bus and shared rate limits are in Redis;
 *   <li>{@link Interceptor} beans, in {@code @Order}, inside the default chain just before
 *       redaction (so they see only allowed calls and redacted answers);
 *   <li>a Micrometer {@code MeterRegistry}, with {@code gateway-micrometer} on the class path;
 *   <li>{@link McpGatewayBuilderCustomizer} beans, for everything else.
 * </ul>
 *
 * <p>{@link McpGatewayLifecycle} closes the gateway before the web server's graceful shutdown.
 * A configuration that cannot be used fails the start with a {@link McpGatewayConfigurationException}
 * naming the JSON path. See docs/spring-boot.md.
 */
@AutoConfiguration
@ConditionalOnWebApplication(type = ConditionalOnWebApplication.Type.SERVLET)
@ConditionalOnClass({McpGateway.class, McpGatewayServlet.class})
@ConditionalOnProperty(prefix = McpGatewayProperties.PREFIX, name = "enabled", matchIfMissing = true)
@EnableConfigurationProperties(McpGatewayProperties.class)
public class McpGatewayAutoConfiguration {
  private static final Logger LOG = LoggerFactory.getLogger(McpGatewayAutoConfiguration.class);
  private static final String DOCKER_LAUNCHER = "dev.mcpgateway.docker.DockerBackendLauncher";
  private static final String REDIS_CLUSTER = "dev.mcpgateway.redis.RedisCluster";

  /**
   * The configuration read from {@code mcp.gateway.config-file}.
   *
   * @param properties the {@code mcp.gateway.*} settings
   * @return the configuration read
   */
  @Bean
  @ConditionalOnMissingBean
  @ConditionalOnProperty(prefix = McpGatewayProperties.PREFIX, name = "config-file")
  public GatewayConfig mcpGatewayConfig(McpGatewayProperties properties) {
    Path file = properties.getConfigFile();
    try {
      return GatewayConfig.read(file);
    } catch (ConfigException e) {
      throw new McpGatewayConfigurationException(file, e.getMessage(), e);
    } catch (NoSuchFileException e) {
      throw new McpGatewayConfigurationException(file, "no such file: " + e.getFile(), e);
    } catch (IOException e) {
      throw new McpGatewayConfigurationException(file, "cannot read it: " + e, e);
    }
  }

  /**
   * The connections to Redis in cluster mode, closed after the gateway (which depends on them);
   * nothing when the configuration has no {@code gateway.cluster}.
   */
  @Bean
  @ConditionalOnBean(GatewayConfig.class)
  @ConditionalOnMissingBean(McpGateway.class)
  GatewayCluster mcpGatewayCluster(GatewayConfig config, McpGatewayProperties properties, ListableBeanFactory beans) {
    if (config.cluster().isEmpty()) {
      return GatewayCluster.NONE;
    }
    if (!ClassUtils.isPresent(REDIS_CLUSTER, classLoader(beans))) {
      ConfigException missing = new ConfigException("$.gateway.cluster",
          "cluster mode needs dev.mcpgateway:gateway-redis on the class path");
      throw new McpGatewayConfigurationException(properties.getConfigFile(), missing.getMessage(), missing);
    }
    return RedisSupport.connect(config);
  }

  /**
   * The gateway, with the application's beans; closed by {@link McpGatewayLifecycle}, else when the context closes.
   *
   * @param config the gateway configuration
   * @param properties the {@code mcp.gateway.*} settings
   * @param cluster the Redis connections of cluster mode, or none
   * @param beans the application's beans, checked for launchers declared without a kind
   * @param authenticator the application's authenticator; else API keys from the configuration
   * @param launchers the application's launchers by kind; else the built-in ones the servers need
   * @param sessionStore the application's session store, if it declares one
   * @param interceptors the application's interceptors, placed in the default chain before redaction
   * @param customizers run last, in order
   * @return the gateway
   */
  @Bean
  @ConditionalOnBean(GatewayConfig.class)
  @ConditionalOnMissingBean
  public McpGateway mcpGateway(GatewayConfig config, McpGatewayProperties properties, GatewayCluster cluster,
      ListableBeanFactory beans, ObjectProvider<Authenticator> authenticator,
      ObjectProvider<BackendLauncherRegistration> launchers, ObjectProvider<SessionStore> sessionStore,
      ObjectProvider<Interceptor> interceptors, ObjectProvider<McpGatewayBuilderCustomizer> customizers) {
    try {
      McpGateway.Builder builder = McpGateway.builder(config)
          .unifiedEndpoint(properties.isUnifiedEndpoint())
          // logger "rpc": every client request and answer as a JSON line, off unless configured
          .addOuterInterceptor(RpcMessageLog.forConfig(config, System::getenv));
      builder.authenticator(authenticator.getIfAvailable(() -> ApiKeyAuthenticator.fromConfig(config)));
      applyLaunchers(builder, config, beans, launchers.orderedStream().toList());
      sessionStore.ifAvailable(builder::sessionStore);
      List<Interceptor> own = interceptors.orderedStream().toList();
      if (!own.isEmpty()) {
        List<Interceptor> chain = new ArrayList<>(Policies.defaults(config));
        chain.addAll(chain.size() - 1, own); // redaction stays last: the first to see an answer
        builder.interceptors(chain);
      }
      cluster.apply(builder, config);
      customizers.orderedStream().forEach(c -> c.customize(builder));
      return builder.build();
    } catch (ConfigException e) {
      throw new McpGatewayConfigurationException(properties.getConfigFile(), e.getMessage(), e);
    }
  }

  private static void applyLaunchers(McpGateway.Builder builder, GatewayConfig config, ListableBeanFactory beans,
      List<BackendLauncherRegistration> registrations) {
    Map<BackendKind, BackendLauncher> byKind = new EnumMap<>(BackendKind.class);
    Set<BackendLauncher> registered = Collections.newSetFromMap(new IdentityHashMap<>());
    for (BackendLauncherRegistration registration : registrations) {
      if (byKind.putIfAbsent(registration.kind(), registration.launcher()) != null) {
        throw new IllegalStateException("Two BackendLauncherRegistration beans for BackendKind."
            + registration.kind() + ": declare at most one per kind");
      }
      registered.add(registration.launcher());
    }
    for (Map.Entry<String, BackendLauncher> bean : beans.getBeansOfType(BackendLauncher.class).entrySet()) {
      if (!registered.contains(bean.getValue())) {
        throw new IllegalStateException("BackendLauncher bean '" + bean.getKey() + "' says no BackendKind: declare it as "
            + "a BackendLauncherRegistration.of(BackendKind.<KIND>, launcher) bean instead");
      }
    }
    for (ServerConfig server : config.servers().values()) {
      BackendKind kind = server.kind();
      if (byKind.containsKey(kind)) {
        continue;
      }
      switch (kind) {
        case COMMAND -> byKind.put(kind, BackendLauncher.process());
        case HTTP -> byKind.put(kind, BackendLauncher.http());
        case CONTAINER -> {
          if (ClassUtils.isPresent(DOCKER_LAUNCHER, classLoader(beans))) {
            byKind.put(kind, DockerSupport.launcher());
          }
        }
        default -> { }
      }
      if (!byKind.containsKey(kind)) {
        throw new ConfigException("$.mcpServers." + server.name(), kind.name().toLowerCase(java.util.Locale.ROOT)
            + " servers need a launcher: add dev.mcpgateway:gateway-docker to the class path, or declare a "
            + "BackendLauncherRegistration.of(BackendKind." + kind + ", launcher) bean");
      }
    }
    for (ServerConfig server : config.servers().values()) {
      if (server.kind() == BackendKind.COMMAND && !registered.contains(byKind.get(BackendKind.COMMAND))) {
        LOG.warn("Server '{}' runs '{}' as a host process, without container isolation", server.name(),
            server.command().orElse(""));
      }
    }
    byKind.forEach(builder::launcher);
  }

  /** The application's class loader, where optional modules are looked for. */
  private static ClassLoader classLoader(ListableBeanFactory beans) {
    ClassLoader loader = beans instanceof ConfigurableBeanFactory configurable ? configurable.getBeanClassLoader() : null;
    return loader != null ? loader : McpGatewayAutoConfiguration.class.getClassLoader();
  }

  /**
   * The servlet at {@code mcp.gateway.path}, async supported.
   *
   * @param gateway the auto-configured gateway
   * @param properties the {@code mcp.gateway.*} settings
   * @return the servlet's registration
   */
  @Bean
  @ConditionalOnBean(McpGateway.class)
  @ConditionalOnMissingBean(name = "mcpGatewayServlet")
  public ServletRegistrationBean<McpGatewayServlet> mcpGatewayServlet(McpGateway gateway, McpGatewayProperties properties) {
    McpGatewayProperties.Servlet options = properties.getServlet();
    McpGatewayServlet.Builder servlet = McpGatewayServlet.builder(gateway);
    if (options.getMaxBufferedEventBytes() != null) {
      servlet.maxBufferedEventBytes(options.getMaxBufferedEventBytes().toBytes());
    }
    if (options.getAsyncTimeout() != null) {
      servlet.asyncTimeout(options.getAsyncTimeout());
    }
    if (options.getMaxInFlightBodyBytes() != null) {
      servlet.maxInFlightBodyBytes(options.getMaxInFlightBodyBytes().toBytes());
    }
    if (options.getBodyTimeout() != null) {
      servlet.bodyTimeout(options.getBodyTimeout());
    }
    ServletRegistrationBean<McpGatewayServlet> registration =
        new ServletRegistrationBean<>(servlet.build(), properties.urlMapping());
    registration.setName("mcpGateway");
    registration.setAsyncSupported(true);
    registration.setLoadOnStartup(1);
    return registration;
  }

  /**
   * Closes the gateway before the web server's graceful shutdown.
   *
   * @param gateway the auto-configured gateway
   * @return the lifecycle
   */
  @Bean
  @ConditionalOnBean(McpGateway.class)
  @ConditionalOnMissingBean
  public McpGatewayLifecycle mcpGatewayLifecycle(McpGateway gateway) {
    return new McpGatewayLifecycle(gateway);
  }

  /** The gateway's meters in the application's {@code MeterRegistry}, when it has one. */
  @Configuration(proxyBeanMethods = false)
  @ConditionalOnClass({MicrometerMetrics.class, MeterRegistry.class})
  static class MetricsConfiguration {
    @Bean
    @ConditionalOnMissingBean(name = "mcpGatewayMetrics")
    McpGatewayBuilderCustomizer mcpGatewayMetrics(ObjectProvider<MeterRegistry> registry) {
      return builder -> registry.ifAvailable(r -> builder.addOuterInterceptor(MicrometerMetrics.create(r)));
    }
  }
}
