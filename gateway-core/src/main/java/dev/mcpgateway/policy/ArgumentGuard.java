package dev.mcpgateway.policy;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.InvalidPathException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Set;

/**
 * Validates {@code tools/call} arguments before they reach a server: path-like arguments must
 * resolve inside allowed directories (no {@code ..}, no absolute path outside, and, when
 * checked on the host, no symbolic link that leads out), an optional file-extension allowlist,
 * and a maximum size of the arguments. Applies to one server, all its tools or the tools named.
 *
 * <pre>{@code
 * Interceptor guard = ArgumentGuard.forServer("filesystem")
 *     .allowedDirectories(List.of(Path.of("/projects/app")))
 *     .allowedExtensions(Set.of("md", "txt", "java"))
 *     .maxArgumentBytes(64 * 1024)
 *     .build();
 * }</pre>
 */
public final class ArgumentGuard implements Interceptor {
  /** Argument names treated as paths unless {@link Builder#pathArguments(Collection)} says otherwise. */
  public static final Set<String> DEFAULT_PATH_ARGUMENTS = Set.of("path", "paths", "file", "files", "filename", "filepath",
      "file_path", "directory", "dir", "folder", "source", "destination", "target", "root", "cwd");

  private final String server;
  private final Set<String> tools;
  private final List<Path> allowedDirectories;
  private final Set<String> pathArguments;
  private final Set<String> extensions;
  private final long maxArgumentBytes;
  private final boolean checkHostSymlinks;

  private ArgumentGuard(Builder b) {
    this.server = b.server;
    this.tools = b.tools == null ? null : Set.copyOf(b.tools);
    this.allowedDirectories = List.copyOf(b.allowedDirectories);
    this.pathArguments = Set.copyOf(b.pathArguments);
    this.extensions = b.extensions == null ? null : Set.copyOf(b.extensions);
    this.maxArgumentBytes = b.maxArgumentBytes;
    this.checkHostSymlinks = b.checkHostSymlinks;
  }

  /** Starts a guard for the tools of {@code server}. */
  public static Builder forServer(String server) {
    return new Builder(server);
  }

  @Override
  public Verdict onRequest(McpCall call) {
    if (!call.server().equals(server) || call.toolName().isEmpty()) {
      return Verdict.pass();
    }
    String tool = call.toolName().get();
    if (tools != null && !tools.contains(tool)) {
      return Verdict.pass();
    }
    Map<String, Object> arguments = call.arguments();
    if (maxArgumentBytes > 0) {
      long size = String.valueOf(arguments).getBytes(StandardCharsets.UTF_8).length;
      if (size > maxArgumentBytes) {
        return Verdict.deny("arguments of tool '" + tool + "' on server '" + server + "' are " + size
            + " bytes, over the limit of " + maxArgumentBytes);
      }
    }
    for (Map.Entry<String, Object> argument : arguments.entrySet()) {
      if (!pathArguments.contains(argument.getKey().toLowerCase(Locale.ROOT))) {
        continue;
      }
      for (String value : strings(argument.getValue())) {
        String problem = checkPath(value);
        if (problem != null) {
          return Verdict.deny("argument '" + argument.getKey() + "' of tool '" + tool + "' on server '" + server + "' " + problem);
        }
      }
    }
    return Verdict.pass();
  }

  private static List<String> strings(Object value) {
    List<String> list = new ArrayList<>();
    if (value instanceof String) {
      list.add((String) value);
    } else if (value instanceof Collection) {
      for (Object item : (Collection<?>) value) {
        if (item instanceof String) {
          list.add((String) item);
        }
      }
    }
    return list;
  }

