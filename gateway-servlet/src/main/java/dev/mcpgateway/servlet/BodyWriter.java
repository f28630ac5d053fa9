package dev.mcpgateway.servlet;

import jakarta.servlet.ServletOutputStream;
import jakarta.servlet.WriteListener;
import java.io.IOException;

/**
 * Writes one complete response body without blocking, then completes the exchange.
 *
 * <p>The container calls this from its threads, one callback at a time.
 */
final class BodyWriter implements WriteListener {
  private final ServletExchange exchange;
  private final ServletOutputStream out;
  private final byte[] body;
  private boolean written;

  BodyWriter(ServletExchange exchange, ServletOutputStream out, byte[] body) {
    this.exchange = exchange;
    this.out = out;
    this.body = body;
  }

  @Override
  public void onWritePossible() throws IOException {
    // The container buffers what one write cannot send at once and reports readiness again.
    if (!written && out.isReady()) {
      written = true;
      out.write(body);
    }
    if (written && out.isReady()) {
      exchange.complete();
    }
  }

  @Override
  public void onError(Throwable failure) {
    exchange.writeFailed(failure);
    exchange.complete();
  }
}
