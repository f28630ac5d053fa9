package dev.mcpgateway.internal.session;

import dev.mcpgateway.session.SessionStore;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.LongSupplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Keeps busy sessions from expiring as idle. A session whose client holds a stream open or has
 * a call in flight sends no request for as long as that lasts, and the store, which counts only
 * what it is asked, would end it at its idle timeout. So a periodic check looks at this node's
 * sessions and, for each one that is busy ({@link LiveSession#isBusy()}), touches its record
 * with {@link SessionStore#get(String)} (activity, per the SPI) at least once every
 * {@link #touchInterval}; when a session stops being busy, it is touched once more, so that its
 * idle time starts when its work ended. Any store works this way, in this JVM or shared.
 *
 * <p>The check runs on the gateway's scheduler every {@link #checkPeriod}; whether a touch is
 * due is read from the gateway's ticker, so that tests move time instead of waiting. One check
 * runs at a time; the state it keeps is its own.
 */
public final class BusySessions {
  private static final Logger LOG = LoggerFactory.getLogger(BusySessions.class);
  /** The longest time between two touches of a busy session, whatever the timeout. */
  static final Duration MAX_TOUCH_INTERVAL = Duration.ofMinutes(1);
  /** The longest time between two checks. */
  static final Duration MAX_CHECK_PERIOD = Duration.ofSeconds(1);

  private final SessionStore store;
  private final SessionRegistry registry;
  private final LongSupplier ticker;
  private final long touchIntervalNanos;
  private final long checkPeriodMillis;
  /** Busy sessions at the last check, by id, with when each was last touched; only the check uses it. */
  private final Map<String, Long> touched = new HashMap<>();

  /**
   * @param idleTimeout the sessions' idle timeout; empty when the configuration lets them live
   *     forever (a store given by the application may still expire them)
   * @param ticker the time source, as {@link System#nanoTime()}
   */
  public BusySessions(SessionStore store, SessionRegistry registry, Optional<Duration> idleTimeout, LongSupplier ticker) {
    this.store = store;
    this.registry = registry;
    this.ticker = ticker;
    this.touchIntervalNanos = touchInterval(idleTimeout).toNanos();
    this.checkPeriodMillis = checkPeriod(idleTimeout).toMillis();
  }

  /**
   * How often a busy session is touched: a quarter of the timeout, at most a minute, so that
   * a store whose own timeout is longer than the configured one (or set when the configuration
   * has none) is served too.
   */
  static Duration touchInterval(Optional<Duration> idleTimeout) {
    return idleTimeout.map(t -> t.dividedBy(4)).filter(t -> t.compareTo(MAX_TOUCH_INTERVAL) < 0).orElse(MAX_TOUCH_INTERVAL);
  }

  /** How often the sessions are checked: an eighth of the timeout, at most a second, at least 10 ms. */
  static Duration checkPeriod(Optional<Duration> idleTimeout) {
    Duration period = idleTimeout.map(t -> t.dividedBy(8)).filter(t -> t.compareTo(MAX_CHECK_PERIOD) < 0).orElse(MAX_CHECK_PERIOD);
    return period.compareTo(Duration.ofMillis(10)) < 0 ? Duration.ofMillis(10) : period;
  }

  /** Runs the check on {@code scheduler} every {@link #checkPeriod} until the scheduler shuts down. */
  public void start(ScheduledExecutorService scheduler) {
    scheduler.scheduleWithFixedDelay(this::checkSafely, checkPeriodMillis, checkPeriodMillis, TimeUnit.MILLISECONDS);
  }

  private void checkSafely() {
    try {
      check();
    } catch (RuntimeException e) {
      // A store that failed once must not end the checks (a scheduled task that throws never runs again).
      LOG.error("Keeping busy sessions alive failed; trying again at the next check", e);
    }
  }

  /** One check: touches the busy sessions that are due and those that stopped being busy. */
  void check() {
    long now = ticker.getAsLong();
    Map<String, Long> wasBusy = new HashMap<>(touched);
    touched.clear();
    for (LiveSession session : registry.sessions()) {
      if (session.isClosed()) {
        continue;
      }
      String id = session.id();
      Long last = wasBusy.remove(id);
      if (session.isBusy()) {
        if (last == null || now - last >= touchIntervalNanos) {
          store.get(id);
          last = now;
        }
        touched.put(id, last);
      } else if (last != null) {
        store.get(id); // its work just ended: the idle time counts from now
      }
    }
  }
}
