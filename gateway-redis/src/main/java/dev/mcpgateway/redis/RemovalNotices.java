package dev.mcpgateway.redis;

import dev.mcpgateway.cluster.ClusterBus;
import dev.mcpgateway.session.McpSession;
import dev.mcpgateway.session.SessionStore.RemovalCause;
import java.nio.charset.StandardCharsets;
import java.util.function.BiConsumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Tells the stores of the other replicas that a session left, and this store when theirs did,
 * over a {@link ClusterBus}: so that every replica releases what it holds for the session, not
 * only the one whose call removed it or whose sweep found it expired.
 *
 * <p>A notice is {@code <sender> <cause>\n<session JSON>} on topic {@value #TOPIC}; a store ignores
 * its own. The bus delivers at most once: a replica that is disconnected when a notice passes
 * misses it. When the subscription cannot be made (Redis is down when the store is built), it is
 * tried again by {@link #ensureSubscribed()}, which the store's expiry check calls. Thread-safe.
 */
final class RemovalNotices implements AutoCloseable {
  static final String TOPIC = "sessions.removed";
  private static final Logger LOG = LoggerFactory.getLogger(RemovalNotices.class);

  private final ClusterBus bus;
  private final String sender = McpSession.newId();
  private final BiConsumer<McpSession, RemovalCause> heard;
  private ClusterBus.Subscription subscription; // guarded by this
  private boolean closed; // guarded by this
  private boolean warned; // guarded by this

  RemovalNotices(ClusterBus bus, BiConsumer<McpSession, RemovalCause> heard) {
    this.bus = bus;
    this.heard = heard;
    ensureSubscribed();
  }

  /** Subscribes to the other replicas' notices unless done already; a failure is logged once and tried again on the next call. */
  synchronized void ensureSubscribed() {
    if (subscription != null || closed) {
      return;
    }
    try {
      subscription = bus.subscribe(TOPIC, this::receive);
      if (warned) {
        LOG.info("Sessions removed by other replicas are heard again");
        warned = false;
      }
    } catch (RuntimeException e) {
      if (!warned) {
        warned = true;
        LOG.warn("Cannot hear of sessions removed by other replicas yet, trying again: {}", e.getMessage());
      }
    }
  }

  /** Tells the other replicas that {@code session} left; a failure is logged, not thrown: the removal itself happened. */
  void announce(McpSession session, RemovalCause cause) {
    byte[] notice = (sender + " " + cause.name() + "\n" + session.toJson()).getBytes(StandardCharsets.UTF_8);
    try {
      bus.publish(TOPIC, notice);
    } catch (RuntimeException e) {
      LOG.warn("The other replicas were not told that a session on server '{}' left: {}", session.server(), e.getMessage());
    }
  }

  private void receive(byte[] message) {
    String text = new String(message, StandardCharsets.UTF_8);
    int space = text.indexOf(' ');
    int newline = text.indexOf('\n');
    if (space < 0 || newline < space) {
      LOG.warn("Ignoring a malformed session removal notice ({} bytes)", message.length);
      return;
    }
    if (text.substring(0, space).equals(sender)) {
      return; // our own: the listener heard it when it happened
    }
    McpSession session;
    RemovalCause cause;
    try {
      cause = RemovalCause.valueOf(text.substring(space + 1, newline));
      session = McpSession.fromJson(text.substring(newline + 1));
    } catch (IllegalArgumentException e) {
      LOG.warn("Ignoring a malformed session removal notice ({} bytes)", message.length);
      return;
    }
    heard.accept(session, cause);
  }

  @Override
  public synchronized void close() {
    closed = true;
    if (subscription != null) {
      subscription.close();
      subscription = null;
    }
  }
}
