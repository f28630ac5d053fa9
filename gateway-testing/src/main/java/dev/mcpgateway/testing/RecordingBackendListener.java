package dev.mcpgateway.testing;

import dev.mcpgateway.backend.BackendListener;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

/**
 * A {@link BackendListener} that records what a backend says, for tests of launchers: every
 * message, every exit and every report of an unreachable remote, with waits that fail after a
 * timeout instead of hanging. Thread-safe.
 *
 * <pre>{@code
 * RecordingBackendListener listener = new RecordingBackendListener();
 * Backend backend = launcher.launch(LaunchRequest.builder(server, listener).build());
 * backend.send(initialize);
 * String answer = listener.response(1, Duration.ofSeconds(30));   // its JSON text
 * }</pre>
 */
public final class RecordingBackendListener implements BackendListener {
  private final List<String> messages = new CopyOnWriteArrayList<>();
  private final LinkedBlockingQueue<String> unread = new LinkedBlockingQueue<>();
  private final List<String> exits = new CopyOnWriteArrayList<>();
  private final List<String> unavailable = new CopyOnWriteArrayList<>();
  private final CountDownLatch exited = new CountDownLatch(1);

  /** A listener that has heard nothing yet. */
  public RecordingBackendListener() {
  }

  @Override
  public void onMessage(byte[] message) {
    String text = new String(message, StandardCharsets.UTF_8);
    messages.add(text);
    unread.add(text);
  }

  @Override
  public void onExit(String reason) {
    exits.add(reason);
    exited.countDown();
  }

  @Override
  public void onUnavailable(String reason) {
    unavailable.add(reason);
  }

  /**
   * Every message so far, in the order delivered.
   *
   * @return the messages, a snapshot
   */
  public List<String> messages() {
    return List.copyOf(messages);
  }

  /**
   * Every exit reason heard so far; a backend reports one.
   *
   * @return the exit reasons, a snapshot
   */
  public List<String> exits() {
    return List.copyOf(exits);
  }

  /**
   * Every report that the remote could not be reached.
   *
   * @return the reasons given, a snapshot
   */
  public List<String> unavailable() {
    return List.copyOf(unavailable);
  }

  /**
   * Waits for the response (a message with {@code result} or {@code error}) to the request with
   * the number id {@code id}, passing over other messages not read yet, and returns its JSON text.
   *
   * @param id the request's id
   * @param timeout how long to wait
   * @return the response's JSON text
   * @throws InterruptedException when the thread is interrupted while waiting
   * @throws AssertionError when none arrives within {@code timeout}, naming what did
   */
  public String response(int id, Duration timeout) throws InterruptedException {
    long deadline = System.nanoTime() + timeout.toNanos();
    List<String> passed = new ArrayList<>();
    while (true) {
      long left = deadline - System.nanoTime();
      String message = left <= 0 ? null : unread.poll(left, TimeUnit.NANOSECONDS);
      if (message == null) {
        throw new AssertionError("no response to request " + id + " within " + timeout + "; other messages: " + passed
            + "; exits: " + exits);
      }
      if (JsonRpcLines.isResponse(message, id)) {
        return message;
      }
      passed.add(message);
    }
  }

  /**
   * Waits for the next message not read yet that contains {@code text}, passing over others.
   *
   * @param text what the message must contain
   * @param timeout how long to wait
   * @return the message's JSON text
   * @throws InterruptedException when the thread is interrupted while waiting
   * @throws AssertionError when none arrives within {@code timeout}
   */
  public String next(String text, Duration timeout) throws InterruptedException {
    long deadline = System.nanoTime() + timeout.toNanos();
    while (true) {
      long left = deadline - System.nanoTime();
      String message = left <= 0 ? null : unread.poll(left, TimeUnit.NANOSECONDS);
      if (message == null) {
        throw new AssertionError("no message containing " + text + " within " + timeout + "; exits: " + exits);
      }
      if (message.contains(text)) {
        return message;
      }
    }
  }

  /**
   * Waits for the first exit and returns its reason.
   *
   * @param timeout how long to wait
   * @return the reason the backend gave
   * @throws InterruptedException when the thread is interrupted while waiting
   * @throws AssertionError when the backend does not exit within {@code timeout}
   */
  public String awaitExit(Duration timeout) throws InterruptedException {
    if (!exited.await(timeout.toNanos(), TimeUnit.NANOSECONDS)) {
      throw new AssertionError("the backend did not exit within " + timeout);
    }
    return exits.get(0);
  }
}
