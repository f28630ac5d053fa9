package dev.mcpgateway.payload;

import java.io.IOException;

/**
 * A payload was not stored because the caller's stored payloads would exceed its disk quota.
 * Nothing of the refused payload is left behind. Thrown by {@link PayloadStore#store} (also by
 * stores other than the file system one); the gateway answers the call with a JSON-RPC error
 * carrying this message, which is written for the client.
 */
public final class PayloadQuotaExceededException extends IOException {
  private static final long serialVersionUID = 1L;

  /** The caller's quota in bytes. */
  private final long quotaBytes;
  /** The bytes the caller's other payloads take up. */
  private final long usedBytes;

  /**
   * Creates the error.
   *
   * @param quotaBytes the caller's quota
   * @param usedBytes what the caller's other payloads take up
   */
  public PayloadQuotaExceededException(long quotaBytes, long usedBytes) {
    super("storing it would take this caller's payloads over the payload quota of " + quotaBytes + " bytes ("
        + human(quotaBytes) + "; " + usedBytes + " bytes are stored already). A caller's payloads are deleted when "
        + "its last session ends: end the sessions you no longer need and retry, or ask the operator to raise "
        + "gateway.payloadQuotaBytes");
    this.quotaBytes = quotaBytes;
    this.usedBytes = usedBytes;
  }

  /** {@return the caller's quota in bytes} */
  public long quotaBytes() {
    return quotaBytes;
  }

  /** {@return the bytes the caller's other payloads take up} */
  public long usedBytes() {
    return usedBytes;
  }

  static String human(long bytes) {
    String[] units = {"bytes", "KiB", "MiB", "GiB", "TiB"};
    double value = bytes;
    int unit = 0;
    while (value >= 1024 && unit < units.length - 1) {
      value /= 1024;
      unit++;
    }
    return unit == 0 ? bytes + " bytes" : (value == Math.floor(value) ? String.valueOf((long) value)
        : String.format(java.util.Locale.ROOT, "%.1f", value)) + " " + units[unit];
  }
}
