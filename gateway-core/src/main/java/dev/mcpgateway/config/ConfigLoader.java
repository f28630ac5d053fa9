package dev.mcpgateway.config;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.Reader;
import java.math.BigDecimal;
import java.math.RoundingMode;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.function.Function;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Reads the JSON configuration into a {@link GatewayConfig}, in the seed's shape:
 *
 * <pre>{@code
 * {
 *   "gateway": { "apiKey": "${MCP_GATEWAY_API_KEY}", "port": 8000 },
 *   "mcpServers": {
 *     "github": {
 *       "type": "stdio",
 *       "container": "ghcr.io/github/github-mcp-server:v1.2.3",
 *       "env": { "GITHUB_PERSONAL_ACCESS_TOKEN": "" }
 *     }
 *   }
 * }
 * }</pre>
 *
 * <p>It reads the configuration of the MCP gateway specification of gh-aw, version 1.17
 * ({@code agentId}/{@code agentIds}, {@code sessionTimeout} as a Go duration, {@code customSchemas},
 * {@code registry}, and the settings this gateway accepts without acting on them, which are
 * logged in one WARN and listed in {@link GatewayConfig#ignoredSettings()}), plus this gateway's
 * own settings.
 *
 * <p>Unknown fields, wrong types and duplicate keys are errors. {@code ${VAR}} anywhere in a
 * string is replaced by the variable's value; an undefined variable is an error. In {@code env},
 * an empty value stays empty: the backend launcher passes that variable through from the
 * gateway's environment. Every error is a {@link ConfigException} naming the JSON path.
 * Thread-safe.
 */
public final class ConfigLoader {
  private static final Logger LOG = LoggerFactory.getLogger(ConfigLoader.class);
  /** The environment variable that sets the session timeout when the configuration does not. */
  public static final String SESSION_TIMEOUT_VARIABLE = "MCP_GATEWAY_SESSION_TIMEOUT";
  /** The version of the MCP gateway specification (gh-aw) whose configuration this loader reads. */
  public static final String SPEC_VERSION = "1.17";
  private static final Pattern VARIABLE = Pattern.compile("\\$\\{([^}]*)}");
  private static final Pattern VARIABLE_NAME = Pattern.compile("[A-Za-z_][A-Za-z0-9_]*");
  private static final ObjectMapper MAPPER = new ObjectMapper()
      .enable(JsonParser.Feature.STRICT_DUPLICATE_DETECTION);

  private static final Set<String> TOP_FIELDS = Set.of("gateway", "mcpServers", "customSchemas");
  private static final Set<String> GATEWAY_FIELDS = Set.of("apiKey", "agentId", "agentIds", "port", "domain",
      "trustedBots", "keepaliveInterval", "opentelemetry", "forcePublicRepos", "sinkVisibilityExemptServers",
      "startupTimeout", "toolTimeout", "payloadDir", "payloadSizeThreshold", "payloadPathPrefix", "payloadQuotaBytes", "maxMessageBytes", "sessionTimeout",
      "maxSessions", "redaction", "toolPinning", "auditFile", "rateLimit", "adminKey", "closeWithoutAuthentication",
      "maxSessionsPerCaller", "maxBackendsPerCaller", "cluster");
  private static final Set<String> CLUSTER_FIELDS = Set.of("redis", "secret");
  private static final Set<String> REDACTION_FIELDS = Set.of("privateAddresses", "internalHostNames", "maxTextChars");
  private static final Set<String> GUARD_FIELDS = Set.of("allowedPaths", "allowedExtensions", "maxArgumentBytes",
      "checkHostSymlinks", "pathArguments", "tools");
  private static final Set<String> SERVER_FIELDS = Set.of("type", "container", "entrypoint",
      "entrypointArgs", "command", "args", "mounts", "env", "tools", "url", "headers",
      "startupTimeout", "toolTimeout", "connectTimeout", "isolation", "guards", "network", "memory", "cpus", "pidsLimit",
      "readOnlyRootfs", "digest", "user", "rateLimit", "backendSharing", "maxBackendsPerCaller",
      "registry", "auth", "guard-policies");
  private static final Set<String> OPENTELEMETRY_FIELDS = Set.of("endpoint", "traceId", "spanId", "serviceName");
  private static final Set<String> AUTH_FIELDS = Set.of("type", "audience");
  /** The server types this gateway runs; any other must be registered in {@code customSchemas}. */
  private static final Set<String> BUILT_IN_TYPES = Set.of("stdio", "local", "http");
  private static final Pattern CUSTOM_TYPE = Pattern.compile("[a-z][a-z0-9-]*");
  private static final Pattern GO_DURATION = Pattern.compile(
      "([-+]?)((?:(?:[0-9]+(?:\\.[0-9]*)?|\\.[0-9]+)(?:ns|us|\u00b5s|\u03bcs|ms|s|m|h))+|0)");
  private static final Pattern GO_DURATION_PART = Pattern.compile("([0-9]+(?:\\.[0-9]*)?|\\.[0-9]+)(ns|us|\u00b5s|\u03bcs|ms|s|m|h)");
  private static final Pattern TRACE_ID = Pattern.compile("[0-9a-f]{32}");
  private static final Pattern SPAN_ID = Pattern.compile("[0-9a-f]{16}");
  private static final Set<String> MIN_INTEGRITY = Set.of("merged", "approved", "unapproved", "none");
  private static final Set<String> SINK_VISIBILITY = Set.of("public", "private", "internal");
  private static final Set<String> RATE_LIMIT_FIELDS = Set.of("requestsPerSecond", "burst");
  private static final List<String> CONTAINER_ONLY_FIELDS = List.of("entrypoint", "entrypointArgs", "mounts",
      "network", "memory", "cpus", "pidsLimit", "readOnlyRootfs", "digest", "user");
  private static final Pattern MEMORY = Pattern.compile("([0-9]{1,15})([bkmg]?)", Pattern.CASE_INSENSITIVE);
  /** The largest bound on backends per caller the configuration accepts: each is a process or container. */
  private static final int MAX_BACKENDS_PER_CALLER = 1000;
  private static final Pattern NETWORK = Pattern.compile("[A-Za-z0-9][A-Za-z0-9_.-]{0,127}");

  private final Function<String, String> environment;

  private ConfigLoader(Function<String, String> environment) {
    this.environment = environment;
  }

  /**
   * A loader that expands {@code ${VAR}} from {@link System#getenv(String)}.
   *
   * @return the loader
   */
  public static ConfigLoader withSystemEnvironment() {
    return new ConfigLoader(System::getenv);
  }

  /**
   * A loader that expands {@code ${VAR}} from {@code environment} (returns {@code null} for undefined).
   *
   * @param environment returns a variable's value
   * @return the loader
   */
  public static ConfigLoader withEnvironment(Function<String, String> environment) {
    return new ConfigLoader(Objects.requireNonNull(environment, "environment"));
  }

  /**
   * A loader that expands {@code ${VAR}} from a map.
   *
   * @param environment the variables and their values
   * @return the loader
   */
  public static ConfigLoader withEnvironment(Map<String, String> environment) {
    Map<String, String> copy = Map.copyOf(environment);
    return new ConfigLoader(copy::get);
  }

  /**
   * Parses JSON text.
   *
   * @param json the configuration's JSON text
   * @return the configuration
   */
  public GatewayConfig parse(String json) {
    try {
      return load(MAPPER.readTree(json));
    } catch (JsonProcessingException e) {
      throw syntaxError(e);
    }
  }

  /**
   * Reads JSON from {@code reader}, which is not closed.
   *
   * @param reader where to read the JSON
   * @return the configuration
   * @throws IOException when reading fails
   */
  public GatewayConfig read(Reader reader) throws IOException {
    try {
      return load(MAPPER.readTree(reader));
    } catch (JsonProcessingException e) {
      throw syntaxError(e);
    }
  }

  /**
   * Reads a JSON file.
   *
   * @param file the file to read
   * @return the configuration
   * @throws IOException when the file cannot be read
   */
  public GatewayConfig read(Path file) throws IOException {
    try (Reader reader = Files.newBufferedReader(file)) {
      return read(reader);
    }
  }

  private static ConfigException syntaxError(JsonProcessingException e) {
    String where = e.getLocation() == null ? ""
        : " at line " + e.getLocation().getLineNr() + ", column " + e.getLocation().getColumnNr();
    return new ConfigException("$", "not valid JSON" + where + ": " + e.getOriginalMessage());
  }

  private GatewayConfig load(JsonNode root) {
    if (root == null || root.isMissingNode()) {
      throw new ConfigException("$", "the configuration is empty; expected an object with \"mcpServers\"");
    }
    requireObject(root, "$");
    checkFields(root, "$", TOP_FIELDS);
    GatewayConfig.Builder builder = GatewayConfig.builder();
    List<String> ignored = new ArrayList<>();
    Set<String> customTypes = loadCustomSchemas(root.get("customSchemas"), ignored);
    JsonNode gateway = root.get("gateway");
    boolean sessionTimeoutGiven = false;
    if (gateway != null && !gateway.isNull()) {
      sessionTimeoutGiven = loadGateway(gateway, builder, ignored);
    }
    if (!sessionTimeoutGiven) {
      String fromEnvironment = environment.apply(SESSION_TIMEOUT_VARIABLE);
      if (fromEnvironment != null && !fromEnvironment.isBlank()) {
        builder.sessionTimeout(positiveDuration(fromEnvironment.strip(), "$.gateway.sessionTimeout",
            " (from " + SESSION_TIMEOUT_VARIABLE + ")"));
      }
    }
    JsonNode servers = root.get("mcpServers");
    if (servers == null || servers.isNull()) {
      throw new ConfigException("$.mcpServers", "missing; add \"mcpServers\": { \"name\": { ... } } with at least one server");
    }
    requireObject(servers, "$.mcpServers");
    Iterator<Map.Entry<String, JsonNode>> fields = servers.fields();
    while (fields.hasNext()) {
      Map.Entry<String, JsonNode> entry = fields.next();
      String customType = customType(entry.getKey(), entry.getValue(), customTypes);
      if (customType != null) {
        ignored.add("$.mcpServers." + entry.getKey() + " (custom type '" + customType + "', not run)");
        continue;
      }
      builder.server(loadServer(entry.getKey(), entry.getValue(), ignored));
    }
    ignored.forEach(builder::ignoredSetting);
    GatewayConfig config = builder.build();
    if (!ignored.isEmpty()) {
      LOG.warn("The configuration has settings of the MCP gateway specification that this gateway accepts but does not "
          + "act on: {}; see docs/configuration.md", String.join(", ", ignored));
    }
    return config;
  }

  /**
   * {@code customSchemas}: custom server type names mapped to an https:// JSON Schema URL or
   * {@code ""}. This gateway runs no custom type: servers of a registered one are accepted and
   * left out (listed among the ignored settings); the schemas are not fetched.
   */
  private Set<String> loadCustomSchemas(JsonNode schemas, List<String> ignored) {
    if (schemas == null || schemas.isNull()) {
      return Set.of();
    }
    String at = "$.customSchemas";
    requireObject(schemas, at);
    Set<String> types = new java.util.HashSet<>();
    Iterator<Map.Entry<String, JsonNode>> entries = schemas.fields();
    while (entries.hasNext()) {
      Map.Entry<String, JsonNode> entry = entries.next();
      String type = entry.getKey();
      String typeAt = at + "." + type;
      if (BUILT_IN_TYPES.contains(type)) {
        throw new ConfigException(typeAt, "'" + type + "' is a built-in server type; give the custom type another name");
      }
      if (!CUSTOM_TYPE.matcher(type).matches()) {
        throw new ConfigException(typeAt, "'" + type + "' is not a custom type name; use lowercase letters, digits and '-', "
            + "starting with a letter");
      }
      JsonNode url = entry.getValue();
      if (!url.isTextual()) {
        throw new ConfigException(typeAt, "must be a string: an https:// URL of a JSON Schema, or \"\" to skip validation; got "
            + describe(url));
      }
      String text = expand(url.asText(), typeAt);
      if (!text.isEmpty() && !(text.startsWith("https://") && text.length() > "https://".length())) {
        throw new ConfigException(typeAt, "must be an https:// URL of a JSON Schema, or \"\" to skip validation");
      }
      types.add(type);
    }
    if (!types.isEmpty()) {
      ignored.add(at);
    }
    return types;
  }

  /** The custom type of a server when it has one registered in {@code customSchemas}; null for a built-in type. */
  private String customType(String name, JsonNode server, Set<String> customTypes) {
    if (!server.isObject()) {
      return null;
    }
    String type = optionalString(server, "type", "$.mcpServers." + name);
    if (type == null || BUILT_IN_TYPES.contains(type)) {
      return null;
    }
    if (customTypes.contains(type)) {
      return type;
    }
    throw new ConfigException("$.mcpServers." + name + ".type", "unknown server type '" + type + "'; use \"stdio\" (or "
        + "\"local\") or \"http\", or register a custom type in customSchemas");
  }

  /** Reads the {@code gateway} section; returns whether it set the session timeout. */
  private boolean loadGateway(JsonNode gateway, GatewayConfig.Builder builder, List<String> ignored) {
    String at = "$.gateway";
    requireObject(gateway, at);
    checkFields(gateway, at, GATEWAY_FIELDS);
    String apiKey = optionalString(gateway, "apiKey", at);
    if (apiKey != null) {
      builder.apiKey(apiKey);
    }
    List<String> agentIds = loadAgentIds(gateway, at, apiKey != null);
    builder.agentIds(agentIds);
    if (present(gateway, "port")) {
      JsonNode port = gateway.get("port");
      if (port.isTextual()) {
        // The specification's schema allows a variable expression here, such as "${MCP_GATEWAY_PORT}".
        String text = expand(port.asText(), at + ".port");
        if (!text.matches("[0-9]{1,5}") || Integer.parseInt(text) < 1 || Integer.parseInt(text) > 65535) {
          throw new ConfigException(at + ".port", "must be a whole number from 1 to 65535, got '" + text + "'");
        }
        builder.port(Integer.parseInt(text));
      } else {
        builder.port(integer(gateway, "port", at, 1, 65535));
      }
    }
    builder.domain(optionalString(gateway, "domain", at));
    if (gateway.has("startupTimeout")) {
      builder.startupTimeout(seconds(gateway, "startupTimeout", at));
    }
    if (gateway.has("toolTimeout")) {
      builder.toolTimeout(seconds(gateway, "toolTimeout", at));
    }
    String payloadDir = optionalString(gateway, "payloadDir", at);
    if (payloadDir != null) {
      Path dir = Path.of(payloadDir);
      if (!dir.isAbsolute()) {
        throw new ConfigException(at + ".payloadDir", "must be an absolute path, got '" + payloadDir + "'");
      }
      builder.payloadDir(dir);
    }
    if (gateway.has("payloadSizeThreshold")) {
      builder.payloadSizeThreshold(integer(gateway, "payloadSizeThreshold", at, 1, Integer.MAX_VALUE));
    }
    builder.payloadPathPrefix(optionalString(gateway, "payloadPathPrefix", at));
    boolean quotaGiven = gateway.has("payloadQuotaBytes");
    long quota = quotaGiven ? byteSize(gateway.get("payloadQuotaBytes"), at + ".payloadQuotaBytes", 1,
        "such as 1073741824, \"500m\" or \"2g\"") : GatewayConfig.DEFAULT_PAYLOAD_QUOTA_BYTES;
    long threshold = gateway.has("payloadSizeThreshold") ? gateway.get("payloadSizeThreshold").longValue()
        : GatewayConfig.DEFAULT_PAYLOAD_SIZE_THRESHOLD;
    if (quota <= threshold) {
      throw quotaGiven
          ? new ConfigException(at + ".payloadQuotaBytes", "must be larger than payloadSizeThreshold (" + threshold
              + " bytes), got " + quota + ": every stored payload is larger than the threshold, so each would be refused")
          : new ConfigException(at + ".payloadSizeThreshold", "must be smaller than the payload quota per caller ("
              + quota + " bytes by default); lower it or raise gateway.payloadQuotaBytes");
    }
    builder.payloadQuotaBytes(quota);
    if (gateway.has("maxMessageBytes")) {
      long max = byteSize(gateway.get("maxMessageBytes"), at + ".maxMessageBytes", 1024,
          "of at least 1024 bytes and under 2 GiB, such as 67108864, \"64m\" or \"600m\"");
      if (max > Integer.MAX_VALUE) {
        throw new ConfigException(at + ".maxMessageBytes", "must be under 2 GiB, got " + max);
      }
      builder.maxMessageBytes((int) max);
    }
    boolean sessionTimeoutGiven = false;
    if (present(gateway, "sessionTimeout")) {
      JsonNode timeout = gateway.get("sessionTimeout");
      if (timeout.isTextual()) {
        // The specification's form: a Go duration string; "" keeps the default.
        String text = expand(timeout.asText(), at + ".sessionTimeout");
        if (!text.isEmpty()) {
          builder.sessionTimeout(positiveDuration(text, at + ".sessionTimeout", ""));
          sessionTimeoutGiven = true;
        }
      } else {
        int seconds = integer(gateway, "sessionTimeout", at, 0, Integer.MAX_VALUE);
        builder.sessionTimeout(seconds == 0 ? null : Duration.ofSeconds(seconds));
        sessionTimeoutGiven = true;
      }
    }
    if (gateway.has("maxSessions")) {
      builder.maxSessions(integer(gateway, "maxSessions", at, 1, Integer.MAX_VALUE));
    }
    if (gateway.has("maxSessionsPerCaller")) {
      builder.maxSessionsPerCaller(integer(gateway, "maxSessionsPerCaller", at, 1, Integer.MAX_VALUE));
    }
    if (gateway.has("maxBackendsPerCaller")) {
      builder.maxBackendsPerCaller(integer(gateway, "maxBackendsPerCaller", at, 1, MAX_BACKENDS_PER_CALLER));
    }
    JsonNode cluster = gateway.get("cluster");
    if (cluster != null && !cluster.isNull()) {
      String clusterAt = at + ".cluster";
      requireObject(cluster, clusterAt);
      checkFields(cluster, clusterAt, CLUSTER_FIELDS);
      String redis = optionalString(cluster, "redis", clusterAt);
      String secret = optionalString(cluster, "secret", clusterAt);
      if (redis == null || secret == null) {
        throw new ConfigException(clusterAt, "needs both redis (a redis:// URI) and secret (shared by every replica)");
      }
      try {
        builder.cluster(ClusterConfig.of(redis, secret));
      } catch (IllegalArgumentException e) {
        throw new ConfigException(clusterAt, e.getMessage().replace("cluster.", ""));
      }
    }
    String adminKey = optionalString(gateway, "adminKey", at);
    if (adminKey != null) {
      if (adminKey.equals(apiKey) || agentIds.contains(adminKey)) {
        throw new ConfigException(at + ".adminKey", "must differ from " + (adminKey.equals(apiKey) ? "apiKey" : "every agent id")
            + ": the admin key is the only key that may close the gateway, so give it a value of its own");
      }
      builder.adminKey(adminKey);
    }
    builder.closeWithoutAuthentication(bool(gateway, "closeWithoutAuthentication", at, false));
    JsonNode redaction = gateway.get("redaction");
    if (redaction != null && !redaction.isNull()) {
      String redactionAt = at + ".redaction";
      requireObject(redaction, redactionAt);
      checkFields(redaction, redactionAt, REDACTION_FIELDS);
      builder.redactPrivateAddresses(bool(redaction, "privateAddresses", redactionAt, false));
      builder.redactInternalHostNames(bool(redaction, "internalHostNames", redactionAt, false));
      if (redaction.has("maxTextChars")) {
        builder.maxTextChars(integer(redaction, "maxTextChars", redactionAt, 0, Integer.MAX_VALUE));
      }
    }
    String pinning = optionalString(gateway, "toolPinning", at);
    if (pinning != null) {
      switch (pinning) {
        case "off":
          builder.toolPinning(ToolPinningMode.OFF);
          break;
        case "warn":
          builder.toolPinning(ToolPinningMode.WARN);
          break;
        case "refuse":
          builder.toolPinning(ToolPinningMode.REFUSE);
          break;
        default:
          throw new ConfigException(at + ".toolPinning", "unknown mode '" + pinning
              + "'; use \"off\", \"warn\" (log changed tool definitions) or \"refuse\" (also hide and refuse changed tools)");
      }
    }
    String auditFile = optionalString(gateway, "auditFile", at);
    if (auditFile != null) {
      builder.auditFile(absolutePath(auditFile, at + ".auditFile"));
    }
    if (gateway.has("rateLimit")) {
      builder.rateLimit(rateLimit(gateway.get("rateLimit"), at + ".rateLimit"));
    }
    loadUnactedGatewaySettings(gateway, at, ignored);
    return sessionTimeoutGiven;
  }

  /**
   * {@code agentId} (one identifier) or {@code agentIds} (several): mutually exclusive, each
   * non-empty, and exclusive with {@code apiKey}, their former name. The values are secrets:
   * errors name positions, never values.
   */
  private List<String> loadAgentIds(JsonNode gateway, String at, boolean hasApiKey) {
    boolean one = present(gateway, "agentId");
    boolean several = present(gateway, "agentIds");
    if (one && several) {
      throw new ConfigException(at + ".agentIds", "agentId and agentIds are mutually exclusive; use agentId for one agent or "
          + "agentIds for several, not both");
    }
    if (hasApiKey && (one || several)) {
      throw new ConfigException(at + (one ? ".agentId" : ".agentIds"), "apiKey is the former name of agentId; keep one of them");
    }
    if (one) {
      String id = optionalString(gateway, "agentId", at);
      if (id.isEmpty()) {
        throw new ConfigException(at + ".agentId", "is empty; an agent id must be a non-empty string");
      }
      return List.of(id);
    }
    if (!several) {
      return List.of();
    }
    JsonNode value = gateway.get("agentIds");
    if (!value.isArray()) {
      throw new ConfigException(at + ".agentIds", "must be an array of strings, got " + describe(value));
    }
    if (value.isEmpty()) {
      throw new ConfigException(at + ".agentIds", "is empty; list at least one agent id, or leave the field out");
    }
    List<String> ids = stringList(gateway, "agentIds", at);
    for (int i = 0; i < ids.size(); i++) {
      if (ids.get(i).isEmpty()) {
        throw new ConfigException(at + ".agentIds[" + i + "]", "is empty; an agent id must be a non-empty string");
      }
      int first = ids.indexOf(ids.get(i));
      if (first < i) {
        throw new ConfigException(at + ".agentIds[" + i + "]", "repeats agentIds[" + first + "]; each agent id must differ");
      }
    }
    return ids;
  }

  /**
   * The gateway settings of the specification this gateway checks but does not act on:
   * {@code trustedBots}, {@code keepaliveInterval}, {@code opentelemetry}, {@code forcePublicRepos}
   * and {@code sinkVisibilityExemptServers}. Each one present is added to {@code ignored}.
   */
  private void loadUnactedGatewaySettings(JsonNode gateway, String at, List<String> ignored) {
    if (present(gateway, "trustedBots")) {
      JsonNode bots = gateway.get("trustedBots");
      if (!bots.isArray() || bots.isEmpty()) {
        throw new ConfigException(at + ".trustedBots", "must be a non-empty array of bot names such as "
            + "\"github-actions[bot]\", got " + (bots.isArray() ? "an empty array" : describe(bots)));
      }
      nonEmptyStrings(gateway, "trustedBots", at);
      ignored.add(at + ".trustedBots");
    }
    if (present(gateway, "keepaliveInterval")) {
      JsonNode interval = gateway.get("keepaliveInterval");
      if (!interval.isIntegralNumber() || !interval.canConvertToInt() || interval.intValue() < -1) {
        throw new ConfigException(at + ".keepaliveInterval", "must be a whole number of seconds: -1 (no keepalive), "
            + "0 (the default) or more, got " + describe(interval));
      }
      ignored.add(at + ".keepaliveInterval");
    }
    if (present(gateway, "forcePublicRepos")) {
      bool(gateway, "forcePublicRepos", at, true);
      ignored.add(at + ".forcePublicRepos");
    }
    if (present(gateway, "sinkVisibilityExemptServers")) {
      nonEmptyStrings(gateway, "sinkVisibilityExemptServers", at);
      ignored.add(at + ".sinkVisibilityExemptServers");
    }
    if (present(gateway, "opentelemetry")) {
      loadOpenTelemetry(gateway.get("opentelemetry"), at + ".opentelemetry");
      ignored.add(at + ".opentelemetry");
    }
  }

  /** Checks {@code opentelemetry} as the specification defines it (section 4.1.3.7). */
  private void loadOpenTelemetry(JsonNode otel, String at) {
    requireObject(otel, at);
    if (otel.has("headers")) {
      throw new ConfigException(at + ".headers", "is no longer part of the configuration: give the collector's headers in the "
          + "OTEL_EXPORTER_OTLP_HEADERS environment variable instead");
    }
    checkFields(otel, at, OPENTELEMETRY_FIELDS);
    String endpoint = optionalString(otel, "endpoint", at);
    if (endpoint == null) {
      throw new ConfigException(at + ".endpoint", "missing; an opentelemetry section needs \"endpoint\": "
          + "\"https://collector.example.com:4318/v1/traces\"");
    }
    if (!endpoint.matches("https?://.+")) {
      throw new ConfigException(at + ".endpoint", "must be an http:// or https:// URL, got '" + endpoint + "'");
    }
    String traceId = optionalString(otel, "traceId", at);
    if (traceId != null && !TRACE_ID.matcher(traceId).matches()) {
      throw new ConfigException(at + ".traceId", "must be 32 lowercase hex digits (a W3C trace id)");
    }
    String spanId = optionalString(otel, "spanId", at);
    if (spanId != null && !SPAN_ID.matcher(spanId).matches()) {
      throw new ConfigException(at + ".spanId", "must be 16 lowercase hex digits (a W3C span id)");
    }
    String serviceName = optionalString(otel, "serviceName", at);
    if (serviceName != null && serviceName.isBlank()) {
      throw new ConfigException(at + ".serviceName", "is empty; leave it out for the default service name");
    }
  }

  /** An array of non-empty strings (after {@code ${VAR}} expansion). */
  private List<String> nonEmptyStrings(JsonNode node, String field, String at) {
    List<String> list = stringList(node, field, at);
    for (int i = 0; i < list.size(); i++) {
      if (list.get(i).isBlank()) {
        throw new ConfigException(at + "." + field + "[" + i + "]", "is empty; each entry must be a non-empty string");
      }
    }
    return list;
  }

  /** Whether {@code field} is there and not JSON null. */
  private static boolean present(JsonNode node, String field) {
    JsonNode value = node.get(field);
    return value != null && !value.isNull();
  }

  /**
   * A Go duration ({@code "30m"}, {@code "4h"}, {@code "1h30m"}, {@code "1.5h"}; units h, m, s,
   * ms, us, ns) that must be longer than zero. {@code where} adds to the error where the text came from.
   */
  static Duration positiveDuration(String text, String at, String where) {
    Duration duration = goDuration(text, at, where);
    if (duration.isZero() || duration.isNegative()) {
      throw new ConfigException(at, "'" + text + "'" + where + " must be longer than zero; leave it out (or \"\") for the "
          + "default, or use the number 0 for sessions that never expire");
    }
    return duration;
  }

  /** Parses a Go duration string as Go's {@code time.ParseDuration} does. */
  static Duration goDuration(String text, String at, String where) {
    Matcher whole = GO_DURATION.matcher(text);
    if (!whole.matches()) {
      throw new ConfigException(at, "'" + text + "'" + where + " is not a duration; use a Go duration such as \"30m\", "
          + "\"4h\" or \"1h30m\" (units h, m, s, ms, us, ns), or a whole number of seconds");
    }
    BigDecimal nanos = BigDecimal.ZERO;
    Matcher part = GO_DURATION_PART.matcher(whole.group(2));
    while (part.find()) {
      long unit;
      switch (part.group(2)) {
        case "h":
          unit = 3_600_000_000_000L;
          break;
        case "m":
          unit = 60_000_000_000L;
          break;
        case "s":
          unit = 1_000_000_000L;
          break;
        case "ms":
          unit = 1_000_000L;
          break;
        case "ns":
          unit = 1L;
          break;
        default:
          unit = 1_000L; // us, µs, μs
          break;
      }
      String number = part.group(1).startsWith(".") ? "0" + part.group(1) : part.group(1);
      nanos = nanos.add(new BigDecimal(number).multiply(BigDecimal.valueOf(unit)));
    }
    nanos = nanos.setScale(0, RoundingMode.DOWN);
    if (nanos.compareTo(BigDecimal.valueOf(Long.MAX_VALUE)) > 0) {
      throw new ConfigException(at, "'" + text + "'" + where + " is too long; a Go duration is at most about 290 years");
    }
    Duration duration = Duration.ofNanos(nanos.longValueExact());
    return whole.group(1).equals("-") ? duration.negated() : duration;
  }

  private GuardConfig loadGuards(JsonNode guards, String at, boolean allowTools) {
    requireObject(guards, at);
    checkFields(guards, at, allowTools ? GUARD_FIELDS : GUARD_FIELDS.stream().filter(f -> !f.equals("tools"))
        .collect(java.util.stream.Collectors.toSet()));
    GuardConfig.Builder builder = GuardConfig.builder();
    if (guards.has("allowedPaths") && !guards.get("allowedPaths").isNull()) {
      List<String> paths = stringList(guards, "allowedPaths", at);
      if (paths.isEmpty()) {
        throw new ConfigException(at + ".allowedPaths", "is empty, which would allow no path; list directories or leave the field out");
      }
      List<Path> dirs = new ArrayList<>();
      for (int i = 0; i < paths.size(); i++) {
        dirs.add(absolutePath(paths.get(i), at + ".allowedPaths[" + i + "]"));
      }
      builder.allowedPaths(dirs);
    }
    if (guards.has("allowedExtensions") && !guards.get("allowedExtensions").isNull()) {
      builder.allowedExtensions(stringList(guards, "allowedExtensions", at));
    }
    if (guards.has("maxArgumentBytes") && !guards.get("maxArgumentBytes").isNull()) {
      builder.maxArgumentBytes(integer(guards, "maxArgumentBytes", at, 1, Integer.MAX_VALUE));
    }
    if (guards.has("checkHostSymlinks") && !guards.get("checkHostSymlinks").isNull()) {
      builder.checkHostSymlinks(bool(guards, "checkHostSymlinks", at, false));
    }
    if (guards.has("pathArguments") && !guards.get("pathArguments").isNull()) {
      List<String> names = stringList(guards, "pathArguments", at);
      if (names.isEmpty()) {
        throw new ConfigException(at + ".pathArguments", "is empty, so no argument would be checked as a path; list names or leave the field out");
      }
      builder.pathArguments(names);
    }
    JsonNode tools = guards.get("tools");
    if (tools != null && !tools.isNull()) {
      requireObject(tools, at + ".tools");
      Iterator<Map.Entry<String, JsonNode>> entries = tools.fields();
      while (entries.hasNext()) {
        Map.Entry<String, JsonNode> entry = entries.next();
        String toolAt = at + ".tools." + entry.getKey();
        if (entry.getKey().isEmpty()) {
          throw new ConfigException(toolAt, "empty tool name; use the tool's name as the key");
        }
        builder.tool(entry.getKey(), loadGuards(entry.getValue(), toolAt, false));
      }
    }
    return builder.build();
  }

  private static Path absolutePath(String text, String at) {
    Path path;
    try {
      path = Path.of(text);
    } catch (java.nio.file.InvalidPathException e) {
      throw new ConfigException(at, "is not a valid path: " + e.getReason());
    }
    if (!path.isAbsolute()) {
      throw new ConfigException(at, "must be an absolute path, got '" + text + "'");
    }
    return path;
  }

  private static boolean bool(JsonNode node, String field, String at, boolean otherwise) {
    JsonNode value = node.get(field);
    if (value == null || value.isNull()) {
      return otherwise;
    }
    if (!value.isBoolean()) {
      throw new ConfigException(at + "." + field, "must be true or false, got " + describe(value));
    }
    return value.booleanValue();
  }

  /** {@code {"requestsPerSecond": 10, "burst": 20}}; burst defaults to the rate (at least 1). */
  private static RateLimit rateLimit(JsonNode node, String at) {
    requireObject(node, at);
    checkFields(node, at, RATE_LIMIT_FIELDS);
    JsonNode rate = node.get("requestsPerSecond");
    if (rate == null) {
      throw new ConfigException(at + ".requestsPerSecond", "missing; give the sustained rate, such as 10");
    }
    if (!rate.isNumber() || !(rate.doubleValue() > 0) || rate.doubleValue() > 1_000_000) {
      throw new ConfigException(at + ".requestsPerSecond", "must be a number more than 0 and at most 1000000, such as 10 or 0.5, got "
          + describe(rate));
    }
    if (!node.has("burst")) {
      return RateLimit.perSecond(rate.doubleValue());
    }
    return new RateLimit(rate.doubleValue(), integer(node, "burst", at, 1, 1_000_000));
  }

  private ServerConfig loadServer(String name, JsonNode server, List<String> ignored) {
    String at = "$.mcpServers." + name;
    if (!ServerConfig.isValidName(name)) {
      throw new ConfigException(at, "server name is not valid; use 1-64 letters, digits, '_', '.' or '-', starting with a letter or digit");
    }
    requireObject(server, at);
    checkFields(server, at, SERVER_FIELDS);
    String typeText = optionalString(server, "type", at);
    boolean http = isHttp(typeText == null ? (server.has("url") ? "http" : "stdio") : typeText, at);
    ServerConfig.Builder builder;
    if (http) {
      List<String> stdioOnly = new ArrayList<>(List.of("container", "command", "args", "env"));
      stdioOnly.addAll(CONTAINER_ONLY_FIELDS);
      for (String field : stdioOnly) {
        if (server.has(field)) {
          throw new ConfigException(at + "." + field, "not allowed for an \"http\" server; remove it or use \"type\": \"stdio\"");
        }
      }
      String url = optionalString(server, "url", at);
      if (url == null) {
        throw new ConfigException(at + ".url", "missing; an \"http\" server needs \"url\": \"https://...\"");
      }
      if (!url.startsWith("http://") && !url.startsWith("https://")) {
        throw new ConfigException(at + ".url", "must start with http:// or https://");
      }
      builder = ServerConfig.http(url);
      stringMap(server, "headers", at).forEach(builder::header);
      if (present(server, "auth")) {
        loadUpstreamAuth(server.get("auth"), at + ".auth");
        ignored.add(at + ".auth");
      }
      if (server.has("connectTimeout")) {
        builder.connectTimeout(seconds(server, "connectTimeout", at));
      }
    } else {
      for (String field : List.of("url", "headers", "connectTimeout", "auth")) {
        if (server.has(field)) {
          throw new ConfigException(at + "." + field, "only allowed for \"type\": \"http\" servers");
        }
      }
      String container = optionalString(server, "container", at);
      String command = optionalString(server, "command", at);
      if (container == null && command == null) {
        throw new ConfigException(at, "a stdio server needs \"container\": \"image:tag\" (isolated, recommended) or \"command\" (runs on the host)");
      }
      if (container != null && command != null) {
        throw new ConfigException(at, "has both \"container\" and \"command\"; keep one");
      }
      if (container != null) {
        builder = ServerConfig.container(container);
        String entrypoint = optionalString(server, "entrypoint", at);
        if (entrypoint != null) {
          builder.entrypoint(entrypoint);
        }
        builder.entrypointArgs(stringList(server, "entrypointArgs", at));
        List<String> mounts = stringList(server, "mounts", at);
        for (int i = 0; i < mounts.size(); i++) {
          checkMountFormat(mounts.get(i), at + ".mounts[" + i + "]");
        }
        builder.mounts(mounts);
        loadContainerSettings(server, at, builder);
      } else {
        for (String field : CONTAINER_ONLY_FIELDS) {
          if (server.has(field)) {
            throw new ConfigException(at + "." + field, "only allowed for \"container\" servers");
          }
        }
        builder = ServerConfig.command(command);
      }
      builder.args(stringList(server, "args", at));
      stringMap(server, "env", at).forEach(builder::env);
    }
    if (server.has("tools")) {
      List<String> tools = stringList(server, "tools", at);
      if (tools.isEmpty()) {
        throw new ConfigException(at + ".tools", "is empty, which would allow no tool; list tool names or use [\"*\"] for all");
      }
      builder.tools(tools);
    }
    if (server.has("startupTimeout")) {
      builder.startupTimeout(seconds(server, "startupTimeout", at));
    }
    String isolation = optionalString(server, "isolation", at);
    if (isolation != null) {
      switch (isolation) {
        case "key":
          builder.isolation(ServerConfig.Isolation.KEY);
          break;
        case "session":
          builder.isolation(ServerConfig.Isolation.SESSION);
          break;
        default:
          throw new ConfigException(at + ".isolation", "unknown isolation '" + isolation
              + "'; use \"key\" (sessions of one caller share a backend) or \"session\" (a backend per MCP session)");
      }
    }
    loadSharing(server, at, builder, isolation);
    if (server.has("toolTimeout")) {
      builder.toolTimeout(seconds(server, "toolTimeout", at));
    }
    if (server.has("rateLimit")) {
      builder.rateLimit(rateLimit(server.get("rateLimit"), at + ".rateLimit"));
    }
    JsonNode guards = server.get("guards");
    if (guards != null && !guards.isNull()) {
      builder.guards(loadGuards(guards, at + ".guards", true));
    }
    String registry = optionalString(server, "registry", at);
    if (registry != null) {
      if (registry.isBlank()) {
        throw new ConfigException(at + ".registry", "is empty; give the server's registry URI or leave the field out");
      }
      builder.registry(registry);
    }
    if (present(server, "guard-policies")) {
      loadGuardPolicies(server.get("guard-policies"), at + ".guard-policies");
      ignored.add(at + ".guard-policies");
    }
    ServerConfig config = builder.build(name);
    config.container().filter(image -> !ConfigLint.isPinned(image))
        .ifPresent(image -> ConfigLint.warnUnpinned(name, image, at + ".container"));
    return config;
  }

  /** A mount is {@code /host:/container:ro} or {@code :rw}, both paths absolute (the launcher checks the rest). */
  private static void checkMountFormat(String mount, String at) {
    String[] parts = mount.split(":", -1);
    if (parts.length != 3 || !parts[0].startsWith("/") || !parts[1].startsWith("/")) {
      throw new ConfigException(at, "'" + mount + "' is not a mount; use \"/host/path:/container/path:ro\" (or :rw), "
          + "both paths absolute");
    }
    if (!parts[2].equals("ro") && !parts[2].equals("rw")) {
      throw new ConfigException(at, "mode '" + parts[2] + "' is not ro or rw");
    }
  }

  /** Checks an http server's {@code auth} (specification section 7.6): {@code "type": "github-oidc"}, optional audience. */
  private void loadUpstreamAuth(JsonNode auth, String at) {
    requireObject(auth, at);
    checkFields(auth, at, AUTH_FIELDS);
    String type = optionalString(auth, "type", at);
    if (type == null || type.isEmpty()) {
      throw new ConfigException(at + ".type", "missing; upstream authentication needs \"type\": \"github-oidc\"");
    }
    if (!type.equals("github-oidc")) {
      throw new ConfigException(at + ".type", "unsupported upstream authentication type '" + type + "'; the specification "
          + "defines \"github-oidc\"");
    }
    String audience = optionalString(auth, "audience", at);
    if (audience != null && audience.isBlank()) {
      throw new ConfigException(at + ".audience", "is empty; leave it out to use the server's url");
    }
  }

  /**
   * Checks a server's {@code guard-policies} (specification section 10) as far as the
   * specification defines them: {@code allow-only} (its {@code min-integrity}, required with any
   * other field, and {@code repos}) and {@code write-sink} ({@code accept}, required, and
   * {@code sink-visibility}). Other policies are GitHub-specific and accepted as they are.
   */
  private void loadGuardPolicies(JsonNode policies, String at) {
    requireObject(policies, at);
    JsonNode allowOnly = policies.get("allow-only");
    if (allowOnly != null && !allowOnly.isNull()) {
      String allowAt = at + ".allow-only";
      requireObject(allowOnly, allowAt);
      String minIntegrity = optionalRawString(allowOnly, "min-integrity", allowAt);
      if (minIntegrity == null) {
        if (allowOnly.size() > 0) {
          throw new ConfigException(allowAt + ".min-integrity", "missing; it is required with any other allow-only field: "
              + "use \"merged\", \"approved\", \"unapproved\" or \"none\"");
        }
      } else if (!MIN_INTEGRITY.contains(minIntegrity)) {
        throw new ConfigException(allowAt + ".min-integrity", "unknown integrity level '" + minIntegrity + "'; use "
            + "\"merged\", \"approved\", \"unapproved\" or \"none\"");
      }
      for (String field : List.of("repos", "allowed-repos")) {
        JsonNode repos = allowOnly.get(field);
        if (repos != null && !repos.isNull() && !repos.isArray() && !repos.isTextual()) {
          throw new ConfigException(allowAt + "." + field, "must be \"all\", \"public\" or an array of repository patterns, got "
              + describe(repos));
        }
        if (repos != null && repos.isArray()) {
          rawStrings(repos, allowAt + "." + field);
        }
      }
      for (String field : List.of("blocked-users", "trusted-users", "approval-labels", "refusal-labels")) {
        JsonNode list = allowOnly.get(field);
        if (list != null && !list.isNull() && !list.isTextual()) {
          if (!list.isArray()) {
            throw new ConfigException(allowAt + "." + field, "must be an array of strings or an expression string, got "
                + describe(list));
          }
          rawStrings(list, allowAt + "." + field);
        }
      }
    }
    JsonNode writeSink = policies.get("write-sink");
    if (writeSink != null && !writeSink.isNull()) {
      String sinkAt = at + ".write-sink";
      requireObject(writeSink, sinkAt);
      JsonNode accept = writeSink.get("accept");
      if (accept == null || accept.isNull()) {
        throw new ConfigException(sinkAt + ".accept", "missing; list the secrecy tags this sink accepts, or [\"*\"] for all");
      }
      if (!accept.isArray()) {
        throw new ConfigException(sinkAt + ".accept", "must be an array of strings, got " + describe(accept));
      }
      rawStrings(accept, sinkAt + ".accept");
      String visibility = optionalRawString(writeSink, "sink-visibility", sinkAt);
      if (visibility != null && !SINK_VISIBILITY.contains(visibility)) {
        throw new ConfigException(sinkAt + ".sink-visibility", "unknown visibility '" + visibility + "'; use \"public\", "
            + "\"private\" or \"internal\"");
      }
    }
  }

  /**
   * A string field read as written, without {@code ${VAR}} expansion: guard policies carry
   * GitHub Actions expressions ({@code ${{ ... }}}) that are not the gateway's variables.
   */
  private static String optionalRawString(JsonNode node, String field, String at) {
    JsonNode value = node.get(field);
    if (value == null || value.isNull()) {
      return null;
    }
    if (!value.isTextual()) {
      throw new ConfigException(at + "." + field, "must be a string, got " + describe(value));
    }
    return value.asText();
  }

  /** Checks that every item of an array is a string, as written. */
  private static void rawStrings(JsonNode array, String at) {
    for (int i = 0; i < array.size(); i++) {
      if (!array.get(i).isTextual()) {
        throw new ConfigException(at + "[" + i + "]", "must be a string, got " + describe(array.get(i)));
      }
    }
  }

  /** {@code backendSharing} and {@code maxBackendsPerCaller}: how one caller's sessions share backends, with {@code "isolation": "key"} only. */
  private void loadSharing(JsonNode server, String at, ServerConfig.Builder builder, String isolation) {
    boolean perSession = "session".equals(isolation);
    String sharing = optionalString(server, "backendSharing", at);
    if (sharing != null) {
      if (perSession) {
        throw new ConfigException(at + ".backendSharing", "applies only to \"isolation\": \"key\"; with \"session\" "
            + "every MCP session has a backend of its own; remove one of them");
      }
      switch (sharing) {
        case "exact":
          builder.backendSharing(ServerConfig.BackendSharing.EXACT);
          break;
        case "single":
          builder.backendSharing(ServerConfig.BackendSharing.SINGLE);
          break;
        default:
          throw new ConfigException(at + ".backendSharing", "unknown backendSharing '" + sharing + "'; use \"exact\" "
              + "(a session that can receive server requests holds a backend while its calls run) or \"single\" "
              + "(one backend per caller; server requests reach a session only when no other has calls in flight)");
      }
    }
    if (server.has("maxBackendsPerCaller")) {
      if (perSession) {
        throw new ConfigException(at + ".maxBackendsPerCaller", "applies only to \"isolation\": \"key\"; with \"session\" "
            + "every MCP session has a backend of its own; remove one of them");
      }
      if ("single".equals(sharing)) {
        throw new ConfigException(at + ".maxBackendsPerCaller", "applies only to \"backendSharing\": \"exact\"; "
            + "\"single\" runs one backend per caller; remove one of them");
      }
      builder.maxBackendsPerCaller(integer(server, "maxBackendsPerCaller", at, 1, MAX_BACKENDS_PER_CALLER));
    }
  }

  /** The container isolation settings; each one left out keeps the launcher's hardened default. */
  private void loadContainerSettings(JsonNode server, String at, ServerConfig.Builder builder) {
    String network = optionalString(server, "network", at);
    if (network != null) {
      if (!NETWORK.matcher(network).matches()) {
        throw new ConfigException(at + ".network", "'" + network + "' is not a network name; use letters, digits, '_', '.' or '-'");
      }
      builder.network(network);
    }
    if (server.has("memory")) {
      builder.memoryLimitBytes(memoryBytes(server.get("memory"), at + ".memory"));
    }
    if (server.has("cpus")) {
      JsonNode cpus = server.get("cpus");
      if (!cpus.isNumber() || cpus.doubleValue() < 0.01 || cpus.doubleValue() > 1024) {
        throw new ConfigException(at + ".cpus", "must be a number of CPUs from 0.01 to 1024, such as 0.5, got " + describe(cpus));
      }
      builder.cpuLimit(cpus.doubleValue());
    }
    if (server.has("pidsLimit")) {
      builder.pidsLimit(integer(server, "pidsLimit", at, 1, 4_194_304));
    }
    if (server.has("readOnlyRootfs")) {
      JsonNode readOnly = server.get("readOnlyRootfs");
      if (!readOnly.isBoolean()) {
        throw new ConfigException(at + ".readOnlyRootfs", "must be true or false, got " + describe(readOnly));
      }
      builder.readOnlyRootFilesystem(readOnly.booleanValue());
    }
    String digest = optionalString(server, "digest", at);
    if (digest != null) {
      if (!digest.matches("sha256:[0-9a-f]{64}")) {
        throw new ConfigException(at + ".digest", "must be 'sha256:' followed by 64 lowercase hex digits");
      }
      builder.imageDigest(digest);
    }
    String user = optionalString(server, "user", at);
    if (user != null) {
      if (!ServerConfig.isValidUser(user)) {
        throw new ConfigException(at + ".user", "'" + user + "' is not a container user; use \"uid:gid\" such as "
            + "\"1000:1000\", or a user name the image knows (optionally \"name:group\")");
      }
      builder.user(user);
    }
  }

  /** A memory size: a whole number of bytes, or a string such as {@code "512m"} (b, k, m, g; powers of 1024). */
  private static long memoryBytes(JsonNode value, String at) {
    return byteSize(value, at, 6L * 1024 * 1024, "of at least 6 MiB, such as \"512m\" or \"1g\"");
  }

  /** A size in bytes of at least {@code min}: a whole number, or a string such as {@code "512m"} (b, k, m, g; powers of 1024). */
  private static long byteSize(JsonNode value, String at, long min, String hint) {
    long bytes = -1;
    if (value.isIntegralNumber() && value.canConvertToLong()) {
      bytes = value.longValue();
    } else if (value.isTextual()) {
      Matcher matcher = MEMORY.matcher(value.asText().trim());
      if (matcher.matches()) {
        int shift = "bkmg".indexOf(matcher.group(2).isEmpty() ? 'b' : Character.toLowerCase(matcher.group(2).charAt(0))) * 10;
        long number = Long.parseLong(matcher.group(1));
        bytes = number > (Long.MAX_VALUE >> shift) ? -1 : number << shift;
      }
    }
    if (bytes < min) {
      throw new ConfigException(at, "must be a " + (min > 1 ? "memory size " : "size in bytes ") + hint + ", got "
          + (value.isTextual() ? "'" + value.asText() + "'" : describe(value)));
    }
    return bytes;
  }

  /** Whether {@code "type"} names a remote server ({@code "http"}) rather than a stdio one ({@code "stdio"}, {@code "local"}). */
  private static boolean isHttp(String type, String at) {
    switch (type) {
      case "stdio":
      case "local":
        return false;
      case "http":
        return true;
      default:
        throw new ConfigException(at + ".type", "unknown server type '" + type + "'; use \"stdio\" (or \"local\") or \"http\", "
            + "or register a custom type in customSchemas");
    }
  }

  private static void requireObject(JsonNode node, String at) {
    if (!node.isObject()) {
      throw new ConfigException(at, "must be an object, got " + describe(node));
    }
  }

  private static void checkFields(JsonNode node, String at, Set<String> allowed) {
    Iterator<String> names = node.fieldNames();
    while (names.hasNext()) {
      String name = names.next();
      if (!allowed.contains(name)) {
        throw new ConfigException(at + "." + name, "unknown field; allowed here: " + String.join(", ", new java.util.TreeSet<>(allowed))
            + " (MCP gateway specification " + SPEC_VERSION + " and this gateway's own settings)");
      }
    }
  }

  private String optionalString(JsonNode node, String field, String at) {
    JsonNode value = node.get(field);
    if (value == null || value.isNull()) {
      return null;
    }
    if (!value.isTextual()) {
      throw new ConfigException(at + "." + field, "must be a string, got " + describe(value));
    }
    return expand(value.asText(), at + "." + field);
  }

  private static int integer(JsonNode node, String field, String at, int min, int max) {
    JsonNode value = node.get(field);
    if (!value.isIntegralNumber() || !value.canConvertToInt() || value.intValue() < min || value.intValue() > max) {
      throw new ConfigException(at + "." + field, "must be a whole number from " + min + " to " + max + ", got " + describe(value));
    }
    return value.intValue();
  }

  private static Duration seconds(JsonNode node, String field, String at) {
    return Duration.ofSeconds(integer(node, field, at, 1, 7 * 24 * 3600));
  }

  private List<String> stringList(JsonNode node, String field, String at) {
    JsonNode value = node.get(field);
    List<String> list = new ArrayList<>();
    if (value == null || value.isNull()) {
      return list;
    }
    if (!value.isArray()) {
      throw new ConfigException(at + "." + field, "must be an array of strings, got " + describe(value));
    }
    for (int i = 0; i < value.size(); i++) {
      JsonNode item = value.get(i);
      String itemAt = at + "." + field + "[" + i + "]";
      if (!item.isTextual()) {
        throw new ConfigException(itemAt, "must be a string, got " + describe(item));
      }
      list.add(expand(item.asText(), itemAt));
    }
    return list;
  }

  private Map<String, String> stringMap(JsonNode node, String field, String at) {
    JsonNode value = node.get(field);
    Map<String, String> map = new java.util.LinkedHashMap<>();
    if (value == null || value.isNull()) {
      return map;
    }
    if (!value.isObject()) {
      throw new ConfigException(at + "." + field, "must be an object of string values, got " + describe(value));
    }
    Iterator<Map.Entry<String, JsonNode>> entries = value.fields();
    while (entries.hasNext()) {
      Map.Entry<String, JsonNode> entry = entries.next();
      String entryAt = at + "." + field + "." + entry.getKey();
      if (entry.getKey().isEmpty()) {
        throw new ConfigException(entryAt, "empty name; give the variable a name");
      }
      if (!entry.getValue().isTextual()) {
        throw new ConfigException(entryAt, "must be a string (use \"\" to pass the variable through from the gateway's environment), got " + describe(entry.getValue()));
      }
      // Checked before ${VAR} expansion: a secret that comes from the environment is fine.
      ConfigLint.rejectLiteralSecret(entry.getKey(), entry.getValue().asText(), entryAt, field.equals("env"));
      map.put(entry.getKey(), expand(entry.getValue().asText(), entryAt));
    }
    return map;
  }

  /** Replaces every {@code ${VAR}}; an undefined variable is an error naming it and the path. */
  String expand(String text, String at) {
    if (text.indexOf("${") < 0) {
      return text;
    }
    Matcher matcher = VARIABLE.matcher(text);
    StringBuilder out = new StringBuilder();
    while (matcher.find()) {
      String name = matcher.group(1);
      if (!VARIABLE_NAME.matcher(name).matches()) {
        throw new ConfigException(at, "'${" + name + "}' is not a valid variable reference; names use letters, digits and '_'");
      }
      String value = environment.apply(name);
      if (value == null) {
        throw new ConfigException(at, "environment variable '" + name + "' is not defined; export it before starting the gateway");
      }
      matcher.appendReplacement(out, Matcher.quoteReplacement(value));
    }
    matcher.appendTail(out);
    return out.toString();
  }

  private static String describe(JsonNode node) {
    if (node.isTextual()) {
      return "a string";
    }
    if (node.isNumber()) {
      return "the number " + node.asText();
    }
    return node.getNodeType().name().toLowerCase(java.util.Locale.ROOT).replace("boolean", "a boolean")
        .replace("array", "an array").replace("object", "an object").replace("null", "null");
  }
}
