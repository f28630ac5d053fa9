package dev.mcpgateway.stream;

import java.util.List;

/** The store of {@link EventStore#none()}. */
enum NoEventStore implements EventStore {
  INSTANCE;

  @Override
  public void append(String sessionId, String streamId, long sequence, byte[] encodedEvent) {}

  @Override
  public List<byte[]> replay(String sessionId, String streamId, long afterSequence) {
    return List.of();
  }

  @Override
  public void removeSession(String sessionId) {}
}
