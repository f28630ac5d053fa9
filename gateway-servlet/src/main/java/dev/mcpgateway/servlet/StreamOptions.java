package dev.mcpgateway.servlet;

import java.util.concurrent.ScheduledExecutorService;

/**
 * How the servlet writes event streams.
 *
 * @param maxQueuedBytes bytes that may wait for a slow client before its stream is cancelled
 * @param keepAlives runs keep-alive comments; {@code null} when they are off or the servlet is not initialized
 * @param keepAliveMillis idle time after which a stream gets a keep-alive comment
 */
record StreamOptions(long maxQueuedBytes, ScheduledExecutorService keepAlives, long keepAliveMillis) {}
