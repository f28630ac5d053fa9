package dev.mcpgateway.internal;

import dev.mcpgateway.session.SessionStore;
import java.util.function.UnaryOperator;

/**
 * A test hook: when the system property {@value #PROPERTY} names a class that implements
 * {@code UnaryOperator<SessionStore>} (with a public no-argument constructor), every gateway
 * wraps its session store in it. The build runs the test suites once more with
 * {@code dev.mcpgateway.testing.SerializingSessionStore$Wrapper}, which keeps every session only
 * as JSON text, proving that no live object hides in a session record.
 */
final class SessionStoreWrapper {
  static final String PROPERTY = "mcpgateway.sessionStoreWrapper";

  private SessionStoreWrapper() {}

  @SuppressWarnings("unchecked")
  static SessionStore apply(SessionStore store) {
    String name = System.getProperty(PROPERTY);
    if (name == null || name.isBlank()) {
      return store;
    }
    try {
      Object wrapper = Class.forName(name.trim(), true, Thread.currentThread().getContextClassLoader() != null
          ? Thread.currentThread().getContextClassLoader() : SessionStoreWrapper.class.getClassLoader())
          .getConstructor().newInstance();
      return ((UnaryOperator<SessionStore>) wrapper).apply(store);
    } catch (ReflectiveOperationException | ClassCastException e) {
      throw new IllegalStateException("system property " + PROPERTY + " names '" + name
          + "', which is not a UnaryOperator<SessionStore> with a public no-argument constructor", e);
    }
  }
}
