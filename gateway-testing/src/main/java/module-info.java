/**
 * Test support for implementers of the MCP gateway's SPIs: JUnit 5 contract tests to extend
 * and in-memory fakes. The contract classes are JUnit test classes, so JUnit's API is required
 * transitively and the package is open to JUnit, which runs their inherited test methods.
 */
module dev.mcpgateway.testing {
  requires transitive dev.mcpgateway.core;
  requires transitive org.junit.jupiter.api;
  requires com.fasterxml.jackson.databind;
  requires org.assertj.core;

  exports dev.mcpgateway.testing;
  opens dev.mcpgateway.testing to org.junit.platform.commons;
}