  /** Why a path is refused, or null when it is fine. */
  String checkPath(String value) {
    if (value.indexOf('\0') >= 0) {
      return "contains a NUL character";
    }
    String unified = value.replace('\\', '/');
    for (String segment : unified.split("/")) {
      if (segment.equals("..")) {
        return "contains '..'; use a path inside the allowed directories";
      }
    }
    if (unified.startsWith("file://")) {
      unified = unified.substring("file://".length());
    }
    if (extensions != null && !unified.endsWith("/")) {
      String name = unified.substring(unified.lastIndexOf('/') + 1);
      int dot = name.lastIndexOf('.');
      String extension = dot < 0 ? "" : name.substring(dot + 1).toLowerCase(Locale.ROOT);
      if (!extensions.contains(extension)) {
        return "has extension '" + extension + "', which is not among the allowed " + new java.util.TreeSet<>(extensions);
      }
    }
    if (allowedDirectories.isEmpty()) {
      return null;
    }
    Path path;
    try {
      path = Path.of(unified);
    } catch (InvalidPathException e) {
      return "is not a valid path";
    }
    Path resolved = path.isAbsolute() ? path.normalize() : allowedDirectories.get(0).resolve(path).normalize();
    Path inside = null;
    for (Path dir : allowedDirectories) {
      if (resolved.startsWith(dir)) {
        inside = dir;
        break;
      }
    }
    if (inside == null) {
      return "resolves outside the allowed directories " + allowedDirectories;
    }
    if (checkHostSymlinks) {
      Path real = realPathOfExistingPart(resolved);
      Path realDir = realPathOfExistingPart(inside);
      if (real != null && realDir != null && !real.startsWith(realDir)) {
        return "leads outside the allowed directories through a symbolic link";
      }
    }
    return null;
  }

  private static Path realPathOfExistingPart(Path path) {
    Path existing = path;
    Path rest = null;
    while (existing != null && !Files.exists(existing)) {
      rest = rest == null ? existing.getFileName() : existing.getFileName().resolve(rest);
      existing = existing.getParent();
    }
    if (existing == null) {
      return null;
    }
    try {
      Path real = existing.toRealPath();
      return rest == null ? real : real.resolve(rest);
    } catch (IOException e) {
      return null;
    }
  }

  @Override
  public String toString() {
    return "ArgumentGuard{" + server + (tools == null ? "" : " " + tools) + ", dirs=" + allowedDirectories + "}";
  }

  /** Builds an {@link ArgumentGuard}. */
  public static final class Builder {
    private final String server;
    private Collection<String> tools;
    private final List<Path> allowedDirectories = new ArrayList<>();
    private Set<String> pathArguments = DEFAULT_PATH_ARGUMENTS;
    private Set<String> extensions;
    private long maxArgumentBytes;
    private boolean checkHostSymlinks;

    private Builder(String server) {
      this.server = Objects.requireNonNull(server, "server");
    }

    /** Guards only these tools (default: all of the server's). */
    public Builder tools(Collection<String> tools) {
      this.tools = List.copyOf(tools);
      return this;
    }

    /** Path arguments must resolve inside these absolute directories; relative paths resolve against the first. */
    public Builder allowedDirectories(Collection<Path> directories) {
      for (Path dir : directories) {
        if (!dir.isAbsolute()) {
          throw new IllegalArgumentException("allowed directory must be absolute: " + dir);
        }
        allowedDirectories.add(dir.normalize());
      }
      return this;
    }

    /** Which argument names hold paths (default {@link ArgumentGuard#DEFAULT_PATH_ARGUMENTS}). */
    public Builder pathArguments(Collection<String> names) {
      this.pathArguments = names.stream().map(n -> n.toLowerCase(Locale.ROOT)).collect(java.util.stream.Collectors.toSet());
      return this;
    }

    /** Only files with these extensions (without dot, lower case; {@code ""} for none) pass. */
    public Builder allowedExtensions(Collection<String> extensions) {
      this.extensions = extensions.stream().map(e -> e.toLowerCase(Locale.ROOT).replaceFirst("^\\.", ""))
          .collect(java.util.stream.Collectors.toSet());
      return this;
    }

    /** Refuses calls whose arguments exceed this many bytes (0, the default, for no limit). */
    public Builder maxArgumentBytes(long bytes) {
      this.maxArgumentBytes = bytes;
      return this;
    }

    /**
     * Also resolves symbolic links on this host, for servers that see the same file system as
     * the gateway (host processes or containers with the same paths mounted).
     */
    public Builder checkHostSymlinks(boolean check) {
      this.checkHostSymlinks = check;
      return this;
    }

    /** Builds the guard. */
    public ArgumentGuard build() {
      return new ArgumentGuard(this);
    }
  }
}
