package dev.mcpgateway.config;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.Set;

/**
 * Argument guards of one server ({@code "guards"} in its JSON), or the overrides for one of its
 * tools ({@code "guards": {"tools": {"write_file": {...}}}}).
 *
 * <p>Every setting is optional. A tool's settings replace the server's field by field; what a
 * tool leaves out it takes from the server ({@link #forTool(String)}). The policy that applies
 * them is {@code dev.mcpgateway.policy.ArgumentGuard}. Immutable.
 *
 * <pre>{@code
 * GuardConfig guards = GuardConfig.builder()
 *     .allowedPaths(List.of(Path.of("/projects")))
 *     .maxArgumentBytes(64 * 1024)
 *     .tool("write_file", GuardConfig.builder().allowedExtensions(List.of("md", "txt")).build())
 *     .build();
 * }</pre>
 */
public final class GuardConfig {
  private final List<Path> allowedPaths;
  private final Set<String> allowedExtensions;
  private final Long maxArgumentBytes;
  private final Boolean checkHostSymlinks;
  private final Set<String> pathArguments;
  private final Map<String, GuardConfig> tools;

  private GuardConfig(Builder b) {
    this.allowedPaths = b.allowedPaths == null ? null : List.copyOf(b.allowedPaths);
    this.allowedExtensions = b.allowedExtensions == null ? null : Collections.unmodifiableSet(new LinkedHashSet<>(b.allowedExtensions));
    this.maxArgumentBytes = b.maxArgumentBytes;
    this.checkHostSymlinks = b.checkHostSymlinks;
    this.pathArguments = b.pathArguments == null ? null : Collections.unmodifiableSet(new LinkedHashSet<>(b.pathArguments));
    this.tools = Collections.unmodifiableMap(new LinkedHashMap<>(b.tools));
  }

  /**
   * Starts empty settings.
   *
   * @return a new builder
   */
  public static Builder builder() {
    return new Builder();
  }

  /** {@return absolute directories that path-like arguments must resolve inside; empty when not set (no directory check)} */
  public Optional<List<Path>> allowedPaths() {
    return Optional.ofNullable(allowedPaths);
  }

  /** {@return file extensions (lower case, without dot; {@code ""} for none) a path may have; empty when not set (any)} */
  public Optional<Set<String>> allowedExtensions() {
    return Optional.ofNullable(allowedExtensions);
  }

  /** {@return the most bytes the JSON of a call's arguments may have; empty when not set (no limit)} */
  public OptionalLong maxArgumentBytes() {
    return maxArgumentBytes == null ? OptionalLong.empty() : OptionalLong.of(maxArgumentBytes);
  }

  /** {@return whether symbolic links are resolved on this host; empty when not set (off)} */
  public Optional<Boolean> checkHostSymlinks() {
    return Optional.ofNullable(checkHostSymlinks);
  }

  /** {@return names of the arguments that hold paths (lower case); empty when not set (the guard's defaults)} */
  public Optional<Set<String>> pathArguments() {
    return Optional.ofNullable(pathArguments);
  }

  /** {@return overrides by tool name; empty for a tool's own settings} */
  public Map<String, GuardConfig> tools() {
    return tools;
  }

  /**
   * The settings that apply to {@code tool}: its overrides, with every field it leaves out
   * taken from these settings. Without overrides for {@code tool}, these settings minus
   * {@link #tools()}.
   *
   * @param tool the tool's name
   * @return the settings for the tool
   */
  public GuardConfig forTool(String tool) {
    GuardConfig own = tools.get(tool);
    Builder b = new Builder();
    b.allowedPaths = own != null && own.allowedPaths != null ? own.allowedPaths : allowedPaths;
    b.allowedExtensions = own != null && own.allowedExtensions != null ? own.allowedExtensions : allowedExtensions;
    b.maxArgumentBytes = own != null && own.maxArgumentBytes != null ? own.maxArgumentBytes : maxArgumentBytes;
    b.checkHostSymlinks = own != null && own.checkHostSymlinks != null ? own.checkHostSymlinks : checkHostSymlinks;
    b.pathArguments = own != null && own.pathArguments != null ? own.pathArguments : pathArguments;
    return b.build();
  }

  /** {@return a builder holding these settings} */
  public Builder toBuilder() {
    Builder b = new Builder();
    b.allowedPaths = allowedPaths;
    b.allowedExtensions = allowedExtensions;
    b.maxArgumentBytes = maxArgumentBytes;
    b.checkHostSymlinks = checkHostSymlinks;
    b.pathArguments = pathArguments;
    b.tools.putAll(tools);
    return b;
  }

