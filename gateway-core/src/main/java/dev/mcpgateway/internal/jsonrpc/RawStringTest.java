package dev.mcpgateway.internal.jsonrpc;

import java.util.function.Predicate;

/**
 * A test on the strings of an answer that can also tell, from the answer's bytes alone, that
 * none of its strings passes: {@link RawAnswer#anyString} then reads no string at all.
 */
public interface RawStringTest extends Predicate<String> {
  /**
   * Whether some string of {@code raw} might pass; false only when none can. Asked only of
   * answers without a backslash, whose strings are therefore their UTF-8 bytes as they stand.
   *
   * @param raw a JSON-RPC answer, as the backend wrote it
   * @return false when no key or string value of {@code raw} passes the test
   */
  boolean mayPassIn(byte[] raw);
}
