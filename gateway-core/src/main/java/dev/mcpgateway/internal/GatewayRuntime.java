package dev.mcpgateway.internal;

import dev.mcpgateway.backend.BackendLauncher;
import dev.mcpgateway.config.BackendKind;
import dev.mcpgateway.config.GatewayConfig;
import dev.mcpgateway.config.ServerConfig;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.atomic.AtomicInteger;

/** What the gateway's parts share: configuration, launchers, threads and the message router. */
final class GatewayRuntime {
  /** Above this average, the interceptors' pass over an answer moves off the backend's reader. */
  static final long SLOW_ANSWER_NANOS = 200_000;

  /** Moving average of the interceptors' pass over an answer, in nanoseconds (racy updates are fine). */
  private volatile long answerNanos;

  private final GatewayConfig config;
  private final Map<BackendKind, BackendLauncher> launchers;
  private final Map<String, Map<String, String>> environments;
  private final int maxMessageBytes;
  private final ExecutorService launchExecutor;
  private final ScheduledThreadPoolExecutor scheduler;
  private final java.util.concurrent.ThreadPoolExecutor answers;
  private final MessageRouter router = new MessageRouter();
  private final Map<String, ServerHealth> health = new java.util.concurrent.ConcurrentHashMap<>();

  private final dev.mcpgateway.stream.EventStore eventStore;
  private final StreamRegistry streams;
  private final java.util.concurrent.atomic.AtomicInteger inFlight = new java.util.concurrent.atomic.AtomicInteger();
  private final Map<String, java.util.concurrent.atomic.AtomicInteger> sessionsPerKey = new java.util.concurrent.ConcurrentHashMap<>();
  private final java.util.concurrent.atomic.AtomicLong revocationEpoch = new java.util.concurrent.atomic.AtomicLong();
  /** Session key to the epoch of its latest revocation: one entry per revoked key, an operator's rare act. */
  private final Map<String, Long> revokedAt = new java.util.concurrent.ConcurrentHashMap<>();
  private final BackendRedactor redactor;
  private volatile PayloadOffloader offloader;
  private volatile Listeners listeners = new Listeners(java.util.List.of());
  private volatile java.util.function.LongSupplier ticker = System::nanoTime;
  private final Map<String, org.slf4j.Logger> serverLogs = new java.util.concurrent.ConcurrentHashMap<>();

  GatewayRuntime(GatewayConfig config, Map<BackendKind, BackendLauncher> launchers,
      Map<String, Map<String, String>> environments, int maxMessageBytes, dev.mcpgateway.stream.EventStore eventStore,
      java.time.Duration keepAliveInterval, BackendRedactor redactor) {
    this.redactor = redactor;
    this.eventStore = eventStore;
    this.config = config;
    this.launchers = launchers;
    this.environments = environments;
    this.maxMessageBytes = maxMessageBytes;
    this.launchExecutor = Executors.newCachedThreadPool(daemonThreads("mcp-gateway-launch"));
    this.scheduler = new ScheduledThreadPoolExecutor(1, daemonThreads("mcp-gateway-timer"));
    this.scheduler.setRemoveOnCancelPolicy(true);
    int threads = Math.max(2, Runtime.getRuntime().availableProcessors());
    this.answers = new java.util.concurrent.ThreadPoolExecutor(threads, threads, 30, java.util.concurrent.TimeUnit.SECONDS,
        new java.util.concurrent.LinkedBlockingQueue<>(), daemonThreads("mcp-gateway-answer"));
    this.answers.allowCoreThreadTimeOut(true);
    this.streams = new StreamRegistry(scheduler, keepAliveInterval);
  }

  /** Requests in flight to backends, gateway-wide. */
  java.util.concurrent.atomic.AtomicInteger inFlight() {
    return inFlight;
  }

  /** Counts a new session of {@code sessionKey}; returns how many the key holds now, this one included. */
  int sessionOpened(String sessionKey) {
    int[] held = new int[1];
    sessionsPerKey.compute(sessionKey, (k, count) -> {
      java.util.concurrent.atomic.AtomicInteger c = count != null ? count : new java.util.concurrent.atomic.AtomicInteger();
      held[0] = c.incrementAndGet();
      return c;
    });
    return held[0];
  }

