package dev.mcpgateway.examples.runner;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.net.URI;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.eclipse.jetty.client.ContentResponse;
import org.eclipse.jetty.client.HttpClient;
import org.eclipse.jetty.client.Request;
import org.eclipse.jetty.client.StringRequestContent;
import org.eclipse.jetty.client.transport.HttpClientTransportOverHTTP;
import org.eclipse.jetty.http.HttpMethod;
import org.eclipse.jetty.util.thread.QueuedThreadPool;

/**
 * Speaks MCP over HTTP/1.1 keep-alive connections with Jetty's client, for the soak: the same
 * requests as {@link GatewayHttp} (initialize, tools/call, DELETE). Not the JDK client, whose
 * HTTP/1.1 pool closes a reused connection now and then when a fast answer races its idle
 * watcher (JDK 17.0.21 and 25.0.3; see the comment on the jetty-client dependency in
 * examples/pom.xml).
 * {@link #close()} stops its threads and closes its connections.
 */
final class KeepAliveClient implements AutoCloseable {
  private final HttpClient client;
  private final URI endpoint;

  KeepAliveClient(int port, int maxConnections) throws Exception {
    QueuedThreadPool threads = new QueuedThreadPool(Math.max(8, maxConnections / 2 + 4), 2);
    threads.setName("soak-client");
    client = new HttpClient(new HttpClientTransportOverHTTP(1));
    client.setExecutor(threads);
    client.setConnectTimeout(5_000);
    client.setMaxConnectionsPerDestination(maxConnections);
    client.setFollowRedirects(false);
    client.getContentDecoderFactories().clear(); // no Accept-Encoding: the requests match GatewayHttp's
    client.start();
    endpoint = URI.create("http://127.0.0.1:" + port + "/mcp/test");
  }

  /** Sends initialize and returns the session id. */
  String initialize(String key) throws IOException, InterruptedException {
    ContentResponse response = send(post(key, null, "{\"jsonrpc\":\"2.0\",\"id\":0,\"method\":\"initialize\","
        + "\"params\":{\"protocolVersion\":\"2025-06-18\",\"capabilities\":{},\"clientInfo\":{\"name\":\"soak\",\"version\":\"1\"}}}"));
    String session = response.getHeaders().get("Mcp-Session-Id");
    if (response.getStatus() != 200 || session == null) {
      throw new IOException("initialize failed: " + response.getStatus() + " " + response.getContentAsString());
    }
    return session;
  }

  /** Calls a tool; the JSON-RPC response (from a JSON body, or the last event of a stream). */
  JsonNode call(String key, String session, long id, String tool, String arguments) throws IOException, InterruptedException {
    ContentResponse response = send(post(key, session, GatewayHttp.toolCall(id, tool, arguments, false)));
    if (response.getStatus() != 200) {
      throw new IOException("tools/call " + tool + " answered " + response.getStatus() + ": " + response.getContentAsString());
    }
    return GatewayHttp.lastMessage(response.getContentAsString());
  }

  /** Ends the session; the status. */
  int delete(String key, String session) throws IOException, InterruptedException {
    return send(client.newRequest(endpoint).method(HttpMethod.DELETE).timeout(30, TimeUnit.SECONDS)
        .headers(h -> h.put("Authorization", key).put("Mcp-Session-Id", session))).getStatus();
  }

  private Request post(String key, String session, String body) {
    return client.newRequest(endpoint).method(HttpMethod.POST).timeout(60, TimeUnit.SECONDS)
        .headers(h -> {
          h.put("Accept", GatewayHttp.ACCEPT).put("Authorization", key);
          if (session != null) {
            h.put("Mcp-Session-Id", session);
          }
        })
        .body(new StringRequestContent("application/json", body));
  }

  private static ContentResponse send(Request request) throws IOException, InterruptedException {
    try {
      return request.send();
    } catch (ExecutionException e) {
      throw new IOException(e.getCause() != null ? e.getCause() : e);
    } catch (TimeoutException e) {
      throw new IOException("no answer in time: " + request.getMethod() + " " + request.getURI(), e);
    }
  }

  @Override
  public void close() throws Exception {
    client.stop();
  }
}