  @Override
  public boolean equals(Object o) {
    if (!(o instanceof GuardConfig)) {
      return false;
    }
    GuardConfig g = (GuardConfig) o;
    return Objects.equals(allowedPaths, g.allowedPaths) && Objects.equals(allowedExtensions, g.allowedExtensions)
        && Objects.equals(maxArgumentBytes, g.maxArgumentBytes) && Objects.equals(checkHostSymlinks, g.checkHostSymlinks)
        && Objects.equals(pathArguments, g.pathArguments) && tools.equals(g.tools);
  }

  @Override
  public int hashCode() {
    return Objects.hash(allowedPaths, allowedExtensions, maxArgumentBytes, checkHostSymlinks, pathArguments, tools);
  }

  @Override
  public String toString() {
    return "GuardConfig{allowedPaths=" + allowedPaths + ", allowedExtensions=" + allowedExtensions + ", maxArgumentBytes="
        + maxArgumentBytes + ", checkHostSymlinks=" + checkHostSymlinks + ", pathArguments=" + pathArguments
        + (tools.isEmpty() ? "" : ", tools=" + tools) + "}";
  }

  /** Builds a {@link GuardConfig}. Not thread-safe. */
  public static final class Builder {
    private List<Path> allowedPaths;
    private Set<String> allowedExtensions;
    private Long maxArgumentBytes;
    private Boolean checkHostSymlinks;
    private Set<String> pathArguments;
    private final Map<String, GuardConfig> tools = new LinkedHashMap<>();

    private Builder() {}

    /**
     * Path-like arguments must resolve inside these absolute directories; relative paths resolve against the first.
     *
     * @param directories absolute directories, at least one
     * @return this builder
     */
    public Builder allowedPaths(Collection<Path> directories) {
      List<Path> list = new ArrayList<>();
      for (Path dir : directories) {
        Objects.requireNonNull(dir, "allowedPaths element");
        if (!dir.isAbsolute()) {
          throw new IllegalArgumentException("allowedPaths must be absolute directories: " + dir);
        }
        list.add(dir.normalize());
      }
      if (list.isEmpty()) {
        throw new IllegalArgumentException("allowedPaths is empty, which would allow no path; leave it out to allow any directory");
      }
      this.allowedPaths = list;
      return this;
    }

    /**
     * Only paths with these extensions pass (a leading dot is dropped; case does not matter; {@code ""} for none).
     *
     * @param extensions the extensions
     * @return this builder
     */
    public Builder allowedExtensions(Collection<String> extensions) {
      Set<String> set = new LinkedHashSet<>();
      for (String extension : extensions) {
        set.add(Objects.requireNonNull(extension, "allowedExtensions element").toLowerCase(Locale.ROOT).replaceFirst("^\\.", ""));
      }
      this.allowedExtensions = set;
      return this;
    }

    /**
     * Refuses calls whose arguments, as JSON, exceed this many bytes.
     *
     * @param bytes the limit, positive
     * @return this builder
     */
    public Builder maxArgumentBytes(long bytes) {
      if (bytes < 1) {
        throw new IllegalArgumentException("maxArgumentBytes must be positive: " + bytes);
      }
      this.maxArgumentBytes = bytes;
      return this;
    }

    /**
     * Whether to resolve symbolic links on this host, for servers that see the gateway's file
     * system (host processes, or containers that mount the same paths at the same place).
     *
     * @param check {@code true} to resolve them
     * @return this builder
     */
    public Builder checkHostSymlinks(boolean check) {
      this.checkHostSymlinks = check;
      return this;
    }

    /**
     * Names of the arguments that hold paths (case does not matter), replacing the guard's defaults.
     *
     * @param names the argument names, at least one
     * @return this builder
     */
    public Builder pathArguments(Collection<String> names) {
      Set<String> set = new LinkedHashSet<>();
      for (String name : names) {
        set.add(Objects.requireNonNull(name, "pathArguments element").toLowerCase(Locale.ROOT));
      }
      if (set.isEmpty()) {
        throw new IllegalArgumentException("pathArguments is empty; leave it out to use the defaults");
      }
      this.pathArguments = set;
      return this;
    }

    /**
     * Sets the overrides of one tool; they must not have overrides of their own.
     *
     * @param name the tool's name
     * @param overrides the settings that replace these for the tool
     * @return this builder
     */
    public Builder tool(String name, GuardConfig overrides) {
      if (name == null || name.isEmpty()) {
        throw new IllegalArgumentException("tool name must not be empty");
      }
      Objects.requireNonNull(overrides, "overrides");
      if (!overrides.tools.isEmpty()) {
        throw new IllegalArgumentException("the guards of tool '" + name + "' must not have \"tools\" of their own");
      }
      tools.put(name, overrides);
      return this;
    }

    /**
     * Builds the immutable settings.
     *
     * @return the settings
     */
    public GuardConfig build() {
      return new GuardConfig(this);
    }
  }
}
