package dev.mcpgateway;

/**
 * A stream of server-sent events that the gateway produces for one HTTP response.
 *
 * <p>The transport calls {@link #open(EventSink)} once, after it has written the status and
 * headers; from then on the gateway pushes already encoded SSE bytes to the sink from its own
 * threads, and calls {@link EventSink#close()} when the stream ends. When the client goes away
 * the transport calls {@link #cancel()} so that the gateway releases what the stream holds;
 * cancelling is idempotent and is not an MCP cancellation of any request.
 */
public interface EventStream {

  /**
   * Starts delivering events to {@code sink}. Called at most once.
   *
   * @param sink where the transport writes the events; the stream closes it when it ends
   */
  void open(EventSink sink);

  /** The client is gone or the transport gave up on it: stop delivering and release resources. */
  void cancel();

  /**
   * Where an {@link EventStream} writes: implemented by transports.
   *
   * <p>Methods are called from gateway threads, never concurrently for one sink, and must not
   * block: a transport queues what it cannot write at once. A transport may bound that queue
   * and cancel the stream when a client stops reading.
   */
  interface EventSink {

    /**
     * Writes encoded SSE bytes (one or more complete events or comments).
     *
     * @param sseBytes the encoded bytes to send
     */
    void write(byte[] sseBytes);

    /** Ends the response after what was written has been sent. */
    void close();
  }
}
