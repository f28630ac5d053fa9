package dev.mcpgateway.config;

import java.util.List;
import java.util.regex.Pattern;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Checks a configuration for what the security checklist forbids: secrets written into it
 * (errors) and container images that can change under the same name (warnings). Messages name
 * the JSON path and never the secret.
 */
final class ConfigLint {
  private static final Logger LOG = LoggerFactory.getLogger(ConfigLoader.class);
  private static final Pattern VARIABLE = Pattern.compile("\\$\\{[^}]*}");

  private record SecretShape(String what, Pattern pattern) {}

  private static final List<SecretShape> SECRETS = List.of(
      new SecretShape("a GitHub token", Pattern.compile("(?<![A-Za-z0-9])gh[pousr]_[A-Za-z0-9]{20,}")),
      new SecretShape("a GitHub token", Pattern.compile("(?<![A-Za-z0-9])github_pat_[A-Za-z0-9_]{20,}")),
      new SecretShape("an API key (sk-...)", Pattern.compile("(?<![A-Za-z0-9])sk-[A-Za-z0-9_-]{16,}")),
      new SecretShape("an AWS access key id", Pattern.compile("(?<![A-Z0-9])(?:AKIA|ASIA)[0-9A-Z]{16}(?![A-Z0-9])")),
      new SecretShape("a private key", Pattern.compile("-----BEGIN [A-Z0-9 ]*PRIVATE KEY-----")));

  private ConfigLint() {}

  /**
   * Fails when the raw (unexpanded) value of an {@code env} variable or header looks like a
   * literal secret. {@code ${VAR}} references are left out of the check: their values come
   * from the environment, which is where secrets belong.
   */
  static void rejectLiteralSecret(String name, String rawValue, String at, boolean env) {
    String literal = VARIABLE.matcher(rawValue).replaceAll(" ");
    for (SecretShape shape : SECRETS) {
      if (shape.pattern().matcher(literal).find()) {
        String fix = env
            ? "use \"\" to pass " + name + " through from the gateway's environment (or \"${" + name + "}\") and export it there"
            : "write \"${VARIABLE}\" in its place and export VARIABLE in the gateway's environment";
        throw new ConfigException(at, "looks like " + shape.what() + " written into the configuration; secrets must not be "
            + "stored in configuration files: " + fix + ", then rotate the exposed secret");
      }
    }
  }

  /** Whether {@code image} names a fixed tag (not {@code latest}) or a digest. */
  static boolean isPinned(String image) {
    if (image.contains("@sha256:")) {
      return true;
    }
    int slash = image.lastIndexOf('/');
    int colon = image.lastIndexOf(':');
    if (colon <= slash) {
      return false;
    }
    String tag = image.substring(colon + 1);
    return !tag.isEmpty() && !tag.equals("latest");
  }

  static void warnUnpinned(String server, String image, String at) {
    LOG.warn("{}: server '{}' uses image '{}' without a pinned version; pin a release tag or a digest "
        + "(image:1.2.3 or image@sha256:...) so that what runs cannot change under the same name", at, server, image);
  }
}
