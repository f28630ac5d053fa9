package dev.mcpgateway.policy;

import static org.assertj.core.api.Assertions.assertThat;

import dev.mcpgateway.config.GatewayConfig;
import dev.mcpgateway.config.ServerConfig;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class ToolAllowlistTest {
  private static final String TOOLS = "{\"tools\":[{\"name\":\"echo\"},{\"name\":\"add\"},{\"name\":\"delete_all\"}]}";

  private static GatewayConfig config(List<String> tools) {
    return GatewayConfig.builder()
        .server(ServerConfig.command("server").tools(tools).build("limited"))
        .server(ServerConfig.command("server").build("open"))
        .build();
  }

  @SuppressWarnings("unchecked")
  private static List<String> names(FakeResult result) {
    return ((List<Map<String, Object>>) result.result().orElseThrow().get("tools")).stream()
        .map(t -> (String) t.get("name")).toList();
  }

  @Test
  void listsOnlyTheAllowedTools() {
    Interceptor allowlist = Policies.toolAllowlist(config(List.of("echo", "add")));
    FakeResult list = FakeResult.of(TOOLS);
    assertThat(allowlist.onResponse(new FakeCall("limited", "tools/list", "{}"), list).isDenied()).isFalse();
    assertThat(names(list)).containsExactly("echo", "add");
  }

  @Test
  void refusesAnotherToolNamingToolAndServer() {
    Interceptor allowlist = Policies.toolAllowlist(config(List.of("echo")));
    Interceptor.Verdict verdict = allowlist.onRequest(FakeCall.tool("limited", "delete_all", "{}"));
    assertThat(verdict.isDenied()).isTrue();
    assertThat(verdict.reason()).contains("'delete_all'").contains("'limited'").contains("not allowed");
  }

  @Test
  void passesAnAllowedTool() {
    Interceptor allowlist = Policies.toolAllowlist(config(List.of("echo")));
    assertThat(allowlist.onRequest(FakeCall.tool("limited", "echo", "{}")).isDenied()).isFalse();
  }

  @Test
  void starAllowsEveryToolAndListsThemAll() {
    Interceptor allowlist = Policies.toolAllowlist(config(List.of("echo")));
    FakeResult list = FakeResult.of(TOOLS);
    allowlist.onResponse(new FakeCall("open", "tools/list", "{}"), list);
    assertThat(names(list)).containsExactly("echo", "add", "delete_all");
    assertThat(allowlist.onRequest(FakeCall.tool("open", "delete_all", "{}")).isDenied()).isFalse();
  }

  @Test
  void leavesOtherMethodsAlone() {
    Interceptor allowlist = Policies.toolAllowlist(config(List.of("echo")));
    assertThat(allowlist.onRequest(new FakeCall("limited", "resources/list", "{}")).isDenied()).isFalse();
    assertThat(allowlist.onRequest(new FakeCall("limited", "ping", null)).isDenied()).isFalse();
  }
}
