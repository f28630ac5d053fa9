package dev.mcpgateway.policy;

import static org.assertj.core.api.Assertions.assertThat;

import dev.mcpgateway.config.GatewayConfig;
import dev.mcpgateway.config.ServerConfig;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class DangerousToolsTest {
  private final Interceptor deny = Policies.dangerousTools(GatewayConfig.builder()
      .server(ServerConfig.command("server").build("any"))
      .server(ServerConfig.command("server").tools(List.of("run_shell", "echo")).build("trusted"))
      .build());

  @ParameterizedTest
  @ValueSource(strings = {"run_shell", "exec", "bash", "execute_command", "runCommand", "terminal", "eval", "shell.exec",
      "executeCommand", "spawn-process", "os_system"})
  void refusesCommandExecutionToolsByDefault(String tool) {
    Interceptor.Verdict verdict = deny.onRequest(FakeCall.tool("any", tool, "{}"));
    assertThat(verdict.isDenied()).as(tool).isTrue();
    assertThat(verdict.reason()).contains("'" + tool + "'").contains("'any'").contains("\"tools\"");
  }

  @ParameterizedTest
  @ValueSource(strings = {"echo", "get_system_info", "read_file", "get-env", "search_code", "shellfish_facts", "evaluate_expression"})
  void passesOrdinaryTools(String tool) {
    assertThat(deny.onRequest(FakeCall.tool("any", tool, "{}")).isDenied()).as(tool).isFalse();
  }

  @Test
  void allowsADangerousToolTheServerNamesExplicitly() {
    assertThat(deny.onRequest(FakeCall.tool("trusted", "run_shell", "{}")).isDenied()).isFalse();
    assertThat(deny.onRequest(FakeCall.tool("trusted", "exec", "{}")).isDenied()).isTrue();
  }

  @Test
  @SuppressWarnings("unchecked")
  void hidesRefusedToolsFromTheList() {
    FakeResult list = FakeResult.of("{\"tools\":[{\"name\":\"echo\"},{\"name\":\"run_shell\"},{\"name\":\"exec\"}]}");
    deny.onResponse(new FakeCall("trusted", "tools/list", "{}"), list);
    assertThat(((List<Map<String, Object>>) list.result().orElseThrow().get("tools")).stream().map(t -> t.get("name")))
        .containsExactly("echo", "run_shell");
  }

  @Test
  void takesACustomDenyList() {
    Interceptor custom = Policies.denyTools(GatewayConfig.builder().server(ServerConfig.command("s").build("any")).build(),
        Pattern.compile("^delete_"));
    assertThat(custom.onRequest(FakeCall.tool("any", "delete_repo", "{}")).isDenied()).isTrue();
    assertThat(custom.onRequest(FakeCall.tool("any", "run_shell", "{}")).isDenied()).isFalse();
  }
}
