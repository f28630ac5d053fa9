package dev.mcpgateway.internal.connection;

import dev.mcpgateway.backend.BackendLauncher;
import dev.mcpgateway.config.BackendKind;
import dev.mcpgateway.config.GatewayConfig;
import dev.mcpgateway.config.ServerConfig;
import dev.mcpgateway.internal.intercept.Listeners;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.atomic.AtomicInteger;

/** What the gateway's parts share: configuration, launchers, threads and the message router. */
public final class GatewayRuntime {
  /** Above this average, the interceptors' pass over an answer moves off the backend's reader. */
  public static final long SLOW_ANSWER_NANOS = 200_000;

  /** Moving average of the interceptors' pass over an answer, in nanoseconds (racy updates are fine). */
  private volatile long answerNanos;

  private final GatewayConfig config;
  private final Map<BackendKind, BackendLauncher> launchers;
  private final Map<String, Map<String, String>> environments;
  private final int maxMessageBytes;
  private final ExecutorService launchExecutor;
  private final ScheduledThreadPoolExecutor scheduler;
  private final java.util.concurrent.ThreadPoolExecutor answers;
  private final MessageRouter router;
  private final Map<String, ServerHealth> health = new java.util.concurrent.ConcurrentHashMap<>();

  private final java.util.concurrent.atomic.AtomicInteger inFlight = new java.util.concurrent.atomic.AtomicInteger();
  private final java.util.concurrent.locks.ReentrantLock idleLock = new java.util.concurrent.locks.ReentrantLock();
  private final java.util.concurrent.locks.Condition idle = idleLock.newCondition();
  private final BackendRedactor redactor;
  private final LargeResults offloader;
  private final Listeners listeners;
  private final java.util.function.LongSupplier ticker;
  private final dev.mcpgateway.internal.intercept.Tracer tracer;
  private final Map<String, org.slf4j.Logger> serverLogs = new java.util.concurrent.ConcurrentHashMap<>();

  /**
   * @param offloader large results to the payload store; null when there is none
   * @param ticker the time source, as {@link System#nanoTime()}
   * @param tracer the spans of requests, {@link dev.mcpgateway.internal.intercept.Tracer#OFF} for none
   */
  public GatewayRuntime(GatewayConfig config, Map<BackendKind, BackendLauncher> launchers,
      Map<String, Map<String, String>> environments, int maxMessageBytes, BackendRedactor redactor,
      LargeResults offloader, Listeners listeners, java.util.function.LongSupplier ticker,
      dev.mcpgateway.internal.intercept.Tracer tracer) {
    this.tracer = tracer;
    this.router = new MessageRouter(tracer);
    this.redactor = redactor;
    this.offloader = offloader;
    this.listeners = listeners;
    this.ticker = ticker;
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
  }

  /** Counts a client call sent on its way to a backend. */
  public void callStarted() {
    inFlight.incrementAndGet();
  }

  /** Counts a client call answered; wakes {@link #awaitNoCalls} at the last. */
  public void callEnded() {
    if (inFlight.decrementAndGet() == 0) {
      idleLock.lock();
      try {
        idle.signalAll();
      } finally {
        idleLock.unlock();
      }
    }
  }

  /** Client calls in flight to backends, gateway-wide. */
  public int callsInFlight() {
    return inFlight.get();
  }

  /** Waits until no client call is in flight, or {@code timeout} has passed; true when none is. */
  public boolean awaitNoCalls(java.time.Duration timeout) throws InterruptedException {
    long left = timeout.toNanos();
    idleLock.lock();
    try {
      while (inFlight.get() > 0 && left > 0) {
        left = idle.awaitNanos(left);
      }
      return inFlight.get() <= 0;
    } finally {
      idleLock.unlock();
    }
  }

  /** The gateway's time source, as {@link System#nanoTime()}; injectable for tests. */
  public long nanoTime() {
    return ticker.getAsLong();
  }


  /**
   * The logger {@code dev.mcpgateway.server.<name>}: a server's backend stderr and lifecycle, which
   * a logging configuration can route to a file per server.
   */
  public org.slf4j.Logger serverLog(String server) {
    return serverLogs.computeIfAbsent(server, name -> org.slf4j.LoggerFactory.getLogger("dev.mcpgateway.server." + name));
  }

  /** What every message, log line and payload from a backend passes on its way out. */
  public BackendRedactor redactor() {
    return redactor;
  }

  /** The spans of requests. */
  public dev.mcpgateway.internal.intercept.Tracer tracer() {
    return tracer;
  }

  public Listeners listeners() {
    return listeners;
  }


  public LargeResults offloader() {
    return offloader;
  }




  private static ThreadFactory daemonThreads(String prefix) {
    AtomicInteger count = new AtomicInteger();
    return task -> {
      Thread thread = new Thread(task, prefix + "-" + count.incrementAndGet());
      thread.setDaemon(true);
      return thread;
    };
  }

  public GatewayConfig config() {
    return config;
  }

  public BackendLauncher launcher(ServerConfig server) {
    return launchers.get(server.kind());
  }

  /** The resolved environment of a server's backends (values are secrets). */
  public Map<String, String> environmentFor(ServerConfig server) {
    return environments.getOrDefault(server.name(), Map.of());
  }

  public int maxMessageBytes() {
    return maxMessageBytes;
  }

  public ExecutorService launchExecutor() {
    return launchExecutor;
  }

  /** Counts one pass of the interceptors over an answer. */
  public void answerTook(long nanos) {
    long average = answerNanos;
    answerNanos = average + ((nanos - average) >> 4);
  }

  /** Whether the interceptors have lately taken long enough on answers to be worth another thread. */
  public boolean answersAreSlow() {
    return answerNanos > SLOW_ANSWER_NANOS;
  }

  /**
   * Runs {@code task}, the interceptors' pass over an answer, on the answer threads, so that a
   * backend's reader goes on to the next message; inline when the gateway is shutting down.
   * The queue holds at most one task per request in flight.
   */
  public void answer(Runnable task) {
    try {
      answers.execute(task);
    } catch (java.util.concurrent.RejectedExecutionException e) {
      task.run();
    }
  }

  public ScheduledExecutorService scheduler() {
    return scheduler;
  }

  /** The health record of a server. */
  public ServerHealth health(String server) {
    return health.computeIfAbsent(server, name -> new ServerHealth());
  }

  public MessageRouter router() {
    return router;
  }

  public void shutdown() {
    scheduler.shutdownNow();
    launchExecutor.shutdown();
    answers.shutdown();
  }
}