  /** Revocations so far, gateway-wide; read before authenticating a request. */
  long revocationEpoch() {
    return revocationEpoch.get();
  }

  /** Records that {@code sessionKey} was revoked, before its sessions are ended. */
  void revoked(String sessionKey) {
    revokedAt.put(sessionKey, revocationEpoch.incrementAndGet());
  }

  /** Whether {@code sessionKey} was revoked after {@code epoch} (a value of {@link #revocationEpoch()}). */
  boolean revokedSince(String sessionKey, long epoch) {
    Long at = revokedAt.get(sessionKey);
    return at != null && at > epoch;
  }

  /** Counts a session of {@code sessionKey} gone; true when it was the key's last. */
  boolean sessionClosed(String sessionKey) {
    boolean[] last = new boolean[1];
    sessionsPerKey.computeIfPresent(sessionKey, (k, count) -> {
      if (count.decrementAndGet() <= 0) {
        last[0] = true;
        return null;
      }
      return count;
    });
    return last[0];
  }

  /** The gateway's time source, as {@link System#nanoTime()}; injectable for tests. */
  long nanoTime() {
    return ticker.getAsLong();
  }

  void ticker(java.util.function.LongSupplier ticker) {
    this.ticker = ticker;
  }

  /**
   * The logger {@code dev.mcpgateway.server.<name>}: a server's backend stderr and lifecycle, which
   * a logging configuration can route to a file per server.
   */
  org.slf4j.Logger serverLog(String server) {
    return serverLogs.computeIfAbsent(server, name -> org.slf4j.LoggerFactory.getLogger("dev.mcpgateway.server." + name));
  }

  /** What every message, log line and payload from a backend passes on its way out. */
  BackendRedactor redactor() {
    return redactor;
  }

  Listeners listeners() {
    return listeners;
  }

  void listeners(Listeners listeners) {
    this.listeners = listeners;
  }

  PayloadOffloader offloader() {
    return offloader;
  }

  void offloader(PayloadOffloader offloader) {
    this.offloader = offloader;
  }

  dev.mcpgateway.stream.EventStore eventStore() {
    return eventStore;
  }

  StreamRegistry streams() {
    return streams;
  }

  private static ThreadFactory daemonThreads(String prefix) {
    AtomicInteger count = new AtomicInteger();
    return task -> {
      Thread thread = new Thread(task, prefix + "-" + count.incrementAndGet());
      thread.setDaemon(true);
      return thread;
    };
  }

  GatewayConfig config() {
    return config;
  }

  BackendLauncher launcher(ServerConfig server) {
    return launchers.get(server.kind());
  }

  /** The resolved environment of a server's backends (values are secrets). */
  Map<String, String> environmentFor(ServerConfig server) {
    return environments.getOrDefault(server.name(), Map.of());
  }

  int maxMessageBytes() {
    return maxMessageBytes;
  }

  ExecutorService launchExecutor() {
    return launchExecutor;
  }

  /** Counts one pass of the interceptors over an answer. */
  void answerTook(long nanos) {
    long average = answerNanos;
    answerNanos = average + ((nanos - average) >> 4);
  }

  /** Whether the interceptors have lately taken long enough on answers to be worth another thread. */
  boolean answersAreSlow() {
    return answerNanos > SLOW_ANSWER_NANOS;
  }

  /**
   * Runs {@code task}, the interceptors' pass over an answer, on the answer threads, so that a
   * backend's reader goes on to the next message; inline when the gateway is shutting down.
   * The queue holds at most one task per request in flight.
   */
  void answer(Runnable task) {
    try {
      answers.execute(task);
    } catch (java.util.concurrent.RejectedExecutionException e) {
      task.run();
    }
  }

  ScheduledExecutorService scheduler() {
    return scheduler;
  }

  /** The health record of a server. */
  ServerHealth health(String server) {
    return health.computeIfAbsent(server, name -> new ServerHealth());
  }

  MessageRouter router() {
    return router;
  }

  void shutdown() {
    scheduler.shutdownNow();
    launchExecutor.shutdown();
    answers.shutdown();
  }
}
