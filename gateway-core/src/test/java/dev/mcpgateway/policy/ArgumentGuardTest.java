package dev.mcpgateway.policy;

import static org.assertj.core.api.Assertions.assertThat;

import dev.mcpgateway.config.GuardConfig;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class ArgumentGuardTest {
  private static final Path ROOT = Path.of("/projects/app");

  private static ArgumentGuard.Builder guard() {
    return ArgumentGuard.forServer("fs").allowedDirectories(List.of(ROOT));
  }

  private static Interceptor.Verdict call(Interceptor guard, String tool, String argumentsJson) {
    return guard.onRequest(FakeCall.tool("fs", tool, argumentsJson));
  }

  private static String path(String value) {
    return "{\"path\":" + FakeCall.json(value) + "}";
  }

  @ParameterizedTest
  @ValueSource(strings = {"../etc/passwd", "/projects/app/../../etc/passwd", "docs/../../secret", "..\\windows\\system32",
      "file:///projects/app/%2e%2e/%2e%2e/etc/passwd"})
  void refusesParentDirectorySegments(String value) {
    Interceptor.Verdict verdict = call(guard().build(), "read_file", path(value));
    assertThat(verdict.isDenied()).as(value).isTrue();
    assertThat(verdict.reason()).contains("'path'").contains("'..'").contains("'read_file'").contains("'fs'");
  }

  @ParameterizedTest
  @ValueSource(strings = {"/etc/passwd", "/projects/application/x", "/projects", "file:///etc/shadow"})
  void refusesAbsolutePathsOutsideTheAllowedDirectories(String value) {
    Interceptor.Verdict verdict = call(guard().build(), "read_file", path(value));
    assertThat(verdict.isDenied()).as(value).isTrue();
    assertThat(verdict.reason()).contains("outside the allowed directories");
  }

  @ParameterizedTest
  @ValueSource(strings = {"~/.ssh/id_rsa", "~", "C:\\Windows\\win.ini", "c:/boot.ini"})
  void refusesHomeAndDrivePaths(String value) {
    assertThat(call(guard().build(), "read_file", path(value)).isDenied()).as(value).isTrue();
  }

  @ParameterizedTest
  @ValueSource(strings = {"/projects/app/README.md", "README.md", "src/Main.java", "./docs/a.txt", "/projects/app",
      "file:///projects/app/notes.txt"})
  void passesPathsInsideTheAllowedDirectories(String value) {
    assertThat(call(guard().build(), "read_file", path(value)).isDenied()).as(value).isFalse();
  }

  @Test
  void checksEveryPathOfAListAndNestedArguments() {
    ArgumentGuard g = guard().build();
    assertThat(call(g, "read_multiple_files", "{\"paths\":[\"/projects/app/a.md\",\"/etc/passwd\"]}").reason())
        .contains("'paths'");
    assertThat(call(g, "move_file", "{\"source\":\"/projects/app/a\",\"destination\":\"/tmp/a\"}").reason())
        .contains("'destination'");
    assertThat(call(g, "batch", "{\"operations\":[{\"op\":\"read\",\"file\":\"/etc/hosts\"}]}").reason())
        .contains("'operations[0].file'");
  }

  @Test
  void checksOnlyTheConfiguredPathArguments() {
    ArgumentGuard g = guard().pathArguments(List.of("location")).build();
    assertThat(call(g, "t", "{\"path\":\"/etc/passwd\"}").isDenied()).isFalse();
    assertThat(call(g, "t", "{\"Location\":\"/etc/passwd\"}").isDenied()).isTrue();
  }

  @Test
  void refusesASymbolicLinkThatLeadsOutWhenCheckedOnTheHost(@TempDir Path temp) throws Exception {
    Path root = Files.createDirectories(temp.resolve("root"));
    Path outside = Files.createDirectories(temp.resolve("outside"));
    Files.writeString(outside.resolve("secret.txt"), "x");
    Files.writeString(root.resolve("fine.txt"), "x");
    Files.createSymbolicLink(root.resolve("escape"), outside);

    ArgumentGuard hostChecked = ArgumentGuard.forServer("fs").allowedDirectories(List.of(root)).checkHostSymlinks(true).build();
    Interceptor.Verdict verdict = call(hostChecked, "read_file", path(root.resolve("escape/secret.txt").toString()));
    assertThat(verdict.isDenied()).isTrue();
    assertThat(verdict.reason()).contains("symbolic link");
    assertThat(call(hostChecked, "read_file", path("escape/new-file.txt")).isDenied()).isTrue();
    assertThat(call(hostChecked, "read_file", path(root.resolve("fine.txt").toString())).isDenied()).isFalse();
    assertThat(call(hostChecked, "write_file", path("new-dir/new-file.txt")).isDenied()).isFalse();

    ArgumentGuard lexicalOnly = ArgumentGuard.forServer("fs").allowedDirectories(List.of(root)).build();
    assertThat(call(lexicalOnly, "read_file", path(root.resolve("escape/secret.txt").toString())).isDenied()).isFalse();
  }

  @Test
  void acceptsAnAllowedDirectoryThatIsItselfASymbolicLink(@TempDir Path temp) throws Exception {
    Path real = Files.createDirectories(temp.resolve("real"));
    Path link = Files.createSymbolicLink(temp.resolve("link"), real);
    ArgumentGuard g = ArgumentGuard.forServer("fs").allowedDirectories(List.of(link)).checkHostSymlinks(true).build();
    assertThat(call(g, "write_file", path(link.resolve("a.txt").toString())).isDenied()).isFalse();
  }

  @Test
  void allowsOnlyTheListedExtensions() {
    ArgumentGuard g = guard().allowedExtensions(List.of(".MD", "txt")).build();
    assertThat(call(g, "read_file", path("notes.md")).isDenied()).isFalse();
    assertThat(call(g, "read_file", path("/projects/app/a.TXT")).isDenied()).isFalse();
    Interceptor.Verdict verdict = call(g, "read_file", path("run.sh"));
    assertThat(verdict.isDenied()).isTrue();
    assertThat(verdict.reason()).contains("extension 'sh'").contains("[md, txt]");
    assertThat(call(g, "read_file", path(".env")).reason()).contains("no extension");
    assertThat(call(g, "list_directory", path("docs/")).isDenied()).isFalse();
  }

  @Test
  void refusesArgumentsOverTheSizeLimit() {
    ArgumentGuard g = ArgumentGuard.forServer("fs").maxArgumentBytes(100).build();
    assertThat(call(g, "write_file", "{\"content\":\"" + "x".repeat(50) + "\"}").isDenied()).isFalse();
    Interceptor.Verdict verdict = call(g, "write_file", "{\"content\":\"" + "x".repeat(200) + "\"}");
    assertThat(verdict.isDenied()).isTrue();
    assertThat(verdict.reason()).contains("over the limit of 100 bytes").contains("'write_file'");
  }

  @Test
  void guardsOnlyItsServerAndTools() {
    ArgumentGuard g = guard().tools(List.of("read_file")).build();
    assertThat(call(g, "write_file", path("/etc/passwd")).isDenied()).isFalse();
    assertThat(g.onRequest(FakeCall.tool("other", "read_file", path("/etc/passwd"))).isDenied()).isFalse();
    assertThat(g.onRequest(new FakeCall("fs", "resources/read", "{\"uri\":\"file:///etc/passwd\"}")).isDenied()).isFalse();
  }

  @Test
  void appliesToolOverridesFromConfigOverTheServerSettings() {
    GuardConfig config = GuardConfig.builder()
        .allowedPaths(List.of(ROOT))
        .maxArgumentBytes(1000)
        .tool("write_file", GuardConfig.builder().allowedExtensions(List.of("md")).build())
        .tool("upload", GuardConfig.builder().maxArgumentBytes(5000).build())
        .build();
    List<ArgumentGuard> guards = ArgumentGuard.fromConfig("fs", config);
    assertThat(guards).hasSize(3);
    java.util.function.BiFunction<String, String, Boolean> denied = (tool, args) ->
        guards.stream().anyMatch(g -> call(g, tool, args).isDenied());

    assertThat(denied.apply("write_file", path("notes.md"))).isFalse();
    assertThat(denied.apply("write_file", path("run.sh"))).isTrue();
    assertThat(denied.apply("write_file", path("/etc/notes.md"))).isTrue();
    assertThat(denied.apply("read_file", path("run.sh"))).isFalse();
    String big = "{\"content\":\"" + "x".repeat(2000) + "\"}";
    assertThat(denied.apply("read_file", big)).isTrue();
    assertThat(denied.apply("upload", big)).isFalse();
  }
}
