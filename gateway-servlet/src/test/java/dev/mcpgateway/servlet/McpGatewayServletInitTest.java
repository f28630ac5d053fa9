package dev.mcpgateway.servlet;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import jakarta.servlet.ServletConfig;
import jakarta.servlet.ServletContext;
import jakarta.servlet.ServletException;
import java.lang.reflect.Proxy;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** How the servlet finds its gateway and options when a container creates it from {@code web.xml}. */
class McpGatewayServletInitTest {

  @Test
  void failsInitNamingTheAttributeWhenTheContextHasNoGateway() {
    McpGatewayServlet servlet = new McpGatewayServlet();

    assertThatThrownBy(() -> servlet.init(config(null, Map.of())))
        .isInstanceOf(ServletException.class)
        .hasMessageContaining("'" + McpGatewayServlet.GATEWAY_ATTRIBUTE + "'")
        .hasMessageContaining("not set")
        .hasMessageContaining("servlet 'mcp'");
  }

  @Test
  void failsInitNamingTheTypeWhenTheAttributeHoldsSomethingElse() {
    McpGatewayServlet servlet = new McpGatewayServlet();

    assertThatThrownBy(() -> servlet.init(config("not a gateway", Map.of())))
        .isInstanceOf(ServletException.class)
        .hasMessageContaining("java.lang.String");
  }

  @Test
  void failsInitNamingAnInitParameterThatIsNotANumber() {
    McpGatewayServlet servlet = new McpGatewayServlet();

    assertThatThrownBy(() -> servlet.init(config(new FakeMcpGateway(1024),
        Map.of(McpGatewayServlet.MAX_BUFFERED_EVENT_BYTES_PARAM, "lots"))))
        .isInstanceOf(ServletException.class)
        .hasMessage("init parameter 'maxBufferedEventBytes' must be a whole number of at least 1: lots");
  }

  @Test
  void initializesFromTheContextAttributeAndInitParameters() throws Exception {
    McpGatewayServlet servlet = new McpGatewayServlet();

    servlet.init(config(new FakeMcpGateway(1024), Map.of(McpGatewayServlet.MAX_BUFFERED_EVENT_BYTES_PARAM, "65536",
        McpGatewayServlet.ASYNC_TIMEOUT_MILLIS_PARAM, "0")));

    assertThat(servlet.getServletInfo()).contains(McpGatewayServlet.GATEWAY_ATTRIBUTE);
  }

  @Test
  void builderRejectsNonsensicalOptionsNamingThem() {
    McpGatewayServlet.Builder builder = McpGatewayServlet.builder(new FakeMcpGateway(1024));

    assertThatThrownBy(() -> builder.maxBufferedEventBytes(0)).hasMessageContaining("maxBufferedEventBytes");
    assertThatThrownBy(() -> builder.asyncTimeout(Duration.ofSeconds(-1))).hasMessageContaining("asyncTimeout");
    assertThatThrownBy(() -> McpGatewayServlet.builder(null)).hasMessageContaining("gateway");
  }

  /** A servlet config and context made of JDK proxies, holding only what init() reads. */
  private static ServletConfig config(Object attribute, Map<String, String> initParameters) {
    ServletContext context = (ServletContext) Proxy.newProxyInstance(ServletContext.class.getClassLoader(),
        new Class<?>[] {ServletContext.class}, (proxy, method, args) -> switch (method.getName()) {
          case "getAttribute" -> McpGatewayServlet.GATEWAY_ATTRIBUTE.equals(args[0]) ? attribute : null;
          case "log" -> null;
          default -> throw new UnsupportedOperationException(method.getName());
        });
    return (ServletConfig) Proxy.newProxyInstance(ServletConfig.class.getClassLoader(),
        new Class<?>[] {ServletConfig.class}, (proxy, method, args) -> switch (method.getName()) {
          case "getServletContext" -> context;
          case "getServletName" -> "mcp";
          case "getInitParameter" -> initParameters.get((String) args[0]);
          default -> throw new UnsupportedOperationException(method.getName());
        });
  }
}
