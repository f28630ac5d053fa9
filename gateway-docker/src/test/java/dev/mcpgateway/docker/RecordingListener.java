package dev.mcpgateway.docker;

import dev.mcpgateway.backend.BackendListener;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

/** Records what a backend says, for tests that wait on it with a deadline. */
final class RecordingListener implements BackendListener {
  final LinkedBlockingQueue<String> messages = new LinkedBlockingQueue<>();
  final List<String> exits = new CopyOnWriteArrayList<>();

  @Override
  public void onMessage(byte[] message) {
    messages.add(new String(message, StandardCharsets.UTF_8));
  }

  @Override
  public void onExit(String reason) {
    exits.add(reason);
  }

  /** The next message containing {@code text}, skipping others; fails after the timeout. */
  String next(String text, Duration timeout) throws InterruptedException {
    long deadline = System.nanoTime() + timeout.toNanos();
    while (true) {
      long left = deadline - System.nanoTime();
      String message = left <= 0 ? null : messages.poll(left, TimeUnit.NANOSECONDS);
      if (message == null) {
        throw new AssertionError("no message containing " + text + " within " + timeout);
      }
      if (message.contains(text)) {
        return message;
      }
    }
  }
}
