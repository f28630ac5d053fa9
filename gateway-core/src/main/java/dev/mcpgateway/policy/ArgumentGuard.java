package dev.mcpgateway.policy;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.mcpgateway.config.GuardConfig;
import java.io.IOException;
import java.net.URLDecoder;
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
import java.util.TreeSet;
import java.util.stream.Collectors;

/**
 * Validates {@code tools/call} arguments before they reach a server: path-like arguments must
 * resolve inside allowed directories (no {@code ..} segment, no absolute path outside, no
 * home-relative {@code ~} or drive-letter path, and, when checked on the host, no symbolic link
 * that leads out), an optional file-extension allowlist, and a maximum size of the arguments as
 * JSON. Applies to one server: all its tools, only the tools named, or all but some.
 *
 * <p>Path-like arguments are those whose name is in {@link Builder#pathArguments(Collection)}
 * (default {@link #DEFAULT_PATH_ARGUMENTS}), at any depth of the arguments; a value may be a
 * string, a {@code file:} URI or a list of them. Thread-safe; the host check reads the file
 * system but does not block on anything else.
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

  private static final ObjectMapper JSON = new ObjectMapper();

  private final String server;
  private final Set<String> tools;
  private final Set<String> exceptTools;
  private final List<Path> allowedDirectories;
  private final Set<String> pathArguments;
  private final Set<String> extensions;
  private final long maxArgumentBytes;
  private final boolean checkHostSymlinks;

  private ArgumentGuard(Builder b) {
    this.server = b.server;
    this.tools = b.tools == null ? null : Set.copyOf(b.tools);
    this.exceptTools = Set.copyOf(b.exceptTools);
    this.allowedDirectories = List.copyOf(b.allowedDirectories);
    this.pathArguments = Set.copyOf(b.pathArguments);
    this.extensions = b.extensions == null ? null : Set.copyOf(b.extensions);
    this.maxArgumentBytes = b.maxArgumentBytes;
    this.checkHostSymlinks = b.checkHostSymlinks;
  }

  /**
   * Starts a guard for the tools of {@code server}.
   *
   * @param server the server's name
   * @return a new builder
   */
  public static Builder forServer(String server) {
    return new Builder(server);
  }

  /**
   * The guards a server's configuration asks for: one for the tools without overrides, and one
   * per tool with overrides (its settings merged over the server's).
   *
   * @param server the server's name
   * @param config the server's {@code guards}
   * @return the guards
   */
  public static List<ArgumentGuard> fromConfig(String server, GuardConfig config) {
    List<ArgumentGuard> guards = new ArrayList<>();
    guards.add(configured(forServer(server), config).exceptTools(config.tools().keySet()).build());
    for (String tool : config.tools().keySet()) {
      guards.add(configured(forServer(server), config.forTool(tool)).tools(List.of(tool)).build());
    }
    return guards;
  }

  private static Builder configured(Builder b, GuardConfig config) {
    config.allowedPaths().ifPresent(b::allowedDirectories);
    config.allowedExtensions().ifPresent(b::allowedExtensions);
    config.maxArgumentBytes().ifPresent(b::maxArgumentBytes);
    config.checkHostSymlinks().ifPresent(b::checkHostSymlinks);
    config.pathArguments().ifPresent(b::pathArguments);
    return b;
  }

  @Override
  public Verdict onRequest(McpCall call) {
    if (!call.server().equals(server) || call.toolName().isEmpty()) {
      return Verdict.pass();
    }
    String tool = call.toolName().get();
    if (tools != null && !tools.contains(tool) || exceptTools.contains(tool)) {
      return Verdict.pass();
    }
    Map<String, Object> arguments = call.arguments();
    if (maxArgumentBytes > 0) {
      long size = jsonSize(arguments);
      if (size > maxArgumentBytes) {
        return Verdict.deny("arguments of tool '" + tool + "' on server '" + server + "' are " + size
            + " bytes, over the limit of " + maxArgumentBytes + " bytes");
      }
    }
    String problem = checkArguments(arguments, "");
    return problem == null ? Verdict.pass() : Verdict.deny("argument " + problem + " (tool '" + tool + "' on server '" + server + "')");
  }

  private static long jsonSize(Map<String, Object> arguments) {
    try {
      return JSON.writeValueAsBytes(arguments).length;
    } catch (JsonProcessingException e) {
      return Long.MAX_VALUE; // cannot be measured, so it cannot be shown to be small enough
    }
  }

  /** Why some path argument in {@code value} is refused ({@code 'name' ...}), or null. */
  private String checkArguments(Object value, String prefix) {
    if (value instanceof Map) {
      for (Map.Entry<?, ?> entry : ((Map<?, ?>) value).entrySet()) {
        String name = String.valueOf(entry.getKey());
        String where = prefix.isEmpty() ? name : prefix + "." + name;
        if (pathArguments.contains(name.toLowerCase(Locale.ROOT))) {
          for (String path : strings(entry.getValue())) {
            String problem = checkPath(path);
            if (problem != null) {
              return "'" + where + "' " + problem;
            }
          }
        }
        String nested = checkArguments(entry.getValue(), where);
        if (nested != null) {
          return nested;
        }
      }
    } else if (value instanceof Collection) {
      int i = 0;
      for (Object item : (Collection<?>) value) {
        String nested = checkArguments(item, prefix + "[" + i++ + "]");
        if (nested != null) {
          return nested;
        }
      }
    }
    return null;
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

  /**
   * Why a path is refused, or null when it is fine. Every step is a plain scan of the value, in
   * time linear in its length (no regular expression runs on what a client sent).
   */
  String checkPath(String value) {
    String unified = value.replace('\\', '/');
    if (unified.regionMatches(true, 0, "file:", 0, 5)) {
      unified = withoutUriAuthority(unified.substring(5));
      try {
        unified = URLDecoder.decode(unified.replace("+", "%2B"), StandardCharsets.UTF_8);
      } catch (IllegalArgumentException e) {
        return "is not a valid file URI";
      }
    }
    if (unified.indexOf('\0') >= 0) {
      return "contains a NUL character";
    }
    if (hasDotDotSegment(unified)) {
      return "contains '..'; use a path inside the allowed directories";
    }
    if (unified.startsWith("~")) {
      return "starts with '~' (the server's home directory); use a path inside the allowed directories";
    }
    if (unified.length() >= 2 && isAsciiLetter(unified.charAt(0)) && unified.charAt(1) == ':') {
      return "names a drive; use a path inside the allowed directories";
    }
    Path path;
    try {
      path = Path.of(unified);
    } catch (InvalidPathException e) {
      return "is not a valid path";
    }
    Path resolved = allowedDirectories.isEmpty() ? path.normalize()
        : path.isAbsolute() ? path.normalize() : allowedDirectories.get(0).resolve(path).normalize();
    if (!allowedDirectories.isEmpty() && allowedDirectories.stream().noneMatch(resolved::startsWith)) {
      return "resolves outside the allowed directories " + allowedDirectories;
    }
    if (checkHostSymlinks && !allowedDirectories.isEmpty()) {
      Path real = realPathOfExistingPart(resolved);
      if (real == null || allowedDirectories.stream().map(ArgumentGuard::realPathOfExistingPart)
          .noneMatch(dir -> dir != null && real.startsWith(dir))) {
        return "leads outside the allowed directories through a symbolic link";
      }
    }
    if (extensions != null && !unified.endsWith("/") && !(checkHostSymlinks && Files.isDirectory(resolved))) {
      Path fileName = path.getFileName();
      String name = fileName == null ? "" : fileName.toString();
      int dot = name.lastIndexOf('.');
      String extension = dot <= 0 ? "" : name.substring(dot + 1).toLowerCase(Locale.ROOT);
      if (!extensions.contains(extension)) {
        return "has " + (extension.isEmpty() ? "no extension" : "extension '" + extension + "'")
            + ", which is not among the allowed " + new TreeSet<>(extensions);
      }
    }
    return null;
  }

  /** {@code //} or {@code //localhost} before the path of a {@code file:} URI, removed (only when a {@code /} follows). */
  private static String withoutUriAuthority(String rest) {
    if (rest.startsWith("///")) {
      return rest.substring(2);
    }
    if (rest.startsWith("//localhost/")) {
      return rest.substring(11);
    }
    return rest;
  }

  /** Whether a {@code /}-separated segment is exactly {@code ..}. */
  private static boolean hasDotDotSegment(String path) {
    int start = 0;
    for (int i = 0; i <= path.length(); i++) {
      if (i == path.length() || path.charAt(i) == '/') {
        if (i - start == 2 && path.charAt(start) == '.' && path.charAt(start + 1) == '.') {
          return true;
        }
        start = i + 1;
      }
    }
    return false;
  }

  private static boolean isAsciiLetter(char c) {
    return c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z';
  }

  /** The real path of the longest existing prefix of {@code path}, with the rest appended; null when none exists. */
  private static Path realPathOfExistingPart(Path path) {
    Path existing = path;
    Path rest = null;
    while (existing != null && !Files.exists(existing)) {
      Path name = existing.getFileName();
      if (name != null) {
        rest = rest == null ? name : name.resolve(rest);
      }
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
    return "ArgumentGuard{" + server + (tools == null ? "" : " " + tools) + (exceptTools.isEmpty() ? "" : " except " + exceptTools)
        + ", dirs=" + allowedDirectories + "}";
  }

  /** Builds an {@link ArgumentGuard}. Not thread-safe. */
  public static final class Builder {
    private final String server;
    private Collection<String> tools;
    private Collection<String> exceptTools = List.of();
    private final List<Path> allowedDirectories = new ArrayList<>();
    private Set<String> pathArguments = DEFAULT_PATH_ARGUMENTS;
    private Set<String> extensions;
    private long maxArgumentBytes;
    private boolean checkHostSymlinks;

    private Builder(String server) {
      this.server = Objects.requireNonNull(server, "server");
    }

    /**
     * Guards only these tools (default: all of the server's).
     *
     * @param tools the tool names
     * @return this builder
     */
    public Builder tools(Collection<String> tools) {
      this.tools = List.copyOf(tools);
      return this;
    }

    /**
     * Leaves these tools alone (for tools that have guards of their own).
     *
     * @param tools the tool names
     * @return this builder
     */
    public Builder exceptTools(Collection<String> tools) {
      this.exceptTools = List.copyOf(tools);
      return this;
    }

    /**
     * Path arguments must resolve inside these absolute directories; relative paths resolve against the first.
     *
     * @param directories the directories
     * @return this builder
     */
    public Builder allowedDirectories(Collection<Path> directories) {
      for (Path dir : directories) {
        if (!dir.isAbsolute()) {
          throw new IllegalArgumentException("allowed directory must be absolute: " + dir);
        }
        allowedDirectories.add(dir.normalize());
      }
      return this;
    }

    /**
     * Which argument names hold paths, case ignored (default {@link ArgumentGuard#DEFAULT_PATH_ARGUMENTS}).
     *
     * @param names the argument names
     * @return this builder
     */
    public Builder pathArguments(Collection<String> names) {
      this.pathArguments = names.stream().map(n -> n.toLowerCase(Locale.ROOT)).collect(Collectors.toSet());
      return this;
    }

    /**
     * Only paths with these extensions (without dot, case ignored; {@code ""} for none) pass.
     * Directories pass when they end with {@code /} or, with {@link #checkHostSymlinks(boolean)},
     * exist on the host; put extension lists on the tools that take files.
     *
     * @param extensions the extensions
     * @return this builder
     */
    public Builder allowedExtensions(Collection<String> extensions) {
      this.extensions = extensions.stream().map(e -> e.toLowerCase(Locale.ROOT)).map(e -> e.startsWith(".") ? e.substring(1) : e)
          .collect(Collectors.toSet());
      return this;
    }

    /**
     * Refuses calls whose arguments, as JSON, exceed this many bytes (0, the default, for no limit).
     *
     * @param bytes the limit, or 0
     * @return this builder
     */
    public Builder maxArgumentBytes(long bytes) {
      if (bytes < 0) {
        throw new IllegalArgumentException("maxArgumentBytes must not be negative: " + bytes);
      }
      this.maxArgumentBytes = bytes;
      return this;
    }

    /**
     * Also resolves symbolic links on this host, for servers that see the same file system as
     * the gateway (host processes or containers with the same paths mounted). A path whose
     * existing part cannot be resolved is refused.
     *
     * @param check {@code true} to resolve them
     * @return this builder
     */
    public Builder checkHostSymlinks(boolean check) {
      this.checkHostSymlinks = check;
      return this;
    }

    /**
     * Builds the guard.
     *
     * @return the guard
     */
    public ArgumentGuard build() {
      return new ArgumentGuard(this);
    }
  }
}
